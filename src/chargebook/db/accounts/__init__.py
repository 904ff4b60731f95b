"""Accounts and access: users, myWallbox accounts, the audit log, web sessions and tokens."""
