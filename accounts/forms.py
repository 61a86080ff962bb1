"""Input validation for the public pages."""

import datetime as dt
import unicodedata
from typing import Any, cast

from django import forms

from billing.models import Tier


def single_line(value: str) -> None:
    """Names go into email subjects and layouts: one line, no control characters."""
    if any(unicodedata.category(character) in ("Cc", "Zl", "Zp") for character in value):
        raise forms.ValidationError("Use one line of text, without control characters.")


class AccessRequestForm(forms.Form):
    name = forms.CharField(max_length=100, validators=[single_line])
    email = forms.EmailField()
    company = forms.CharField(max_length=100, required=False, validators=[single_line])
    use_case = forms.CharField(
        label="Use case",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What will you build with synthetic customer data? A sentence or two.",
    )
    plan = forms.ModelChoiceField(
        queryset=Tier.objects.all(),
        to_field_name="slug",
        empty_label=None,
        label="Requested plan",
    )
    # A honeypot: hidden from people by CSS, filled in by bots that fill in everything.
    website = forms.CharField(required=False, label="Leave this field empty")

    def clean_use_case(self) -> str:
        use_case = " ".join(self.cleaned_data["use_case"].split())
        if len(use_case) < 20 or len(use_case.split()) < 4:
            raise forms.ValidationError(
                "Tell us a little more: at least a full sentence about what you will build."
            )
        return use_case

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown to the applicant in the rejection email.",
    )


class ApproveForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=Tier.objects.all(), empty_label=None, label="Plan")


class SignInForm(forms.Form):
    email = forms.EmailField(help_text="The address your SynthGen account was approved for.")


class CreateKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        validators=[single_line],
        initial="New key",
        help_text="Where the key will live, e.g. “staging server” or “CI”.",
    )


GRACE_PERIODS = {
    "0": ("Revoke it now", 0),
    "1h": ("In 1 hour", 1),
    "24h": ("In 24 hours", 24),
    "7d": ("In 7 days", 7 * 24),
}


class RotateKeyForm(forms.Form):
    grace = forms.ChoiceField(
        label="Retire the old key",
        choices=[(value, label) for value, (label, _) in GRACE_PERIODS.items()],
        initial="24h",
        widget=forms.RadioSelect,
        help_text="Long enough to deploy the new key everywhere the old one is used.",
    )

    @property
    def grace_period(self) -> dt.timedelta:
        return dt.timedelta(hours=GRACE_PERIODS[self.cleaned_data["grace"]][1])


class PlanChangeForm(forms.Form):
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.none(), empty_label=None, label="New plan", to_field_name="slug"
    )
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Anything we should know? (optional)",
    )

    def __init__(self, *args: Any, current: Tier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tier = cast(forms.ModelChoiceField, self.fields["tier"])  # this form's copy of `tier`
        tier.queryset = Tier.objects.exclude(pk=current.pk)
