"""Webhooks and notifications: the application service behind `/api/v1/webhooks` and the
notification settings, and the dispatcher that delivers the event outbox afterwards."""
