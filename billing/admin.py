"""Staff tools for plans and the ledger: plans are editable, ledger rows are read-only."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from accounts import key_cache
from billing.models import CreditEntry, DailyUsage, Tier, UsageRecord
from synthgen.admin import ReadOnly

RECENT_ENTRIES = 20


class RecentEntriesFormSet(BaseInlineFormSet):
    def get_queryset(self) -> QuerySet:
        # Sliced only here, after the formset has filtered by account.
        return super().get_queryset()[:RECENT_ENTRIES]


class RecentCreditEntriesInline(ReadOnly, admin.TabularInline):
    """The account's latest ledger rows, read-only: entries come only from services."""

    model = CreditEntry
    formset = RecentEntriesFormSet
    fk_name = "account"
    fields = readonly_fields = (
        "created_at",
        "amount",
        "kind",
        "balance_after",
        "reason",
        "endpoint",
        "staff",
    )
    extra = 0
    can_delete = False
    verbose_name_plural = f"recent credit entries (latest {RECENT_ENTRIES})"


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "daily_request_limit",
        "burst_limit_per_minute",
        "starting_credits",
        "monthly_credits",
        "display_price",
        "position",
    ]
    list_editable = [
        "daily_request_limit",
        "burst_limit_per_minute",
        "starting_credits",
        "monthly_credits",
        "display_price",
        "position",
    ]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request: HttpRequest, obj: Tier, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Its accounts' cached keys carry the plan's old limits.
        key_cache.forget_account_keys(account_ids=obj.accounts.values_list("pk", flat=True))

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Accounts point at their plan; a plan leaves only by moving its accounts first.
        return super().has_delete_permission(request, obj) and not (
            isinstance(obj, Tier) and obj.accounts.exists()
        )


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "account",
        "amount",
        "kind",
        "balance_after",
        "reason",
        "endpoint",
        "staff",
    ]
    list_filter = ["kind", "created_at"]
    search_fields = ["account__email", "reason", "request_id"]
    date_hierarchy = "created_at"
    list_select_related = ["account", "staff"]


@admin.register(DailyUsage)
class DailyUsageAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["day", "account", "requests", "credits"]
    list_filter = ["day"]
    search_fields = ["account__email"]
    list_select_related = ["account"]


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "account",
        "endpoint",
        "units",
        "credits",
        "status",
        "duration_ms",
    ]
    list_filter = ["endpoint", "status"]
    search_fields = ["account__email", "request_id"]
    date_hierarchy = "created_at"
    list_select_related = ["account"]
