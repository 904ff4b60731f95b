"""The demos' composition roots: the product wired to its simulators.

The product (`web`, `central_system`, `serve`, ...) never imports a simulator, and the
simulators never import the product; only this package (and the CLI's `demo` and `simulator`
commands) put the two together:

- `demo.ocpp`: the demo OCPP charger (a simulated charge point charging once through the
  central system), used by `chargebook demo` and the served web demo;
- `demo.web`: the web app on a demo world (the Wallbox simulator, demo logins, the owner's
  account connected); `uvicorn --factory chargebook.demo.web:demo_app`;
- `demo.web_ocpp`: the web demo's OCPP charger, plugged into the app's charger commands.
- `demo.ere_year`: the demo owner's ERE year seeded through the ERE service, stage by stage
  (connection, metering, mandate, price, batch, evidence, statement, payout).
"""
