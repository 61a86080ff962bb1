"""Billing: plans (tiers), the credit ledger, daily limits and usage records."""
