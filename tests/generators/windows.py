"""A fixed time window shared by the engine tests."""

from datetime import UTC, datetime

WINDOW = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 31, 23, 59, 59, tzinfo=UTC))
