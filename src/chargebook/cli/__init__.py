"""The `chargebook` command line."""
