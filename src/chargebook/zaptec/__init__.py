"""The Zaptec cloud (api.zaptec.com) as a chargebook brand (issue 19).

    client = CONNECTOR.open_client(login, base_url=None, transport=None, clock=clock,
                                   tokens=MemoryTokenKeeper(), budget=CONNECTOR.new_budget(clock))

`client.ZaptecClient` reads chargers, live state and the charge history (`chargehistory`,
paged by `PageIndex`/`PageSize`, with each session's signed OCMF meter readings kept as
evidence) and commands the chargers through the `ChargerControl` port. Reference:
/work/shared/reference/charger-clouds.md §3.
"""

from chargebook.zaptec.budget import ZaptecBudget
from chargebook.zaptec.client import ZaptecClient
from chargebook.zaptec.connector import CONNECTOR

__all__ = ["CONNECTOR", "ZaptecBudget", "ZaptecClient"]
