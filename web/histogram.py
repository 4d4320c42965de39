"""The date histogram of a results page: bars per month (or per year over long spans), as data
for the server-rendered SVG in results.html. Each bar links to the search narrowed to its period.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.request import SearchRequest
from search.results import DateHistogram
from web.formatting import SHORT_MONTHS, month_label, plural, search_url

MAX_MONTH_BARS = 24  # longer spans are shown per year
WIDTH = 600  # SVG user units; the image scales to its box
HEIGHT = 64
GAP = 2


@dataclass
class Bar:
    period: str  # YYYY-MM or YYYY
    label: str  # "marzo 2024" / "2024"
    tick: str  # shown under the bar: every year, or the first month and each January
    count: int
    url: str
    x: float
    y: float
    width: float
    height: float

    @property
    def title(self) -> str:
        return f"{self.label}: {plural(self.count, 'articolo', 'articoli')}"


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def periods(histogram: DateHistogram) -> list[tuple[str, int]]:
    """(period, count) for every month from the first to the last, or every year if too many."""
    if not histogram.months:
        return []
    counts = {m.value: m.count for m in histogram.months}
    months = _months_between(histogram.months[0].value, histogram.months[-1].value)
    if len(months) <= MAX_MONTH_BARS:
        return [(m, counts.get(m, 0)) for m in months]
    years = {y.value: y.count for y in histogram.years()}
    first, last = int(min(years)), int(max(years))
    return [(str(y), years.get(str(y), 0)) for y in range(first, last + 1)]


def histogram_bars(histogram: DateHistogram | None, req: SearchRequest) -> list[Bar]:
    """The bars to draw (empty when no match has a date)."""
    if histogram is None:
        return []
    spans = periods(histogram)
    if not spans:
        return []
    tallest = max(count for _, count in spans) or 1
    step = WIDTH / len(spans)
    bars = []
    for i, (period, count) in enumerate(spans):
        height = round(HEIGHT * count / tallest, 1) if count else 0
        if len(period) == 4:
            tick = period
        elif i == 0 or period.endswith("-01"):
            tick = f"{SHORT_MONTHS[int(period[5:]) - 1]} {period[:4]}"
        else:
            tick = ""
        bars.append(
            Bar(
                period=period,
                label=month_label(period),
                tick=tick,
                count=count,
                url=search_url(req, date_from=period, date_to=period),
                x=round(i * step + GAP / 2, 1),
                y=round(HEIGHT - height, 1),
                width=round(max(step - GAP, 1), 1),
                height=height,
            )
        )
    return bars
