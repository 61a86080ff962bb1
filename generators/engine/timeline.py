"""When: the epoch second a draw lands on in a window, and the timestamp the API writes for it.

The same results as ``v1.timeline``'s ``moment`` and ``iso``, which every version keeps,
compiled with the newest version's stages: ``iso`` writes each day's date once and the time
of day from tables, where ``time.strftime`` would run for every entry, ticket and message.
"""

import time
from functools import lru_cache
from typing import Final


def moment(fraction: float, *, bounds: tuple[int, int]) -> int:
    """The epoch second a fraction in [0, 1) lands on inside ``bounds``."""
    first, last = bounds
    return first + int(fraction * (last - first + 1))


def iso(epoch: int) -> str:
    """ISO 8601 UTC with whole seconds and a ``Z``, e.g. ``2024-01-15T10:30:00Z``."""
    days, seconds = divmod(epoch, 86400)
    minute, second = divmod(seconds, 60)
    return _day(days) + _MINUTES[minute] + _SECONDS[second]


# Every minute of a day ("13:07:") and every second of a minute ("09Z"), written once.
_MINUTES: Final = tuple(f"{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60))
_SECONDS: Final = tuple(f"{second:02d}Z" for second in range(60))


@lru_cache(maxsize=4096)
def _day(days: int) -> str:
    return time.strftime("%Y-%m-%dT", time.gmtime(days * 86400))
