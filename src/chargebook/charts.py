"""PNG and SVG charts of the book with matplotlib (Agg, no display): one session's power and
energy over time, and energy per month.

Figures are built with the object API (`matplotlib.figure.Figure`), never pyplot, so there is
no global state and no GUI backend; the file format follows the path's suffix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: never open a display

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from chargebook.domain.book import SessionSample
from chargebook.domain.plausibility import is_shown
from chargebook.domain.stored import BookSession, MonthlyEnergy
from chargebook.errors import ChargebookError

FORMATS = {".png": "png", ".svg": "svg"}
POWER_COLOUR = "#1f77b4"
ENERGY_COLOUR = "#2ca02c"
BAR_COLOUR = "#2a9d8f"


class ChartError(ChargebookError):
    """A chart cannot be drawn: unknown file type, or a session without start or end."""


def render_session_chart(
    samples: Sequence[SessionSample],
    session: BookSession,
    path: Path,
    *,
    time_zone: str = "Europe/Amsterdam",
) -> Path:
    """Draw power (kW, left axis) and session energy (kWh, right axis) over local time.

    Without samples the chart shows what the session itself proves: its average power
    (energy / duration) as a flat line and energy rising linearly, and the title says so.

    Raises:
        ChartError: the suffix is not .png or .svg, or the session has no start or end.
    """
    file_format = _format(path)
    if session.started_at is None or session.ended_at is None:
        raise ChartError(f"session {session.id} has no start or end time to chart")
    if not (is_shown(session.started_at) and is_shown(session.ended_at)):
        return _unknown(session, path, file_format)
    samples = [s for s in samples if _drawable(s)]
    zone = ZoneInfo(time_zone)
    energy_kwh = session.energy_kwh if session.energy_kwh is not None else Decimal(0)
    figure = Figure(figsize=(10, 5.2), dpi=110, layout="constrained")
    power_axis = figure.add_subplot()
    energy_axis = power_axis.twinx()

    if samples:
        times = _to_axis([sample.observed_at for sample in samples])
        power = [sample.power_kw for sample in samples]
        energy = [sample.energy_kwh for sample in samples]
        power_axis.fill_between(times, power, step="post", color=POWER_COLOUR, alpha=0.18)
        power_axis.step(times, power, where="post", color=POWER_COLOUR, lw=1.6, label="Power")
        energy_axis.plot(times, energy, color=ENERGY_COLOUR, lw=2.2, label="Energy")
        note = f"{len(samples)} samples"
    else:
        hours = (session.ended_at - session.started_at).total_seconds() / 3600
        average_kw = float(energy_kwh) / hours if hours > 0 else 0.0
        span = _to_axis([session.started_at, session.ended_at])
        power_axis.fill_between(span, [average_kw] * 2, color=POWER_COLOUR, alpha=0.12)
        power_axis.plot(
            span, [average_kw] * 2, color=POWER_COLOUR, lw=1.6, ls="--", label="Average power"
        )
        energy_axis.plot(
            span, [0, float(energy_kwh)], color=ENERGY_COLOUR, lw=2.2, ls="--", label="Energy"
        )
        note = f"no samples: average power {average_kw:.2f} kW from start, end and energy"

    for edge in _to_axis([session.started_at, session.ended_at]):
        power_axis.axvline(edge, color="#888888", lw=0.8, ls=":")
    power_axis.set_ylabel("Power (kW)", color=POWER_COLOUR)
    energy_axis.set_ylabel("Energy (kWh)", color=ENERGY_COLOUR)
    # Headroom above the highest value keeps the legend clear of the curves.
    power_axis.set_ylim(0, max(power_axis.get_ylim()[1], 0.5) * 1.2)
    energy_axis.set_ylim(0, max(energy_axis.get_ylim()[1], 0.5) * 1.2)
    power_axis.grid(True, alpha=0.3)
    power_axis.xaxis.set_major_locator(mdates.AutoDateLocator(tz=zone))  # type: ignore[no-untyped-call]
    power_axis.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=zone))  # type: ignore[no-untyped-call]
    local_start = session.started_at.astimezone(zone)
    power_axis.set_xlabel(f"Local time ({time_zone})")
    handles = power_axis.get_legend_handles_labels()[0] + energy_axis.get_legend_handles_labels()[0]
    power_axis.legend(handles=handles, loc="upper left", ncols=2, frameon=False)
    figure.suptitle(
        f"Session {session.id} · {local_start:%a %d %b %Y %H:%M} · "
        f"{energy_kwh.normalize():f} kWh in {_duration(session.ended_at - session.started_at)}",
        fontsize=13,
    )
    power_axis.set_title(note, fontsize=9, color="#555555")
    return _save(figure, path, file_format)


def render_monthly_chart(
    rows: Sequence[MonthlyEnergy], path: Path, *, title: str = "Energy charged per month"
) -> Path:
    """Draw one bar per month (kWh), labelled with its energy; empty input draws an empty
    chart that says so.

    Raises:
        ChartError: the suffix is not .png or .svg.
    """
    file_format = _format(path)
    figure = Figure(figsize=(max(6.0, 0.7 * len(rows) + 3), 4.8), dpi=110, layout="constrained")
    axis = figure.add_subplot()
    labels = [f"{row.month:%b %Y}" for row in rows]
    values = [float(row.energy_kwh) for row in rows]
    bars = axis.bar(labels, values, color=BAR_COLOUR)
    axis.bar_label(bars, labels=[f"{value:.1f}" for value in values], padding=2, fontsize=8)
    axis.set_ylabel("Energy (kWh)")
    axis.margins(y=0.12)  # room for the label of the highest bar
    axis.yaxis.set_major_locator(MaxNLocator(integer=False))
    axis.grid(True, axis="y", alpha=0.3)
    axis.set_axisbelow(True)
    if len(labels) > 8:
        axis.tick_params(axis="x", labelrotation=45)
    total = sum((row.energy_kwh for row in rows), Decimal(0))
    sessions = sum(row.session_count for row in rows)
    subtitle = f"{total:.1f} kWh in {sessions} sessions" if rows else "no sessions in the book"
    figure.suptitle(f"{title} · {subtitle}", fontsize=13)
    return _save(figure, path, file_format)


def _drawable(sample: SessionSample) -> bool:
    # A book may hold readings stored before the edge refused them: skip, never fail.
    finite = math.isfinite(sample.power_kw) and math.isfinite(sample.energy_kwh)
    return finite and is_shown(sample.observed_at)


def _unknown(session: BookSession, path: Path, file_format: str) -> Path:
    """A chart that says why there is none: the session's times cannot be real."""
    figure = Figure(figsize=(10, 5.2), dpi=110, layout="constrained")
    figure.text(
        0.5,
        0.5,
        f"Session {session.id}: its start or end time is not plausible, so it has no chart",
        ha="center",
        va="center",
        fontsize=12,
    )
    return _save(figure, path, file_format)


def _to_axis(moments: Sequence[datetime]) -> list[float]:
    # Matplotlib's date axis unit (days since its epoch); aware datetimes keep their instant.
    return [float(value) for value in mdates.date2num(moments)]  # type: ignore[no-untyped-call]


def _format(path: Path) -> str:
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise ChartError(f"cannot write {path.name}: use a .png or .svg file name")
    return file_format


def _save(figure: Figure, path: Path, file_format: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # No creation date in the file: the same book renders to the same bytes.
    metadata = {"Date": None} if file_format == "svg" else {"Software": "chargebook"}
    # SVG text stays text (searchable, selectable) instead of outlines.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(path, format=file_format, metadata=metadata)
    return path


def _duration(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
