"""Sealed secret ballots: the cryptography, and nothing else (no database, no Flask).

Each secret vote has a 32-byte secret that lives only in the memory of the server processes
(``keyring``). From it HKDF derives three keys, one per use:

- the **ballot key** (AES-256-GCM): a ballot is sealed as the bitmap of the options chosen plus
  the voter's receipt hash, so every ballot of a vote has the same length whatever it says (a
  variable length would tell "disagree" from "agree"); the vote's id is bound as associated data;
- the **id key** (HMAC-SHA256): a ballot's id is a keyed hash of its receipt, so a reused receipt
  is refused without storing the receipt next to anything, and once the secret is gone nobody can
  tell which published receipt was which row;
- the **command key** (HMAC-SHA256): the fingerprint of a ``cast_vote`` command kept in the
  command log (to refuse a client id reused with another payload) cannot be checked against
  guessed choices without it.

Another key, derived from the deployment's SECRET_KEY, wraps a vote's secret while it travels
between processes over Redis (``wrap``/``unwrap``), so a Redis client without SECRET_KEY learns
nothing and cannot plant a secret of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_BYTES = 32
NONCE_BYTES = 12
RECEIPT_BYTES = 32  # a receipt hash: SHA-256 of the voter's code


class BrokenSeal(Exception):
    """A sealed ballot that this secret does not open (wrong vote, wrong key, or tampered)."""


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def _derive(secret: bytes, purpose: str, length: int = 32) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=None, info=f"chibo {purpose}".encode()
    ).derive(secret)


def _aad(vote_id: int) -> bytes:
    return f"chibo ballot of vote {vote_id}".encode()


def _bitmap(options: Sequence[str], choices: Sequence[str]) -> bytes:
    bits = 0
    for index, key in enumerate(options):
        if key in choices:
            bits |= 1 << index
    return bits.to_bytes((len(options) + 7) // 8, "big")


def _choices(options: Sequence[str], bitmap: bytes) -> list[str]:
    bits = int.from_bytes(bitmap, "big")
    return [key for index, key in enumerate(options) if bits >> index & 1]


def seal(
    secret: bytes, vote_id: int, options: Sequence[str], choices: Sequence[str], receipt: str
) -> bytes:
    """nonce + AES-GCM(bitmap of choices + receipt hash): the same length for every ballot."""
    plain = _bitmap(options, choices) + bytes.fromhex(receipt)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(_derive(secret, "ballot")).encrypt(nonce, plain, _aad(vote_id))


def unseal(
    secret: bytes, vote_id: int, options: Sequence[str], sealed: bytes
) -> tuple[list[str], str]:
    """(choices in the options' order, receipt hash) of a sealed ballot."""
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        plain = AESGCM(_derive(secret, "ballot")).decrypt(nonce, body, _aad(vote_id))
    except InvalidTag:
        raise BrokenSeal(f"a ballot of vote {vote_id} does not open") from None
    return _choices(options, plain[:-RECEIPT_BYTES]), plain[-RECEIPT_BYTES:].hex()


def ballot_id(secret: bytes, vote_id: int, receipt: str) -> str:
    """A ballot's id: random-looking, the same for the same receipt in the same vote."""
    message = f"{vote_id}:{receipt}".encode()
    return hmac.new(_derive(secret, "ballot id"), message, hashlib.sha256).hexdigest()[:32]


def command_key(secret: bytes) -> bytes:
    """The key of a command's payload fingerprint, that only the holders of the secret know."""
    return _derive(secret, "command")


def _transport_key(deployment_secret: str) -> bytes:
    return _derive(deployment_secret.encode(), "ballot key transport")


def wrap(deployment_secret: str, label: str, secret: bytes) -> bytes:
    """A vote's secret sealed for the trip to another process of the same deployment."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(_transport_key(deployment_secret)).encrypt(nonce, secret, label.encode())


def unwrap(deployment_secret: str, label: str, wrapped: bytes) -> bytes:
    nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    try:
        return AESGCM(_transport_key(deployment_secret)).decrypt(nonce, body, label.encode())
    except InvalidTag:
        raise BrokenSeal(f"a wrapped key for {label} does not open") from None
