"""OCPP in the book: charge point registrations, transactions and raw frames, and the store
the central system writes through."""
