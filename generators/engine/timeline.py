"""Maps seeded fractions onto the caller's time window, so text never depends on the window."""

import math
import time
from datetime import datetime


def window_bounds(window: tuple[datetime, datetime]) -> tuple[int, int]:
    """The first and last whole second inside ``window`` (start, end), as epoch seconds."""
    start, end = window
    first = math.ceil(start.timestamp())
    last = math.floor(end.timestamp())
    # A window narrower than a second holds no whole second; fall back to its start.
    return first, max(first, last)


def moment(fraction: float, *, bounds: tuple[int, int]) -> int:
    """The epoch second a fraction in [0, 1) lands on inside ``bounds``."""
    first, last = bounds
    return first + int(fraction * (last - first + 1))


def iso(epoch: int) -> str:
    """ISO 8601 UTC with whole seconds and a ``Z``, e.g. ``2024-01-15T10:30:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
