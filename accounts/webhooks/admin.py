"""Staff see webhook endpoints and every delivery with its attempts (read-only; never secrets)."""

from django.contrib import admin

from accounts.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from synthgen.admin import ReadOnly


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["url", "account", "is_enabled", "failing_since", "created_at"]
    list_filter = ["is_enabled"]
    list_select_related = ["account"]
    search_fields = ["url", "account__email"]
    fields = [
        "account",
        "url",
        "description",
        "events",
        "is_enabled",
        "disabled_reason",
        "failing_since",
        "created_at",
        "updated_at",
    ]


class WebhookAttemptInline(ReadOnly, admin.TabularInline):
    model = WebhookAttempt
    fields = ["number", "manual", "started_at", "duration_ms", "status_code", "error"]
    extra = 0


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempt_count", "created_at", "finished_at"]
    list_filter = ["status", "event__type", "created_at"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__id", "endpoint__url", "endpoint__account__email"]
    date_hierarchy = "created_at"
    fields = [
        "event",
        "endpoint",
        "status",
        "retrying",
        "attempt_count",
        "next_attempt_at",
        "created_at",
        "finished_at",
    ]
    inlines = [WebhookAttemptInline]
