"""What the apps' admins share: read-only rows, and the confirmation page of actions."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse


def confirmation_page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    action: str,
    title: str,
    form: forms.Form,
    submit_label: str,
    describe: Callable[[Any], str],
) -> TemplateResponse:
    """The selected objects, each as `describe` says, the action's form and its button."""
    context = {
        **admin.site.each_context(request),
        "title": title,
        "action": action,
        "items": [(item.pk, describe(item)) for item in queryset],
        "form": form,
        "submit_label": submit_label,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": queryset.model._meta,
    }
    return TemplateResponse(request, "admin/action_confirmation.html", context)


class ReadOnly:
    """For rows written only by services: staff may look, never add, change or delete.
    Mix into a ModelAdmin or an inline, before it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
