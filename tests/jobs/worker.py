"""`celery -A synthgen worker` for the tests, with a visibility timeout of seconds, not an hour.

With acks_late, a task whose worker died is redelivered once it has been unacknowledged for
the visibility timeout; a low one (and a frequent sweep for such tasks) lets a test see that
happen in seconds. Run as `python -m tests.jobs.worker [celery worker options]`.
"""

import sys

from synthgen.celery import app

VISIBILITY_TIMEOUT = 4


def main(argv: list[str]) -> None:
    app.conf.broker_transport_options = {
        "visibility_timeout": VISIBILITY_TIMEOUT,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    app.worker_main(["worker", "--loglevel=WARNING", "--without-gossip", "--without-mingle", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
