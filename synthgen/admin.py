"""The intermediate page that admin actions needing a confirmation or input share."""

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
