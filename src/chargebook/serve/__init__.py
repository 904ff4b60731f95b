"""The `chargebook serve` process's background runtime, beside the web app.

- `scheduler`: the in-process scheduler thread (account sync + recorder jobs, account leases);
- `backfill`: a newly connected account's history backfill, with progress;
- `smart`: the smart-charging controllers of chargers with an active plan;
- `runtime`: the pieces as async context managers (scheduler, OCPP central system);
- `parts`: what the runtime runs on (`RuntimeParts`), handed over by a composition root.

It never imports `chargebook.web`: the web app's lifespan (`web.lifespan`) starts these pieces
and plugs them into the app, and its `WebContext` is the `RuntimeParts` it hands over.
"""
