"""Critiques, proposals and product requests: submitted, answered on time, escalated, endorsed."""
