"""What both ends of an OCPP connection share: chargebook's central system (`central_system`)
and the simulated charge points (`simulator.ocpp`) import it, never each other.

Pure helpers over the `ocpp` library and logging: no database, no chargebook state.
"""
