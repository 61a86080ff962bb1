"""Two staff approving the same request at the same moment, on PostgreSQL."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection

from accounts.models import AccessRequest, Account, ApiKey, KeyRevealLink
from accounts.services import approve_access_request
from billing.models import CreditEntry, Tier
from tests.conftest import require_services


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_approvals_create_one_account_one_grant_one_key_and_one_email() -> None:
    require_services(postgres=True)
    User = get_user_model()
    staff = [
        User.objects.create_superuser(f"staff{n}", f"s{n}@synthgen.local", "x") for n in (1, 2)
    ]
    access_request = AccessRequest.objects.create(
        name="Dana",
        email="dana@example.com",
        use_case="Demo data for a dashboard.",
        requested_tier=Tier.objects.get(slug="basic"),
    )
    start = threading.Barrier(len(staff) * 4)
    errors: list[BaseException] = []

    def approve(user: object) -> None:
        try:
            start.wait()
            approve_access_request(access_request_id=access_request.pk, staff=user)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in staff * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Account.objects.count() == 1
    assert CreditEntry.objects.count() == 1
    assert ApiKey.objects.count() == 1
    assert KeyRevealLink.objects.count() == 1
    assert len(mail.outbox) == 1
    assert AccessRequest.objects.get().status == "approved"
