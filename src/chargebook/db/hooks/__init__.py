"""Webhooks and notifications storage: the event outbox, endpoints, deliveries and their
attempts, owners' notification settings. Imports only `db.core` (foreign keys by name)."""
