"""The one rule for an OCPP charge point id, used by every door: the CLI (`ocpp add`,
`ocpp claim`), the web connect form, and the central system's routing of `ws://HOST/<id>`.

The spec: OCPP-J 1.6 only says the identity is the last path segment of the URL. OCPP 2.0.1
Part 4 §3.1.1 makes it an `identifierString` of at most 48 characters (a-z, A-Z, 0-9 and
`* - _ = : + | @ .`) and forbids `:` because the identity is also the HTTP Basic username
(security profile 1, which 1.6's security whitepaper shares). chargebook applies that to
both versions, and additionally refuses what a URL path segment cannot carry as is:
`|` (not a URI character, RFC 3986 §3.3) and ids made only of dots (`.` and `..` are dot
segments that URL normalisation removes). So an id registered here is one a charger can dial.
"""

from __future__ import annotations

import re

MAX_CHARGE_POINT_ID_LENGTH = 48
_ALLOWED = re.compile(r"[A-Za-z0-9*+=@._-]+")
RULE = "1-48 characters: letters, digits and * + = @ . _ - (not only dots)"


def charge_point_id_problem(charge_point_id: str) -> str | None:
    """Why `charge_point_id` cannot be an OCPP charge point id, or None if it can."""
    if not charge_point_id:
        return f"a charge point id is {RULE}; it is empty"
    if len(charge_point_id) > MAX_CHARGE_POINT_ID_LENGTH:
        return f"a charge point id is {RULE}; this one has {len(charge_point_id)} characters"
    if not _ALLOWED.fullmatch(charge_point_id) or not charge_point_id.strip("."):
        return f"a charge point id is {RULE}; {charge_point_id!r} is not"
    return None


def is_charge_point_id(charge_point_id: str) -> bool:
    """True when `charge_point_id` follows the rule (see the module docstring)."""
    return charge_point_id_problem(charge_point_id) is None
