"""Input validation for the public pages."""

import datetime as dt
from typing import Any, cast

from django import forms

from accounts.models import AccessRequest
from billing.models import Tier

DUPLICATE_MESSAGE = (
    "There is already a request for this email waiting for review. "
    "We will email you as soon as it is decided."
)


class AccessRequestForm(forms.Form):
    name = forms.CharField(max_length=100)
    email = forms.EmailField()
    company = forms.CharField(max_length=100, required=False)
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

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        pending = AccessRequest.objects.filter(
            email__iexact=email, status=AccessRequest.Status.PENDING
        )
        if pending.exists():
            raise forms.ValidationError(DUPLICATE_MESSAGE)
        return email

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
