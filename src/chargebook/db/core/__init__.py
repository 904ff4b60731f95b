"""Infrastructure of the book's database: engine, `Database`, migrations, column types, the
declarative base, DDL and DML helpers shared by every feature."""
