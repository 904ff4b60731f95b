"""`chargebook ere credits EMAIL`: an owner's credits per quarter and why, the same breakdown
the web credits page shows, from the same service function (`owner_credits`)."""

from __future__ import annotations

import typer
from rich.table import Table

from chargebook.cli.ere_common import NOW_HELP, console, ere_store, when_arg
from chargebook.cli.errors import handle_errors
from chargebook.ere import load_parameters
from chargebook.ere.service.credits import OwnerCredits, owner_credits
from chargebook.ere.service.estimate import MandateEstimate
from chargebook.errors import NotFoundError

# Where the owner does a fix (`chargebook.ere.reasons.OwnerReason.action`), as the CLI says it.
FIX_HINTS = {
    "sign_mandate": "sign in the web app: Connect → the charger → mandate",
    "metering": "upgrade quote or SAP guidance: the charger's meter step in the web app",
}


@handle_errors
def credits(
    email: str = typer.Argument(..., help="The owner's e-mail address."),
    quarters: int = typer.Option(4, "--quarters", min=1, max=12, help="Quarters to show."),
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
) -> None:
    """An owner's EREs per quarter: sessions and kWh per outcome, why sessions are held back
    and the fix, and (without a mandate for this year) the estimate before signing."""
    moment = when_arg(now)
    with ere_store(moment) as store:
        user = store.users.get_by_email(email)
        if user is None:
            raise NotFoundError(f"no user with e-mail {email.strip().lower()}")
        found = owner_credits(
            store,
            user.id,
            parameters=load_parameters(),
            now=store.clock.now(),
            shown_quarters=quarters,
        )
    print_credits(user.email, found)


def print_credits(email: str, found: OwnerCredits) -> None:
    out = console()
    out.print(f"ERE credits of {email}")
    for quarter in found.quarters:
        b = quarter.breakdown
        running = " (running)" if quarter.open else ""
        ere = quarter.pending_ere if quarter.open else quarter.eligible_ere
        out.print(
            f"\n{quarter.period.label}{running}: {ere:,.1f} ERE eligible, "
            f"{quarter.registered_ere:,.1f} registered, {quarter.paid_ere:,.1f} paid"
        )
        table = Table("outcome", "sessions", "kWh")
        for outcome in b.outcomes:
            table.add_row(outcome.label, f"{outcome.sessions:,}", f"{outcome.energy_kwh:,.1f}")
        out.print(table)
        if b.reasons:
            reasons = Table("held back", "kWh", "fix", "code")
            for reason in b.reasons:
                hint = FIX_HINTS.get(reason.action or "")
                fix = f"{reason.fix} ({hint})" if hint else reason.fix
                reasons.add_row(reason.text, f"{reason.energy_kwh:,.1f}", fix, reason.code)
                for then in reason.also:  # later rules the same sessions fail
                    reasons.add_row(f"  then also: {then.text}", "", then.fix, then.code)
            out.print(reasons)
    if found.mandate_estimate is not None:
        out.print("\n" + estimate_line(found.mandate_estimate))


def estimate_line(e: MandateEstimate) -> str:
    """The estimate before signing in one sentence (says it is an estimate)."""
    fee = f"{e.fee_rate * 100:.0f} % fee"
    money = (
        f"about € {e.payout.payout_eur} at € {e.price_eur_per_ere} per ERE after the {fee}"
        if e.payout is not None and e.price_eur_per_ere is not None
        else f"€ {e.low.payout_eur} – € {e.high.payout_eur} after the {fee} (no price set yet)"
    )
    return (
        f"Estimate, no mandate for {e.year} yet: {e.sessions} MID-metered sessions, "
        f"{e.energy_kwh} kWh so far → about {e.ere} ERE ({e.energy_kwh} × "
        f"{e.amount.ere_per_kwh}), {money}. An estimate: the rules may still hold sessions back."
    )
