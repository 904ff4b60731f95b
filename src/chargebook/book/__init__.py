"""The book's application service: chargers, sessions, totals, energy per month and the
sessions' export files, as one viewer may see them. Every door (web pages, the REST API, the
CLI, the demo) asks here; none composes these answers itself. See `README.md`."""
