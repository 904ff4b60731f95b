"""The book: chargers, charging sessions, samples and sync cursors; their store (`SqlBook`),
repositories, bulk statements and reads."""
