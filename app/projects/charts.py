"""Server-rendered bar charts: plain data that templates/projects/_chart.html draws as an inline
SVG (no JavaScript, no style attributes: the CSP forbids inline styles) and, beside it, as a
table with the same figures.

Every bar is labelled with its value in text, so colour never carries meaning alone; a target
is a dashed line with its own text. On public pages (`suppress=True`) a count of 1–4 is shown
as "< 5" everywhere (table, SVG text, descriptions) and drawn as a hatched marker of a fixed
width, never to scale, and the axis is scaled without it: no length, tick or percentage lets
anyone work the number out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from babel.numbers import format_compact_decimal, format_decimal
from flask_babel import gettext as _

from app.core.codelists import current_language
from app.core.money import format_money
from app.projects.indicators import suppress as suppress_figure

THRESHOLD = 5  # public counts below this (but above 0) are shown as "< 5"
MAX_SVG_BARS = 40  # the SVG shows at most this many bars; the table always lists all
MAX_LABEL = 28  # characters of a label shown in the SVG (the table has it whole)
MAX_DESC_ITEMS = 8

# SVG geometry, in user units of the viewBox (the SVG scales to its container's width).
WIDTH = 640
LABEL_WIDTH = 190
VALUE_WIDTH = 120
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_WIDTH = WIDTH - PLOT_LEFT - VALUE_WIDTH
ROW = 30
BAR = 18
TOP = 10
AXIS = 30
MARKER = 14  # the width of the marker of a suppressed figure (not to scale)


@dataclass(frozen=True)
class Row:
    """One bar's data: `value` None means no figure (shown as "–")."""

    label: str
    value: int | None
    target: int | None = None
    extras: tuple = ()  # further columns of the table (already formatted strings)
    key: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: int | None
    display: str  # for the table ("12 345", "< 5", "123,00 €")
    svg_display: str  # abbreviated for the SVG ("12,3 t.", "< 5")
    suppressed: bool
    width: float  # length in user units (0 for no data or a suppressed figure)
    target: int | None
    target_display: str
    svg_target: str
    target_x: float | None  # where the target line is drawn, in user units
    text_x: float  # where the value text starts: after the bar and after the target line
    share: str  # value / target as a percentage, "" when unknown or suppressed
    extras: tuple
    y: float
    key: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    target_heading: str
    extra_headings: tuple
    bars: list[Bar]
    svg_bars: list[Bar]
    ticks: list[Tick]
    has_targets: bool
    has_suppressed: bool
    empty: bool
    empty_text: str
    height: float
    plot_left: float = PLOT_LEFT
    plot_width: float = PLOT_WIDTH
    width: float = WIDTH
    bar_height: float = BAR
    marker_width: float = MARKER
    axis_y: float = 0
    notes: list[str] = field(default_factory=list)

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"

    @property
    def hatch_id(self) -> str:
        return f"{self.id}-hatch"


def _number(value: int) -> str:
    return format_decimal(value, format="#,##0", locale=current_language())


def abbreviate(value: int, money: bool = False) -> str:
    """A short text for the SVG: 999, "12,3 t.", "1 mrd."; money in cents as euros."""
    if money:
        euros = value // 100
        if abs(euros) < 10_000:
            return _number(euros) + "\u00a0€"
        return format_compact_decimal(euros, format_type="short", locale=current_language(),
                                      fraction_digits=1) + "\u00a0€"
    if abs(value) < 10_000:
        return _number(value)
    return format_compact_decimal(value, format_type="short", locale=current_language(),
                                  fraction_digits=1)


def _shorten(label: str) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1].rstrip() + "…"


def nice_step(maximum: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) that covers `maximum` in about `ticks`."""
    if maximum <= 0:
        return 1
    raw = -(-maximum // ticks)
    power = 1
    while power * 10 <= raw:
        power *= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # pragma: no cover


def _is_suppressed(value: int | None, suppress: bool) -> bool:
    return suppress and value is not None and 0 < value < THRESHOLD


def _display(value: int | None, suppress: bool, money: bool) -> str:
    if value is None:
        return "–"
    if suppress:
        return suppress_figure(value, THRESHOLD)
    return format_money(value) if money else _number(value)


def _percent(value: int | None, target: int | None) -> str:
    if value is None or not target or target <= 0:
        return ""
    return _number(value * 100 // target) + "\u00a0%"


def bar_chart(chart_id: str, title: str, rows: Iterable[Row], *, label_heading: str,
              value_heading: str, target_heading: str = "", extra_headings: Iterable = (),
              suppress: bool = False, money: bool = False, empty_text: str | None = None,
              description: str = "") -> Chart:
    """The chart of `rows` (one bar each, in the given order). `suppress` makes it public
    (counts of 1–4 as "< 5"); `money` reads values as cents."""
    rows = list(rows)
    has_targets = any(row.target is not None for row in rows)
    # The axis: the largest figure that may be shown to scale, and every target. A suppressed
    # figure only makes sure the axis reaches the threshold, as any figure of 1–4 would.
    scaled = [row.value for row in rows
              if row.value is not None and not _is_suppressed(row.value, suppress)]
    scaled += [row.target for row in rows if row.target is not None]
    if any(_is_suppressed(row.value, suppress) for row in rows):
        scaled.append(THRESHOLD)
    top = max([v for v in scaled if v > 0], default=0)
    step = nice_step(top)
    axis_max = step * max(1, -(-top // step))
    ticks = [Tick(x=round(PLOT_LEFT + PLOT_WIDTH * n * step / axis_max, 1),
                  label=abbreviate(n * step, money))
             for n in range(0, axis_max // step + 1)]

    bars = []
    for index, row in enumerate(rows):
        hidden = _is_suppressed(row.value, suppress)
        value = row.value if row.value is None else max(int(row.value), 0)
        width = 0.0 if (value is None or hidden) else round(PLOT_WIDTH * value / axis_max, 1)
        target_x = None
        if row.target is not None:
            target_x = round(PLOT_LEFT + PLOT_WIDTH * max(row.target, 0) / axis_max, 1)
        bars.append(Bar(
            # a suppressed figure is not kept at all, so that no template can print it
            label=str(row.label), short_label=_shorten(row.label),
            value=None if hidden else value,
            display=_display(value, suppress, money),
            svg_display=("–" if value is None else suppress_figure(value, THRESHOLD) if hidden
                         else abbreviate(value, money)),
            suppressed=hidden, width=width, target=row.target,
            target_display=_display(row.target, False, money) if row.target is not None else "",
            svg_target=abbreviate(row.target, money) if row.target is not None else "",
            target_x=target_x,
            text_x=round(max(PLOT_LEFT + (MARKER if hidden else width), target_x or 0) + 6, 1),
            share="" if hidden else _percent(value, row.target),
            extras=tuple(row.extras), y=TOP + (index % MAX_SVG_BARS) * ROW, key=row.key))

    svg_bars = bars[:MAX_SVG_BARS]
    empty = not rows or all(bar.value is None and not bar.suppressed for bar in bars)
    empty_text = empty_text or _("No figures yet.")
    height = TOP + max(len(svg_bars), 1) * ROW + AXIS
    notes = []
    if len(bars) > MAX_SVG_BARS:
        notes.append(_("The chart shows the first %(shown)s of %(total)s bars; the table lists "
                       "them all.", shown=MAX_SVG_BARS, total=len(bars)))
    return Chart(
        id=chart_id, title=str(title),
        description=description or _describe(bars, empty, empty_text, has_targets, suppress),
        label_heading=str(label_heading), value_heading=str(value_heading),
        target_heading=str(target_heading), extra_headings=tuple(str(h) for h in extra_headings),
        bars=bars, svg_bars=[] if empty else svg_bars, ticks=ticks, has_targets=has_targets,
        has_suppressed=any(bar.suppressed for bar in bars), empty=empty, empty_text=empty_text,
        height=height, axis_y=TOP + max(len(svg_bars), 1) * ROW, notes=notes)


def _describe(bars: list[Bar], empty: bool, empty_text: str, has_targets: bool,
              suppress: bool) -> str:
    """The SVG's <desc>: the figures in words (the first few; the table has every one)."""
    if empty:
        return empty_text
    parts = []
    for bar in bars[:MAX_DESC_ITEMS]:
        if bar.target is not None:
            parts.append(_("%(label)s: %(value)s of the target %(target)s", label=bar.label,
                           value=bar.display, target=bar.target_display))
        else:
            parts.append(f"{bar.label}: {bar.display}")
    text = _("Bar chart.") + " " + "; ".join(parts) + "."
    if len(bars) > MAX_DESC_ITEMS:
        text += " " + _("And %(n)s more; the table beside the chart lists every figure.",
                        n=len(bars) - MAX_DESC_ITEMS)
    if suppress and any(bar.suppressed for bar in bars):
        text += " " + _("Figures of 1–4 are shown as “< 5” and drawn as a hatched marker, "
                        "not to scale.")
    return text
