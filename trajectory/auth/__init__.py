"""Accounts, roles, login, sessions and the access mechanism every view uses."""
