"""`manage.py check_ledger` finds any account whose balance is not its ledger sum, and any
charge left stranded by a request that never answered."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Account
from billing import services
from billing.models import UsageRecord
from tests.conftest import Consumer


def test_a_clean_ledger_passes(
    alice: Consumer, bob: Consumer, capsys: pytest.CaptureFixture
) -> None:
    alice.client.post(
        "/api/tickets/generate", {"productType": "saas", "ticketCount": 2}, format="json"
    )
    call_command("check_ledger")
    assert "Every balance matches its ledger, and no charge is stranded." in capsys.readouterr().out


def test_a_drift_made_by_hand_is_caught_and_exits_non_zero(
    alice: Consumer, bob: Consumer, capsys: pytest.CaptureFixture
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Account._meta.db_table} SET balance = balance + 7 WHERE id = %s",
            [bob.account.pk],
        )
    with pytest.raises(SystemExit) as exit_:
        call_command("check_ledger")
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "bob@example.com" in err
    assert "balance 1007, ledger sum 1000, drift +7" in err
    assert "alice@example.com" not in err


def test_a_charge_that_never_answered_is_reported_as_stranded_until_the_sweep_refunds_it(
    bob: Consumer, capsys: pytest.CaptureFixture
) -> None:
    services.charge_request(account=bob.account, credits=3, endpoint="tickets", request_id="lost")
    call_command("check_ledger")  # in flight, not yet stranded
    capsys.readouterr()
    long_ago = timezone.now() - services.answer_timeout() - dt.timedelta(seconds=1)
    UsageRecord.objects.filter(request_id="lost").update(created_at=long_ago)

    with pytest.raises(SystemExit) as exit_:
        call_command("check_ledger")

    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "bob@example.com" in err
    assert "3 credits of tickets request lost stranded" in err
    assert "1 charge(s) stranded" in err
    assert "drifted" not in err
    assert services.refund_stranded_charges() == 1
    call_command("check_ledger")
    assert "no charge is stranded" in capsys.readouterr().out
