"""Real recorded Easee payloads (tests/fixtures/real/easee; SOURCES.md names each source)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "easee"


def load(name: str) -> Any:
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


TOKEN = load("pyeasee_token.json")
CHARGERS = load("pyeasee_chargers.json")
CHARGER_STATE = load("pyeasee_charger-state.json")
SITE_STATE = load("pyeasee_site-state.json")
SITE_CHARGER_STATE = load("pyeasee_site-state_charger-state.json")
SITE_CHARGER_CONFIG = load("pyeasee_site-state_charger-config.json")
HISTORY_2023 = load("easee-rs_history-2023.json")
HISTORY_2024_WITHOUT_DURATION = load("easee-rs_history-2024-without-duration.json")
HISTORY_2024 = load("easee-rs_history-2024.json")
ONGOING_193 = load("easee-rs_ongoing.json")
REFRESH_EXPIRED = load("evcc-8511_refresh-expired.json")
