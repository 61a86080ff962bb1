"""How a job is cut into chunks: every batch once and in order, the last ones small so the
workers finish together, and the chunks' credits adding up to the job's price."""

from generators import jobs
from generators.models import Job

FEEDBACK = {"productType": "web_app", "sentimentMix": "mixed", "complexityLevel": "medium"}


def sizes(count: int) -> list[int]:
    job = Job(kind=Job.Kind.FEEDBACK, count=count, params=FEEDBACK)
    return [chunk.batch_count for chunk in jobs._plan_chunks(job)]


def test_a_large_job_ends_in_chunks_a_quarter_the_size_of_the_others() -> None:
    assert sizes(100_000) == [100] * 18 + [25] * 8


def test_a_job_too_small_to_split_keeps_one_batch_per_chunk() -> None:
    assert sizes(50) == [1]
    assert sizes(730) == [1] * 15


def test_the_chunks_cover_every_batch_once_in_order_and_cost_the_job_s_price() -> None:
    for count in (1, 849, 10_000, 20_050, 100_000):
        job = Job(kind=Job.Kind.FEEDBACK, count=count, params=FEEDBACK)
        chunks = jobs._plan_chunks(job)
        covered = [
            b
            for chunk in chunks
            for b in range(chunk.first_batch, chunk.first_batch + chunk.batch_count)
        ]
        assert covered == list(range(jobs.batch_count(kind=job.kind, count=count)))
        assert sum(chunk.entries for chunk in chunks) == count
        assert sum(chunk.credits for chunk in chunks) == jobs.price_of(
            kind=job.kind, count=count, params=FEEDBACK
        )
