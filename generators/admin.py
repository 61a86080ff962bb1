"""Staff see bulk jobs (read-only): what was asked, what it cost, how far it got."""

from django.contrib import admin
from django.http import HttpRequest

from generators.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "account",
        "kind",
        "count",
        "format",
        "status",
        "entries_done",
        "price",
        "refunded",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "kind", "format", "created_at"]
    search_fields = ["id", "account__email"]
    list_select_related = ["account"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
