"""A signed mandate as a one-page A4 PDF (matplotlib's PDF backend, as `statement_pdf`).

Drawn from the stored snapshot alone (`mandate_document._snapshot`), with no creation time in
the file, so the same snapshot gives the same bytes on the same matplotlib.
"""

from __future__ import annotations

import io
import textwrap
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from chargebook.ere.service.statement_pdf import A4_INCHES, ACCENT

_ZONE = ZoneInfo("Europe/Amsterdam")
_WIDTH = 92  # characters per line of body text at 10 pt


def _yes(value: object) -> str:
    return "given" if value else "NOT given"


def render_mandate_pdf(snapshot: dict[str, Any]) -> bytes:
    """The mandate document of `snapshot` as PDF bytes."""
    figure = Figure(figsize=A4_INCHES)
    _draw(figure, snapshot)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf", metadata={"CreationDate": None})
    return buffer.getvalue()


def _draw(figure: Figure, s: dict[str, Any]) -> None:
    # Names and addresses are the customer's text, never mathtext (see statement_pdf).
    text = partial(figure.text, parse_math=False)
    operator = s["operator"]
    text(
        0.08,
        0.95,
        "Mandate (machtiging) for ERE registration",
        fontsize=15,
        weight="bold",
        color=ACCENT,
    )
    text(0.08, 0.928, f"Calendar years {s['first_year']}–{s['last_year']}", fontsize=12)
    text(0.92, 0.95, operator["name"], fontsize=11, ha="right", weight="bold")
    text(0.92, 0.93, f"Mandate no. {s['mandate_id']}", fontsize=9, ha="right")
    text(0.92, 0.915, f"Text version {s['text_version']}", fontsize=9, ha="right")

    a = s["address"]
    rows = [
        ("Connected party (aangeslotene)", s["connected_party_name"]),
        (
            "Address",
            f"{a['street']} {a['house_number']}, {a['postal_code']} {a['city']}, "
            f"{a['country_code']}",
        ),
        ("Grid connection (EAN)", s["ean"]),
        ("Account", s["customer_email"]),
        (
            "Service provider (inboekdienstverlener)",
            f"{operator['name']} (id {operator['service_provider_id']})",
        ),
        ("Years covered", f"{s['first_year']} through {s['last_year']} (whole calendar years)"),
        ("Ends on", f"{s['ends_on']}, not renewed silently"),
    ]
    y = 0.87
    for label, value in rows:
        text(0.08, y, label, fontsize=9, color="grey")
        text(0.45, y, value, fontsize=10, family="monospace" if label.startswith("Grid") else None)
        y -= 0.024

    y -= 0.015
    text(0.08, y, "The text agreed to", fontsize=12, weight="bold")
    y -= 0.028
    authorisation, grid, visit, term = s["paragraphs"]
    body = [
        authorisation,
        f"[{'x' if s['consent_grid_operator_data'] else ' '}] {grid}",
        f"[{'x' if s['consent_verifier_visit'] else ' '}] {visit}",
        term,
    ]
    for paragraph in body:
        for line in textwrap.wrap(paragraph, _WIDTH):
            text(0.08, y, line, fontsize=10)
            y -= 0.019
        y -= 0.01

    y -= 0.01
    text(0.08, y, "Consents", fontsize=12, weight="bold")
    y -= 0.026
    for label, value in (
        (
            "NEa may request connection data from the grid operator",
            s["consent_grid_operator_data"],
        ),
        ("A verifier may visit the charging location", s["consent_verifier_visit"]),
    ):
        text(0.08, y, label, fontsize=10)
        text(0.92, y, _yes(value), fontsize=10, ha="right", weight="bold")
        y -= 0.022

    y -= 0.02
    figure.add_artist(Line2D([0.08, 0.92], [y + 0.012, y + 0.012], color="black", lw=0.6))
    text(0.08, y - 0.01, "Signature", fontsize=12, weight="bold")
    recorded = datetime.fromisoformat(s["recorded_at"])
    local = recorded.astimezone(_ZONE)
    signature = [
        ("Signed by (typed name)", s["signed_by_name"]),
        ("Date of signing", s["signed_on"]),
        (
            "Recorded at",
            f"{recorded.strftime('%Y-%m-%d %H:%M:%S')} UTC ({local.strftime('%H:%M')} Amsterdam)",
        ),
    ]
    y -= 0.036
    for label, value in signature:
        text(0.08, y, label, fontsize=9, color="grey")
        text(0.45, y, value, fontsize=10)
        y -= 0.024

    notes = [
        f"This mandate ends on {s['ends_on']}. It is never renewed silently: registering "
        f"{s['last_year'] + 1} needs a new mandate.",
        "One service provider per connection (EAN) per calendar year; switching only at a "
        "year's end.",
        "Kept as evidence for the NEa and the verifier for at least five years after the "
        "years it covers.",
    ]
    if not s["recorded_at_signing"]:
        notes.insert(
            0,
            "Drawn after signing: this mandate was signed before chargebook recorded the text "
            "version shown at signing; the text above is the version in force when drawn.",
        )
    y = 0.13
    for note in notes:
        for line in textwrap.wrap(note, 110):
            text(0.08, y, line, fontsize=8, color="grey")
            y -= 0.015
        y -= 0.006
