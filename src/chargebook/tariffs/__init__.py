"""The owner's own tariff: the application service every door calls (web, API, CLI, the
smart runtime) and the session costs it gives. Pure rules in `chargebook.domain.tariffs`."""
