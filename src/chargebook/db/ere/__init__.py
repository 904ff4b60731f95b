"""ERE in the book: connections, mandates, metering constructs, batches, statements, payouts;
the eligibility SQL and the store `chargebook.ere_book` works through."""
