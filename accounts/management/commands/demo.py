"""The first time: a demo staff user and a demo API account. Every time: how to use them.

The credentials are kept in var/demo-credentials.txt (git-ignored, readable only by you), so
`make run` can show them again; the database itself holds only the key's hash.
"""

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.services import create_account
from billing.models import Tier

DEMO_EMAIL = "demo@synthgen.local"
STAFF_USERNAME = "staff"


class Command(BaseCommand):
    help = "Create the demo staff user and API account once, then print how to use them."

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.VAR_DIR / "demo-credentials.txt"
        User = get_user_model()
        if not User.objects.filter(username=STAFF_USERNAME).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(STAFF_USERNAME, "staff@synthgen.local", password)
            _, key = create_account(
                email=DEMO_EMAIL, tier=Tier.objects.get(slug="basic"), name="Demo account"
            )
            settings.VAR_DIR.mkdir(exist_ok=True)
            path.write_text(
                f"Admin:    {settings.SITE_URL}/admin/\n"
                f"Staff:    {STAFF_USERNAME} / {password}\n"
                f"API key:  {key}   (demo account {DEMO_EMAIL}, Basic plan)\n"
            )
            os.chmod(path, 0o600)
        if path.exists():
            self.stdout.write("\n" + path.read_text())
        else:
            self.stdout.write(
                f"The demo users exist but {path} is gone: create a key with\n"
                f"  .venv/bin/python manage.py create_account --email {DEMO_EMAIL}"
                " --tier basic\n"
            )
