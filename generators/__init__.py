"""The text engine: seeded, pure-Python generators of feedback, tickets and interviews."""
