"""`chargebook ere ...`: ERE credits for the operator (registered in cli/app.py)."""

from __future__ import annotations

import typer

from chargebook.cli.ere_batches import batch_app, eligibility
from chargebook.cli.ere_credits import credits
from chargebook.cli.ere_metering import followups_app, metering_app
from chargebook.cli.ere_money import payouts_app, sap_import, statements
from chargebook.cli.ere_payouts import payout_account_app
from chargebook.cli.ere_setup import connection_app, mandate_app, price_app
from chargebook.cli.ere_year_end import mandate_pdf_command, year_end_command

ere_app = typer.Typer(
    name="ere",
    help="ERE credits: metering, eligibility, batches, statements, payouts.",
    no_args_is_help=True,
)
ere_app.add_typer(connection_app, name="connection")
ere_app.add_typer(mandate_app, name="mandate")
ere_app.add_typer(price_app, name="price")
ere_app.add_typer(metering_app, name="metering")
ere_app.add_typer(followups_app, name="followups")
ere_app.add_typer(batch_app, name="batch")
ere_app.add_typer(payouts_app, name="payouts")
ere_app.add_typer(payout_account_app, name="payout-account")
ere_app.command("eligibility")(eligibility)
ere_app.command("credits")(credits)
ere_app.command("statements")(statements)
ere_app.command("sap-import")(sap_import)
ere_app.command("year-end")(year_end_command)
mandate_app.command("pdf")(mandate_pdf_command)
