"""Staff tools for plans and the ledger: plans are editable, ledger rows are read-only."""

from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from billing.models import CreditEntry, DailyUsage, Tier, UsageRecord

RECENT_ENTRIES = 20


class RecentEntriesFormSet(BaseInlineFormSet):
    def get_queryset(self) -> QuerySet:
        # Sliced only here, after the formset has filtered by account.
        return super().get_queryset()[:RECENT_ENTRIES]


class RecentCreditEntriesInline(admin.TabularInline):
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

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Accounts point at their plan; a plan leaves only by moving its accounts first.
        return super().has_delete_permission(request, obj) and not (
            isinstance(obj, Tier) and obj.accounts.exists()
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services: staff may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnlyAdmin):
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
class DailyUsageAdmin(ReadOnlyAdmin):
    list_display = ["day", "account", "requests", "credits"]
    list_filter = ["day"]
    search_fields = ["account__email"]
    list_select_related = ["account"]


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdmin):
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
