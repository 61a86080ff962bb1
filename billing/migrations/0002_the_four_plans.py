"""The page's four plans. From here on they are data that staff edit in the admin."""

from django.db import migrations

PLANS = [
    # slug, name, daily limit, burst per minute, starting = monthly credits, price, position
    ("free", "Free Tier", 5, 5, 50, "$0 / month", 1),
    ("basic", "Basic Plan", 100, 30, 1_000, "$29 / month", 2),
    ("pro", "Pro Plan", 1_000, 120, 10_000, "$99 / month", 3),
    ("enterprise", "Enterprise", None, None, 100_000, "Contact us", 4),
]


def create_plans(apps, schema_editor):
    Tier = apps.get_model("billing", "Tier")
    for slug, name, daily, burst, credits, price, position in PLANS:
        Tier.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "daily_request_limit": daily,
                "burst_limit_per_minute": burst,
                "starting_credits": credits,
                "monthly_credits": credits,
                "display_price": price,
                "position": position,
            },
        )


def remove_plans(apps, schema_editor):
    apps.get_model("billing", "Tier").objects.filter(slug__in=[p[0] for p in PLANS]).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_plans, remove_plans)]
