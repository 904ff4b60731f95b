"""Mandates (machtigingen): per EAN, whole calendar years, the consents the scheme requires,
and one service provider per EAN per calendar year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from chargebook.domain.ere import Mandate
from chargebook.ere.ean import is_valid_ean
from chargebook.ere.exceptions import MandateConflictError


class MandateProblem(StrEnum):
    """Why a mandate is not valid; each value reads as a sentence fragment."""

    INVALID_EAN = "invalid_ean"
    YEARS_REVERSED = "years_reversed"
    NO_GRID_OPERATOR_CONSENT = "no_grid_operator_consent"
    NO_VERIFIER_CONSENT = "no_verifier_consent"
    NOT_SIGNED = "not_signed"
    SIGNED_AFTER_LAST_YEAR = "signed_after_last_year"


MANDATE_PROBLEM_MESSAGES: dict[MandateProblem, str] = {
    MandateProblem.INVALID_EAN: "the EAN is not a valid Dutch connection EAN",
    MandateProblem.YEARS_REVERSED: "the last year is before the first year",
    MandateProblem.NO_GRID_OPERATOR_CONSENT: (
        "no consent for the NEa to request connection data from the grid operator"
    ),
    MandateProblem.NO_VERIFIER_CONSENT: "no consent for a verifier visit to the charging location",
    MandateProblem.NOT_SIGNED: "no signature name",
    MandateProblem.SIGNED_AFTER_LAST_YEAR: "signed after the last year it covers",
}


def mandate_problems(mandate: Mandate) -> tuple[MandateProblem, ...]:
    """Everything that makes `mandate` invalid, in a fixed order; empty when it is valid."""
    problems: list[MandateProblem] = []
    if not is_valid_ean(mandate.ean):
        problems.append(MandateProblem.INVALID_EAN)
    if mandate.last_year < mandate.first_year:
        problems.append(MandateProblem.YEARS_REVERSED)
    if not mandate.consent_grid_operator_data:
        problems.append(MandateProblem.NO_GRID_OPERATOR_CONSENT)
    if not mandate.consent_verifier_visit:
        problems.append(MandateProblem.NO_VERIFIER_CONSENT)
    if not mandate.signed_by_name.strip():
        problems.append(MandateProblem.NOT_SIGNED)
    if mandate.signed_on.year > mandate.last_year:
        problems.append(MandateProblem.SIGNED_AFTER_LAST_YEAR)
    return tuple(problems)


@dataclass(frozen=True, slots=True)
class ProviderConflict:
    """One EAN and year claimed by more than one service provider."""

    ean: str
    year: int
    provider_ids: tuple[str, ...]


def find_provider_conflicts(mandates: Iterable[Mandate]) -> list[ProviderConflict]:
    """Every (EAN, year) that more than one service provider holds a mandate for.

    Returns:
        Conflicts sorted by EAN and year, provider ids sorted; empty when the list is clean.
    """
    providers: dict[tuple[str, int], set[str]] = defaultdict(set)
    for mandate in mandates:
        for year in range(mandate.first_year, mandate.last_year + 1):
            providers[(mandate.ean, year)].add(mandate.service_provider_id)
    return [
        ProviderConflict(ean, year, tuple(sorted(ids)))
        for (ean, year), ids in sorted(providers.items())
        if len(ids) > 1
    ]


def check_single_provider(mandates: Iterable[Mandate]) -> None:
    """Raise on the first (EAN, year) held by two service providers.

    Raises:
        MandateConflictError: names the EAN, the year and the providers.
    """
    conflicts = find_provider_conflicts(mandates)
    if conflicts:
        first = conflicts[0]
        raise MandateConflictError(first.ean, first.year, first.provider_ids)


def mandate_for_year(
    mandates: Sequence[Mandate], year: int, *, service_provider_id: str | None = None
) -> Mandate | None:
    """The valid mandate covering `year` (for our provider when given), else the first covering
    one even if invalid (so the caller can say why), else None."""
    covering = [
        m
        for m in mandates
        if m.covers_year(year)
        and (service_provider_id is None or m.service_provider_id == service_provider_id)
    ]
    for mandate in covering:
        if not mandate_problems(mandate):
            return mandate
    return covering[0] if covering else None


def covered_through(
    mandates: Iterable[Mandate], year: int, *, service_provider_id: str | None = None
) -> int | None:
    """The last year of the unbroken run of years from `year` on that mandates (of one
    provider when given) cover, or None when `year` itself is not covered.

    A mandate ends at its last year's end and is never renewed by itself (§2.6): the year after
    this one needs a new signature."""
    years = {
        y
        for m in mandates
        if service_provider_id is None or m.service_provider_id == service_provider_id
        for y in range(m.first_year, m.last_year + 1)
    }
    if year not in years:
        return None
    while year + 1 in years:
        year += 1
    return year
