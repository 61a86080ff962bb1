"""Accounts: access requests, approval, consumer accounts and API keys."""
