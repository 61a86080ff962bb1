"""Fail and refund the jobs a stopped embedded server left unfinished.

In the embedded default (no broker) jobs run on threads of the one web process, so when that
process stops, its unfinished jobs can never finish; `make run` calls this before serving.
Never run it beside real Celery workers: their jobs are alive.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from generators.jobs import fail_stalled_jobs

ERROR = "The server restarted before the job finished; undelivered credits were refunded"


class Command(BaseCommand):
    help = "Fail and refund unfinished jobs left by a stopped embedded (broker-less) server."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.REDIS_URL:
            raise CommandError("REDIS_URL is set: jobs run on Celery workers, leave them be.")
        failed = fail_stalled_jobs(stall_limit=dt.timedelta(0), error=ERROR)
        if failed:
            self.stdout.write(f"Refunded {failed} job(s) interrupted by the last shutdown.")
