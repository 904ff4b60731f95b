"""The mandate's text, versioned: what the owner agrees to when signing (ere-rules.md §2.6).

The connect wizard shows `form_paragraphs` of `CURRENT_VERSION`; signing stores the version
and `agreed_paragraphs` (the same sentences with the signed years filled in) with the
mandate, so its document repeats the exact words agreed to, whatever the text says later. A
changed text is a new version here; old versions stay, so stored ones can still be read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MandateText:
    version: str
    authorisation: str  # {operator}, {first_year}, {last_year}
    consent_grid_operator_data: str
    consent_verifier_visit: str
    term: str  # {last_year}, {next_year}


TEXTS: dict[str, MandateText] = {
    "2026.1": MandateText(
        version="2026.1",
        authorisation=(
            "You authorise {operator}, as your registration service provider "
            "(inboekdienstverlener), to register the EREs of this connection from {first_year} "
            "through {last_year}, and no other provider for the same years."
        ),
        consent_grid_operator_data=(
            "The Dutch Emissions Authority (NEa) may request my connection data from the grid "
            "operator."
        ),
        consent_verifier_visit="A verifier may visit the charging location.",
        term=(
            "The mandate runs for whole calendar years and ends on 31 December {last_year}. It is "
            "never renewed silently: registering {next_year} needs a new mandate."
        ),
    ),
}
CURRENT_VERSION = "2026.1"


def text_of(version: str) -> MandateText:
    """The text of `version`.

    Raises:
        KeyError: an unknown version.
    """
    return TEXTS[version]


def agreed_paragraphs(
    version: str, *, operator: str, first_year: int, last_year: int
) -> tuple[str, str, str, str]:
    """(authorisation, grid-data consent, verifier consent, term) as signed."""
    text = text_of(version)
    return (
        text.authorisation.format(operator=operator, first_year=first_year, last_year=last_year),
        text.consent_grid_operator_data,
        text.consent_verifier_visit,
        text.term.format(last_year=last_year, next_year=last_year + 1),
    )


def form_paragraphs(operator: str, first_year: int) -> tuple[str, str, str, str]:
    """The current text as the signing form shows it, before the last year is chosen."""
    text = text_of(CURRENT_VERSION)
    return (
        text.authorisation.format(
            operator=operator, first_year=first_year, last_year="the year you choose"
        ),
        text.consent_grid_operator_data,
        text.consent_verifier_visit,
        text.term.format(last_year="of that year", next_year="the year after"),
    )
