"""Check-in rounds and responses (the check-ins issue)."""
