"""`python -m chargebook` runs the CLI."""

from chargebook.cli.app import main

main()
