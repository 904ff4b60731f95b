"""Peblar chargers (Home, Home Plus, Business) on the home network (issue 19; reference
charger-clouds.md §7).

A Peblar has two HTTP APIs on the charger itself:

- the documented **local REST API** (`/api/wlac/v1/`, the API token raw in `Authorization`):
  `system`, `meter` (Wh registers, mA currents), `evinterface` (the control pilot state and
  the current limit, which is also how it is commanded). chargebook reads the live state and
  sends its commands here;
- the **web API** of the charger's own web interface (`/api/v1/`, a password login and a
  session cookie), which python-peblar and Home Assistant also use: `system/info` (the
  hardware flags `HwHasMeter`, `HwHasEichrechtLaserMarking`), `system/reboot` and the MID
  meter's own log, `statistics/meterhistory`, with every session's start and end register
  (mWh) and `MidCertified` in its metadata. chargebook reads the session history and the MID
  evidence here.

**The login** is the charger's address and its web password (`BrandLogin`): the web API
gives the REST API's token too (fetched at the first call and after every reboot), while the
API token does not open the web API. A client given only an API token
(`CONNECTOR.open_client(..., api_token=...)` with an empty secret) shows the live state and
commands the charger, but reading the session history raises a `SignInRefusedError` saying
the web password is needed, and the MID status stays unknown (nothing is silently missing).

**Sessions when chargebook was not running.** The local REST API keeps no session list, but
the meter log does: the charger's meter records every session whether anyone watched or not,
so the first sync after a pause (an hour, a month) books every session that ended meanwhile,
from the charger's certified registers, not from chargebook's polling. What is lost is only
what the charger itself lost (a record it marks corrupted is quarantined with its raw item,
not dropped) and live samples (power curves) while nobody polled. A session still running is
booked after it ended.

`CONNECTOR` (`connector.py`) is what the composition roots use.
"""

from chargebook.peblar.client import PeblarClient
from chargebook.peblar.connector import CONNECTOR, PeblarConnector
from chargebook.peblar.history import MidEvidence

__all__ = ["CONNECTOR", "MidEvidence", "PeblarClient", "PeblarConnector"]
