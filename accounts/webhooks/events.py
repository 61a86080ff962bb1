"""Where the other apps say that something a webhook reports has happened.

Each call only queues the event for when the caller's transaction commits (at once outside
one), so a rolled-back change sends nothing; and robustly, so a failure to record or queue
an event is logged and never fails the change that caused it (a debit's request, say).

The callers sit below accounts.webhooks.services, which builds payloads with the API's own views of
jobs, accounts and keys; so this module imports nothing at its top, and each call imports
the services when it is made.
"""

from django.db import transaction


def job_finished(*, job_id: object) -> None:
    """A job reached succeeded, failed or cancelled: `job.<its status>`."""
    from accounts.webhooks import services

    transaction.on_commit(lambda: services.emit_job_event(job_id=str(job_id)), robust=True)


def key_revoked(*, api_key_id: int) -> None:
    from accounts.webhooks import services

    transaction.on_commit(lambda: services.emit_key_revoked(api_key_id=api_key_id), robust=True)


def credits_low(*, account_id: int) -> None:
    """A debit took the balance from at or above the account's threshold to below it."""
    from accounts.webhooks import services

    transaction.on_commit(lambda: services.emit_credits_low(account_id=account_id), robust=True)
