"""Pure smart-charging planner: imports only domain, clock and errors (plus numpy)."""

from chargebook.planner.backtest import BacktestNight, backtest_overnight
from chargebook.planner.feasibility import Feasibility, explain, goal_feasibility
from chargebook.planner.planner import charge_now, plan_charging, preview_plan

__all__ = [
    "BacktestNight",
    "Feasibility",
    "backtest_overnight",
    "charge_now",
    "explain",
    "goal_feasibility",
    "plan_charging",
    "preview_plan",
]
