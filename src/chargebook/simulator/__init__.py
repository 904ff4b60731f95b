"""Faithful simulators of the systems chargebook talks to (Wallbox Cloud, OCPP charge points).

They exist for tests, benchmarks and `chargebook demo`; nothing in production imports them.
"""
