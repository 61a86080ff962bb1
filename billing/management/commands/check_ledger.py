"""Verify that every account's balance equals the sum of its ledger entries, and that no charge
is stranded (a request debited long ago that never answered and was never refunded)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from billing.services import answer_timeout, ledger_drift, stranded_charges


class Command(BaseCommand):
    help = (
        "Check balance == sum of ledger entries for every account, and that no charge is "
        "stranded; exit 1 on either."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        drifted = ledger_drift()
        for account, balance, total in drifted:
            self.stderr.write(
                f"{account.email} (id {account.pk}): balance {balance}, ledger sum {total}, "
                f"drift {balance - total:+d}"
            )
        now = timezone.now()
        stranded = list(stranded_charges(now=now).select_related("account"))
        for record in stranded:
            age = round((now - record.created_at).total_seconds())
            self.stderr.write(
                f"{record.account.email} (id {record.account_id}): {record.credits} credits of "
                f"{record.endpoint} request {record.request_id} stranded, charged {age} s ago "
                "and never answered"
            )
        if drifted:
            self.stderr.write(self.style.ERROR(f"{len(drifted)} account(s) drifted."))
        if stranded:
            seconds = int(answer_timeout().total_seconds())
            self.stderr.write(
                self.style.ERROR(
                    f"{len(stranded)} charge(s) stranded for over {seconds} s; the "
                    "refund_stranded_charges sweep (beat, every minute) gives them back."
                )
            )
        if drifted or stranded:
            sys.exit(1)
        self.stdout.write(
            self.style.SUCCESS("Every balance matches its ledger, and no charge is stranded.")
        )
