"""A customer statement as a one-page A4 PDF (matplotlib's PDF backend, no display needed).

The page carries what an owner needs for an employer or lease reimbursement too: the
connection's address and EAN, kWh per month (table and bars), EREs, price, fee and payout.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from chargebook.domain.ere import GridConnection
from chargebook.domain.ere_book import StoredStatement

A4_INCHES = (8.27, 11.69)
ACCENT = "#1f6f50"
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True, slots=True)
class StatementParty:
    """Who issues the statement and to whom."""

    operator_name: str
    connection: GridConnection | None


def _eur(value: Decimal) -> str:
    return f"EUR {value:,.2f}"


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def render_statement_pdf(statement: StoredStatement, party: StatementParty, path: Path) -> Path:
    """Write the statement to `path` as a PDF; returns the path.

    Raises:
        OSError: the file cannot be written.
    """
    # A bare Figure (no pyplot): no global state, no display, safe in threads.
    figure = Figure(figsize=A4_INCHES)
    _draw(figure, statement, party)
    path.parent.mkdir(parents=True, exist_ok=True)
    # No creation time: the same statement is the same file, whichever door draws it.
    figure.savefig(path, format="pdf", metadata={"CreationDate": None})
    return path


def _draw(figure: Figure, s: StoredStatement, party: StatementParty) -> None:
    # Names, addresses and e-mails are the customer's text, never mathtext: a name holding
    # `$\foo$` made matplotlib raise and the statement download answer 500.
    text = partial(figure.text, parse_math=False)
    text(0.08, 0.95, "ERE statement", fontsize=22, weight="bold", color=ACCENT)
    suffix = f" (supplement {s.sequence})" if s.sequence > 1 else ""
    text(0.08, 0.925, f"Period {s.period.label}{suffix}", fontsize=12)
    text(0.92, 0.95, party.operator_name, fontsize=11, ha="right", weight="bold")
    text(0.92, 0.93, f"Statement no. {s.id}", fontsize=9, ha="right")
    text(0.92, 0.915, f"Issued {s.created_at.date().isoformat()}", fontsize=9, ha="right")

    y = 0.87
    text(0.08, y, "Customer", fontsize=9, color="grey")
    lines = [s.customer_email]
    if party.connection is not None:
        c, a = party.connection, party.connection.address
        lines = [
            c.connected_party_name,
            f"{a.street} {a.house_number}",
            f"{a.postal_code} {a.city}",
            s.customer_email,
        ]
    for n, line in enumerate(lines):
        text(0.08, y - 0.018 * (n + 1), line, fontsize=10)
    text(0.55, y, "Grid connection (EAN)", fontsize=9, color="grey")
    for n, ean in enumerate(s.eans):
        text(0.55, y - 0.018 * (n + 1), ean, fontsize=10, family="monospace")

    # kWh per month: a table on the left, bars on the right.
    top = 0.74
    text(0.08, top, "Energy charged at home per month", fontsize=12, weight="bold")
    months = list(s.energy_kwh_by_month)
    for n, (month, kwh) in enumerate(months):
        row_y = top - 0.025 * (n + 1)
        text(0.08, row_y, _month_label(month), fontsize=10)
        text(0.40, row_y, f"{kwh:,.3f} kWh", fontsize=10, ha="right", family="monospace")
    total_y = top - 0.025 * (len(months) + 1) - 0.005
    figure.add_artist(
        Line2D([0.08, 0.40], [total_y + 0.017, total_y + 0.017], color="black", lw=0.6)
    )
    text(0.08, total_y, "Total", fontsize=10, weight="bold")
    text(
        0.40,
        total_y,
        f"{s.energy_kwh:,.3f} kWh",
        fontsize=10,
        ha="right",
        weight="bold",
        family="monospace",
    )
    axes = figure.add_axes((0.52, top - 0.26, 0.40, 0.24))
    axes.bar(
        [_month_label(m).split()[0] for m, _ in months],
        [float(kwh) for _, kwh in months],
        color=ACCENT,
    )
    axes.set_ylabel("kWh")
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)

    # The money.
    y = 0.38
    text(0.08, y, "Emission reduction units and payout", fontsize=12, weight="bold")
    rows = [
        ("ERE earned (1 ERE = 1 kg CO2-eq)", f"{s.ere:,.1f} ERE"),
        ("Price per ERE", f"EUR {s.price_eur_per_ere:,.4f}"),
        ("Gross proceeds", _eur(s.gross_eur)),
        (f"Service fee ({s.fee_rate * 100:.0f} %)", "- " + _eur(s.fee_eur)),
    ]
    for n, (label, value) in enumerate(rows):
        text(0.08, y - 0.028 * (n + 1), label, fontsize=10)
        text(0.92, y - 0.028 * (n + 1), value, fontsize=10, ha="right", family="monospace")
    pay_y = y - 0.028 * (len(rows) + 1) - 0.01
    figure.add_artist(Line2D([0.08, 0.92], [pay_y + 0.02, pay_y + 0.02], color="black"))
    text(0.08, pay_y, "Payout to you", fontsize=12, weight="bold")
    text(0.92, pay_y, _eur(s.payout_eur), fontsize=12, ha="right", weight="bold", color=ACCENT)
    status = "paid" if s.paid_at else "pending"
    text(0.08, pay_y - 0.03, f"Payout status: {status}", fontsize=9, color="grey")
    # Where the money goes, masked: the full IBAN is only ever in the operator's SEPA file.
    if s.payout_iban_masked is not None:
        verb = "Paid to" if s.paid_at else "To be paid to"
        where = f"{verb} {s.payout_iban_masked} ({s.payout_holder})"
    else:
        where = "Payment waits for your payout details: enter your IBAN under Credits."
    text(0.08, pay_y - 0.05, where, fontsize=10)

    notes = [
        "EREs are computed with the renewable share and factors of the delivery year; the",
        "registry (REV) computes the legal figure from the registered kWh.",
        "The kWh per month can serve as proof for an employer or lease reimbursement.",
    ]
    if s.is_estimate:
        notes.insert(0, "The factors for this year are estimates until the NEa publishes them.")
    for n, note in enumerate(notes):
        text(0.08, 0.10 - 0.016 * n, note, fontsize=8, color="grey")
