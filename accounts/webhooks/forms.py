"""Input validation for the portal's webhook pages."""

from django import forms
from django.conf import settings

from accounts.api import MAX_THRESHOLD
from accounts.webhooks.addresses import MAX_URL_LENGTH, url_problem
from accounts.webhooks.models import SUBSCRIBABLE, EventType


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=MAX_URL_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/webhooks/synthgen"}),
        help_text="Where we POST the signed events: https://, on a public address.",
    )
    description = forms.CharField(
        required=False, max_length=200, help_text="Optional: what receives them."
    )
    events = forms.MultipleChoiceField(
        choices=[(value, f"{value}: {EventType(value).label}") for value in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )
    enabled = forms.BooleanField(
        required=False, initial=True, help_text="A disabled endpoint is sent nothing."
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        problem = url_problem(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_URLS)
        if problem:
            raise forms.ValidationError(problem)
        return url


class ThresholdForm(forms.Form):
    low_credit_threshold = forms.IntegerField(
        label="Low-credit threshold",
        required=False,
        min_value=1,
        max_value=MAX_THRESHOLD,
        help_text="credits.low fires when a debit takes your balance below this. Empty: never.",
    )
