"""Branches: the registry, staff training, service deliveries and entrustment contracts."""
