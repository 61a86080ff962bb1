"""Billing's scheduled work, run by Celery beat: monthly credits, the idempotency purge and the
stranded-charge sweep."""

from celery import shared_task

from billing import idempotency, services


@shared_task
def grant_this_months_credits() -> int:
    """Grant this month's credits to every account still without them.

    Beat runs it daily: on the 1st it does the month's grants, and on any later day it
    catches up if beat was down on the 1st. The ledger's unique (account, month) constraint
    keeps a second run, or one on another worker at the same time, from granting twice.
    """
    return services.grant_all_monthly_credits()


@shared_task
def purge_idempotency_records() -> int:
    return idempotency.purge_expired_records()


@shared_task
def refund_stranded_charges() -> int:
    """Every minute: refund the charges of requests that never answered (their process died,
    or the database went away before the answer was written) and free their Idempotency-Keys."""
    return services.refund_stranded_charges()
