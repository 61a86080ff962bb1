"""Verify that every account's balance equals the sum of its ledger entries."""

import sys
from typing import Any

from django.core.management.base import BaseCommand

from billing.services import ledger_drift


class Command(BaseCommand):
    help = "Check balance == sum of ledger entries for every account; exit 1 on any drift."

    def handle(self, *args: Any, **options: Any) -> None:
        drifted = ledger_drift()
        for account, balance, total in drifted:
            self.stderr.write(
                f"{account.email} (id {account.pk}): balance {balance}, ledger sum {total}, "
                f"drift {balance - total:+d}"
            )
        if drifted:
            self.stderr.write(self.style.ERROR(f"{len(drifted)} account(s) drifted."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("Every balance matches its ledger."))
