"""Charges in flight: a usage record is written with its debit and marked when answered, and an
idempotency claim names the request that holds it. Requests recorded before this were all
answered, so they are marked so; otherwise the first sweep would refund them."""

from django.db import migrations, models
from django.db.models import F


def mark_past_requests_answered(apps, schema_editor):
    UsageRecord = apps.get_model("billing", "UsageRecord")
    UsageRecord.objects.filter(answered_at=None).update(answered_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_sign_in_links_and_plan_changes"),
        ("billing", "0003_ledger_guards_and_usage_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="request_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="usagerecord",
            name="answered_at",
            field=models.DateTimeField(
                blank=True, help_text="Empty while the request is in flight.", null=True
            ),
        ),
        migrations.RunPython(mark_past_requests_answered, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="usagerecord",
            index=models.Index(
                condition=models.Q(("answered_at__isnull", True)),
                fields=["request_id"],
                name="usage_in_flight",
            ),
        ),
    ]
