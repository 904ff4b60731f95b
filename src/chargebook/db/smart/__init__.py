"""Smart charging in the book: the price cache, repeating plans and savings."""
