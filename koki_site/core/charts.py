"""Charts drawn on the server as SVG: bars of counts per day (or week), with no script and no style.

Stacked bars add up the series (page views by language); side by side (`stacked=False`) compare
them (subscriptions and unsubscriptions). Shared by the statistics and the newsletter pages.

Colours and sizes are SVG presentation attributes, which the Content-Security-Policy allows (a
style attribute it would not). Every label goes through markupsafe.escape, as a str. A `Chart`
also gives its numbers as rows, for the table that screen-reader users read instead of the picture.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date, format_number, gettext
from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 32, 44, 56  # room for the y ticks, the last day label, the legend, the x ticks
MAX_DAY_LABELS = 8
MAX_BAR_WIDTH = 48
INK, MUTED, GRID = "#1c2629", "#4d5b60", "#c9d6d9"
# Okabe-Ito colours, told apart with colour-blindness; each has at least 3:1 against white.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#0b5d6b", "#7a4f9a")


@dataclass(frozen=True)
class Series:
    """One kind of count: its key, its label as shown, its fill colour."""

    key: str
    label: str
    colour: str


@dataclass
class Chart:
    """Counts per day and series (`counts[key]` has one number per day, in the order of `days`)."""

    id: str
    title: str
    description: str
    y_label: str
    days: list[date]
    series: list[Series]
    counts: dict[str, list[int]]
    x_label: str = ""  # the axis under the bars: "Day" unless told
    stacked: bool = True

    def rows(self):
        """(day, [count of each series], total) for each day: the numbers of the table."""
        for i, day in enumerate(self.days):
            counts = [self.counts[s.key][i] for s in self.series]
            yield day, counts, sum(counts)

    def totals(self):
        """The total of each series over all days, in the order of `series`."""
        return [sum(self.counts[s.key]) for s in self.series]

    def svg(self):
        return stacked_bars(self)


def ticks(top, most=5):
    """Round ticks from 0 up to at least top, at most `most` steps of 1, 2 or 5 times a power of 10."""
    if top <= 0:
        return [0, 1]  # an empty chart still has a scale
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * magnitude
            if step * most >= top:
                return list(range(0, -(-top // step) * step + 1, step))
        magnitude *= 10


def day_labels(days, most=MAX_DAY_LABELS):
    """The indexes of the days that get a tick label: every k-th day, counted back from the last."""
    every = max(1, -(-len(days) // most))
    return set(range(len(days) - 1, -1, -every))


def stacked_bars(chart):
    """The chart as an accessible SVG image: one bar per day, one segment per series."""
    n = len(chart.days)
    heights = [total if chart.stacked else max(counts, default=0) for _day, counts, total in chart.rows()]
    scale = ticks(max(heights, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(n, 1)
    bar = min(max(slot * 0.7, 1), MAX_BAR_WIDTH)

    def y(value):
        return TOP + plot_h - value * plot_h / scale[-1]

    cid = text(chart.id)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{cid}-title {cid}-desc"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" class="chart" id="{cid}"'
        f' font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{cid}-title">{text(chart.title)}</title>',
        f'<desc id="{cid}-desc">{text(chart.description)}</desc>',
    ]
    for value in scale:
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"'
            f' stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{y(value) + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{text(format_number(value))}</text>"
        )
    width = bar if chart.stacked else bar / max(len(chart.series), 1)
    for i, (day, counts, _total) in enumerate(chart.rows()):
        x = LEFT + i * slot + (slot - bar) / 2
        base = 0
        for j, (series, count) in enumerate(zip(chart.series, counts, strict=True)):
            tip = gettext("%(series)s, %(day)s: %(count)s", series=series.label, day=label(day), count=count)
            left = x if chart.stacked else x + j * width
            out.append(
                f'<rect class="bar" data-series="{text(series.key)}" data-day="{day.isoformat()}"'
                f' x="{left:.1f}" y="{y(base + count):.1f}" width="{width:.1f}"'
                f' height="{y(base) - y(base + count):.1f}" fill="{text(series.colour)}"'
                f' stroke="#ffffff" stroke-width="0.5"><title>{text(tip)}</title></rect>'
            )
            base += count if chart.stacked else 0
    for i in sorted(day_labels(chart.days)):
        out.append(
            f'<text x="{LEFT + (i + 0.5) * slot:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle"'
            f' fill="{MUTED}">{text(label(chart.days[i]))}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="{INK}"/>'
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" fill="{INK}">'
        f"{text(chart.x_label or gettext('Day'))}</text>"
        f'<text transform="rotate(-90)" x="{-(TOP + plot_h / 2):.1f}" y="16" text-anchor="middle"'
        f' fill="{INK}">{text(chart.y_label)}</text>'
    )
    out.extend(legend(chart.series))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every dynamic part above is escaped)


def legend(series):
    """A swatch and a label per series, in one row above the plot."""
    x = LEFT
    for s in series:
        yield (
            f'<rect x="{x}" y="14" width="12" height="12" fill="{text(s.colour)}"/>'
            f'<text x="{x + 18}" y="24" fill="{INK}">{text(s.label)}</text>'
        )
        x += 36 + 7 * len(s.label)  # system-ui at 12 px: about 7 px a character


def text(value):
    """Escaped text; str() first, as a lazy translation would pass through escape() unescaped."""
    return escape(str(value))


def label(day):
    """A day as the ticks show it, in the page's language: "3 Mar", "3 mars"."""
    return format_date(day, "d MMM")
