"""Input validation for the public pages."""

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
