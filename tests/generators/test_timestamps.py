"""Every timestamp lies inside the caller's window, in whole UTC seconds."""

from datetime import UTC, datetime, timedelta

from generators.engine.v1.catalog import PRODUCT_TYPES
from generators.engine.v1.feedback import generate_feedback
from generators.engine.v1.interviews import generate_interview
from generators.engine.v1.tickets import generate_tickets


def parse(stamp: str) -> datetime:
    assert stamp.endswith("Z")
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_feedback_timestamps_fall_inside_the_window() -> None:
    start = datetime(2024, 2, 1, 12, 0, 0, 500000, tzinfo=UTC)
    end = start + timedelta(hours=3)
    for seed in range(20):
        entries = generate_feedback(
            product_type="travel",
            sentiment_mix="balanced",
            count=50,
            complexity="simple",
            seed=seed,
            window=(start, end),
        )
        for entry in entries:
            assert start <= parse(entry["timestamp"]) <= end


def test_ticket_threads_follow_the_ticket_and_stay_inside_the_window() -> None:
    end = datetime(2024, 6, 1, tzinfo=UTC)
    start = end - timedelta(minutes=30)
    for product_type in PRODUCT_TYPES:
        for ticket in generate_tickets(product_type=product_type, count=50, complexity="complex",
                                       seed=3, window=(start, end)):  # fmt: skip
            created = parse(ticket["createdAt"])
            assert start <= created <= end
            sent = [parse(message["sentAt"]) for message in ticket["thread"]]
            assert sent == sorted(sent) and created <= sent[0] and sent[-1] <= end


def test_an_interview_is_dated_inside_the_window() -> None:
    end = datetime(2023, 1, 1, tzinfo=UTC)
    start = end - timedelta(days=1)
    interview = generate_interview(product_type="gaming", question_count=3,
                                   interview_type="usability", complexity="simple", seed=9,
                                   window=(start, end))  # fmt: skip
    assert start <= parse(interview["conductedAt"]) <= end


def test_the_newest_engine_writes_its_times_as_1_0_0_did() -> None:
    # Its own, compiled ``timeline`` must keep every stamp 1.0.0's strftime wrote: midnights,
    # the last second of a day, leap days, before 1970 and far ahead.
    from generators.engine import timeline
    from generators.engine.v1 import timeline as v1_timeline

    epochs = [0, -1, 59, 60, 86_399, 86_400, 951_782_400, 1_709_164_799, 1_709_251_199]
    epochs += [-2_208_988_800, 4_102_444_800, 253_402_300_799]
    epochs += range(1_704_067_200 - 90_000, 1_704_067_200 + 90_000, 997)
    for epoch in epochs:
        assert timeline.iso(epoch) == v1_timeline.iso(epoch), epoch
    bounds = (1_704_067_200, 1_711_843_199)
    for step in range(1000):
        fraction = step / 1000 + 0.000_37
        assert timeline.moment(fraction, bounds=bounds) == v1_timeline.moment(
            fraction, bounds=bounds
        )
