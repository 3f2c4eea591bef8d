"""Turnover concentrated in the bank: monthly reports, concentration analytics, imports, API."""
