"""Wire models: the Wallbox Cloud's JSON exactly as sent, with aliases, and their conversion to
domain objects. Nothing here leaves the `chargebook.wallbox` package."""
