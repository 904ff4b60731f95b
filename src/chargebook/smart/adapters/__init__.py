"""Adapters from chargers to the `SmartCharger` port (import them directly: each pulls in
its own external library)."""
