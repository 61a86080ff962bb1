"""Staff see bulk jobs (read-only): what was asked, what it cost, how far it got."""

from django.contrib import admin

from generators.models import Job
from synthgen.admin import ReadOnly


@admin.register(Job)
class JobAdmin(ReadOnly, admin.ModelAdmin):
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
