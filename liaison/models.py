"""Victim liaison records (built under issue 4)."""
