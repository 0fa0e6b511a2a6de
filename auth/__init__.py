"""Accounts: logging in and out, the language switch, sessions."""
