"""The lost-chunk sweep: when each chunk was queued and last started, and an index of the jobs
still queued or running, which the sweeps read."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_sign_in_links_and_plan_changes"),
        ("generators", "0001_jobs_and_chunks"),
    ]

    operations = [
        migrations.AddField(
            model_name="jobchunk",
            name="queued_at",
            field=models.DateTimeField(
                blank=True, help_text="When its task was last handed to the broker.", null=True
            ),
        ),
        migrations.AddField(
            model_name="jobchunk",
            name="started_at",
            field=models.DateTimeField(
                blank=True, help_text="When a worker last began building it.", null=True
            ),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=["created_at"],
                name="job_unfinished",
            ),
        ),
    ]
