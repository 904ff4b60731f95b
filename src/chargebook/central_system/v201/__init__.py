"""OCPP 2.0.1 beside 1.6J on the same port: the charging station's connection
(`charge_point`), its messages as the book's facts (`readings`) and the commands it takes
(`commands`). The server picks this package's ChargePoint when the handshake negotiated the
subprotocol `ocpp2.0.1`."""

SUBPROTOCOL_201 = "ocpp2.0.1"
