"""How often a login may be tried, and how an administrator lifts a lock.

Three limits (Flask-Limiter; counted in Redis when several processes run):
- per account *and* address: 5 a minute — a guesser at one address is slowed at once, and
  cannot lock the real user out from elsewhere;
- per address: 20 a minute — one address trying many accounts;
- per account from anywhere: 30 an hour — a guesser spread over many addresses. This one can
  lock the real user out too; an administrator lifts it with
  `flask --app app unlock-login USERNAME` (`unlock`), which clears every login counter of that
  account (docs/security.md).
"""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address
from limits import parse

from core.extensions import limiter

PER_ACCOUNT_AND_ADDRESS = "5 per minute"
PER_ADDRESS = "20 per minute"
PER_ACCOUNT = "30 per hour"
ENDPOINT = "auth.login"


def typed_username() -> str:
    return (request.form.get("username") or "").strip().lower()[:64]


def account_key() -> str:
    return f"login-account:{typed_username()}"


def account_and_address_key() -> str:
    return f"login-pair:{typed_username()}:{get_remote_address()}"


def unlock(username: str, addresses: tuple[str, ...] = ()) -> None:
    """Clear the account's limit (and its pairs with the given addresses)."""
    username = username.strip().lower()[:64]
    keys = [(f"login-account:{username}", PER_ACCOUNT)]
    keys += [(f"login-pair:{username}:{a}", PER_ACCOUNT_AND_ADDRESS) for a in addresses]
    prefix = [limiter._key_prefix] if limiter._key_prefix else []
    for key, limit in keys:
        limiter.limiter.clear(parse(limit), *prefix, key, ENDPOINT)
