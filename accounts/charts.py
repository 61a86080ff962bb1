"""The portal's usage chart: 30 days of requests and credits per day, drawn as SVG."""

import datetime as dt
from dataclasses import dataclass

from accounts.models import Account
from billing.models import DailyUsage

WIDTH, HEIGHT = 640, 170
LEFT, TOP, BOTTOM = 44, 12, 24
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - 6, HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Bar:
    day: dt.date
    value: int
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Series:
    name: str
    unit: str
    bars: list[Bar]
    ticks: list[Tick]
    total: int


@dataclass(frozen=True)
class UsageChart:
    days: list[dt.date]
    series: list[Series]
    bar_width: float
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    baseline: int = TOP + PLOT_HEIGHT

    @property
    def rows(self) -> list[tuple[dt.date, int, int]]:
        """Day, requests, credits: the same numbers as a table for screen readers."""
        requests, credits = self.series
        return [
            (bar.day, bar.value, credit.value)
            for bar, credit in zip(requests.bars, credits.bars, strict=True)
        ]


def _axis_top(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value`."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def _series(name: str, unit: str, days: list[dt.date], values: list[int]) -> Series:
    top = _axis_top(max(values, default=0) or 1)
    slot = PLOT_WIDTH / len(days)
    bars = []
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        height = PLOT_HEIGHT * value / top
        x = LEFT + index * slot + slot * 0.15
        bars.append(Bar(day, value, round(x, 1), round(TOP + PLOT_HEIGHT - height, 1), height))
    tick_values = [0, top // 2, top] if top % 2 == 0 else [0, top]
    ticks = [
        Tick(value, round(TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / top, 1))
        for value in tick_values
    ]
    return Series(name=name, unit=unit, bars=bars, ticks=ticks, total=sum(values))


def usage_chart(*, account: Account, today: dt.date, days: int = 30) -> UsageChart:
    first = today - dt.timedelta(days=days - 1)
    span = [first + dt.timedelta(days=offset) for offset in range(days)]
    usage = {row.day: row for row in DailyUsage.objects.filter(account=account, day__gte=first)}
    requests = [usage[day].requests if day in usage else 0 for day in span]
    credits = [usage[day].credits if day in usage else 0 for day in span]
    return UsageChart(
        days=span,
        series=[
            _series("Requests", "requests", span, requests),
            _series("Credits", "credits", span, credits),
        ],
        bar_width=round(PLOT_WIDTH / days * 0.7, 1),
    )
