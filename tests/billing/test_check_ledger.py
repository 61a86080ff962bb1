"""`manage.py check_ledger` finds any account whose balance is not its ledger sum."""

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Account
from tests.conftest import Consumer


def test_a_clean_ledger_passes(
    alice: Consumer, bob: Consumer, capsys: pytest.CaptureFixture
) -> None:
    alice.client.post(
        "/api/tickets/generate", {"productType": "saas", "ticketCount": 2}, format="json"
    )
    call_command("check_ledger")
    assert "Every balance matches its ledger." in capsys.readouterr().out


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
