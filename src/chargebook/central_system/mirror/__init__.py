"""Mirror mode: a charger connected to chargebook keeps reporting to its existing central system
(the owner's app, an operator, an ERE provider), the way joulo's ocpp-proxy and evcc's forwarder
let chargers do; chargebook keeps its book either way.

Per charger (`chargebook ocpp upstream set`), chargebook opens one websocket to the upstream as
that charge point, in the charger's own OCPP version (1.6J or 2.0.1), and forwards the traffic
both ways at frame level (the `ocpp` library drops answers with ids it did not send, so relayed
frames are taken before it sees them):

- `upstream-primary`: the upstream answers the charger and commands it; chargebook records
  everything and may only read (`policy.py`). While the upstream is down chargebook answers,
  so the charger keeps charging and the book keeps the session.
- `chargebook-primary`: chargebook answers and commands; the upstream gets every charger
  message (1.6 transaction ids mapped to its own; 2.0.1 stations choose theirs) and may
  start/stop sessions and read.

Modules: `link` (the upstream websocket, outbox, backoff), `tap` (one charger connection's
routing), `transactions` (1.6 id mapping), `policy` (whose commands pass, per version), `hub`
(which chargers are mirrored), `config` (set/clear, the password encrypted).
"""

from chargebook.central_system.mirror.config import (
    InvalidUpstreamError,
    clear_upstream,
    clear_upstream_in,
    parse_mode,
    set_upstream,
    set_upstream_in,
    upstreams,
    upstreams_in,
)
from chargebook.central_system.mirror.hub import MirrorHub
from chargebook.central_system.mirror.link import Backoff, UpstreamLink
from chargebook.central_system.mirror.tap import MirrorTap

__all__ = [
    "Backoff",
    "InvalidUpstreamError",
    "MirrorHub",
    "MirrorTap",
    "UpstreamLink",
    "clear_upstream",
    "clear_upstream_in",
    "parse_mode",
    "set_upstream",
    "set_upstream_in",
    "upstreams",
    "upstreams_in",
]
