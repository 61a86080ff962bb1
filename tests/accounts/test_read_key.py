"""A request's key is read with its account and plan in one query, exactly as the ORM reads it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiKey
from accounts.services import authenticate_key, read_key
from tests.conftest import Consumer

pytestmark = pytest.mark.django_db


def orm_key(lookup_id: str) -> ApiKey | None:
    return ApiKey.objects.select_related("account__tier").filter(lookup_id=lookup_id).first()


def field_values(instance: object) -> list[tuple[str, object, type]]:
    fields = type(instance)._meta.concrete_fields  # type: ignore[attr-defined]
    return [(f.attname, getattr(instance, f.attname), type(getattr(instance, f.attname)))
            for f in fields]  # fmt: skip


def test_the_key_its_account_and_its_plan_are_what_the_orm_reads(alice: Consumer) -> None:
    api_key = alice.account.api_keys.get()
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key.pk).update(
        last_used_at=now, expires_at=now + dt.timedelta(days=1)
    )
    expected = orm_key(api_key.lookup_id)
    with CaptureQueriesContext(connection) as queries:
        found = read_key(api_key.lookup_id)
    assert len(queries) == 1
    assert expected is not None and found is not None
    assert field_values(found) == field_values(expected)
    assert field_values(found.account) == field_values(expected.account)
    assert field_values(found.account.tier) == field_values(expected.account.tier)
    assert found.expires_at is not None and found.expires_at.tzinfo is not None
    with CaptureQueriesContext(connection) as queries:
        assert found.account.tier.slug == expected.account.tier.slug
    assert len(queries) == 0


def test_an_unknown_lookup_id_reads_nothing(alice: Consumer) -> None:
    assert read_key("000000000000") is None


def test_a_revoked_key_read_this_way_is_refused(alice: Consumer) -> None:
    ApiKey.objects.filter(account=alice.account).update(revoked_at=timezone.now())
    assert authenticate_key(alice.key) is None
