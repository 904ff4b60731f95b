"""The FastAPI app: pages, the REST API (api/), templates and static files; thin doors that
parse, call a service and render."""
