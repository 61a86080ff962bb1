"""Create (or reuse) an approved account and print a new API key as the last line."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from accounts.services import create_account
from billing.models import Tier


class Command(BaseCommand):
    help = "Create (or reuse) an approved API account and print a new API key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--tier", required=True, help="Plan slug: free, basic, pro, ...")
        parser.add_argument("--credits", type=int, help="Starting grant instead of the plan's.")
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        tier = Tier.objects.filter(slug=options["tier"]).first()
        if tier is None:
            slugs = ", ".join(Tier.objects.values_list("slug", flat=True))
            raise CommandError(f"No plan {options['tier']!r}; choose one of: {slugs}")
        if options["credits"] is not None and options["credits"] < 0:
            raise CommandError("--credits must be zero or more")
        existed = Account.objects.filter(email__iexact=options["email"]).exists()
        account, plaintext = create_account(
            email=options["email"], tier=tier, name=options["name"], credits=options["credits"]
        )
        if existed:
            self.stdout.write(
                f"Account {account.email} already exists, on {account.tier} with "
                f"{account.balance} credits; no credits granted. Its new API key (shown once):"
            )
        else:
            self.stdout.write(
                f"Account {account.email} created on {account.tier}, granted "
                f"{account.balance} credits. Its new API key (shown once):"
            )
        self.stdout.write(plaintext)
