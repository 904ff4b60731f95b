"""Chaos and soak harness (issue 8): a Wallbox fleet with faults, killable workers, OCPP charge
points that drop and reconnect; at the end the book must equal what the simulators have.

    .venv/bin/python -m bench.soak --accounts 1000 --workers 3 --minutes 10 \\
        --kill-every 20 --ocpp-chargers 20          (or: make soak)

See `bench.soak.run` for the phases and `bench.soak.checks` for what is checked.
"""
