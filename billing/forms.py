"""Staff forms for the account admin's credit and plan actions."""

from typing import Any

from django import forms

from billing.models import CreditEntry, Tier


class CreditMovementForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (CreditEntry.Kind.GRANT, "Grant (adds credits)"),
            (CreditEntry.Kind.ADJUSTMENT, "Adjustment (a correction, up or down)"),
        ]
    )
    amount = forms.IntegerField(help_text="Credits; an adjustment may be negative.")
    reason = forms.CharField(max_length=200, help_text="Shown in the ledger.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        amount = cleaned.get("amount")
        if amount == 0:
            self.add_error("amount", "Must move the balance.")
        elif amount is not None and amount < 0 and cleaned.get("kind") == CreditEntry.Kind.GRANT:
            self.add_error("amount", "A grant must be positive; use an adjustment to take back.")
        return cleaned


class TierChangeForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=Tier.objects.all(), label="New plan")
