"""Pieces every area shares: model mixins, errors, audit log, sanitiser, outbox, pagination."""
