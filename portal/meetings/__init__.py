"""Meetings: series, sessions, group meetings, minutes, commitments, sign-off."""
