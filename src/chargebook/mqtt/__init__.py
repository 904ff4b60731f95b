"""The MQTT bridge: chargebook's chargers and credits on an MQTT broker, with Home Assistant
discovery, and commands back through the one charger-control port.

- `config`: `CHARGEBOOK_MQTT_URL` and its companions, checked (the password never shown);
- `topics`: the topic names (`<prefix>/charger/<book id>/<key>`, `<prefix>/status`);
- `discovery`: Home Assistant's discovery messages per charger and per owner;
- `reads`: what the bridge publishes, read through the book's and ERE's services;
- `ports`: what the bridge needs from its composition root (live readings, commands);
- `commands`: an MQTT command's topic and payload, checked against the bridge's scope;
- `bridge`: the connection (aiomqtt), birth and last will, the publish loop, commands.

aiomqtt (over paho-mqtt) is imported here only. `serve.mqtt` runs the bridge; the web app's
lifespan plugs in its live readings and its command service (`web.mqtt_door`).
"""
