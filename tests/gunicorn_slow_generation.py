"""gunicorn settings for tests only: every feedback generation first sleeps
SLOW_GENERATION_SECONDS, so a test can act while a request is mid-generation, after its
charge (kill its worker, cut its database).

A test-only hook: it lives in tests/ and takes effect only through
`gunicorn --config tests/gunicorn_slow_generation.py`; nothing in the app reads it, so
production cannot switch it on by accident.
"""

import os
import time
from typing import Any


def post_worker_init(worker: Any) -> None:
    from generators import engine

    seconds = float(os.environ["SLOW_GENERATION_SECONDS"])
    generate = engine.generate_feedback

    def slow_generate_feedback(**params: Any) -> list[dict]:
        time.sleep(seconds)
        return generate(**params)

    engine.generate_feedback = slow_generate_feedback
