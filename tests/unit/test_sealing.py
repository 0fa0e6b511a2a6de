"""Sealed ballots (meetings.voting.sealing): what a sealed ballot hides, and what it needs to open."""

from __future__ import annotations

import hashlib
import secrets

import pytest

from meetings.voting import sealing

OPTIONS = [f"c{i}" for i in range(1, 13)]


def receipt() -> str:
    return hashlib.sha256(secrets.token_bytes(10)).hexdigest()


@pytest.mark.parametrize(
    "choices", [[], ["c1"], ["c12"], ["c1", "c2", "c3"], OPTIONS[:], ["c5", "c11"]]
)
def test_a_sealed_ballot_opens_to_its_choices_and_receipt(choices):
    secret, code = sealing.new_secret(), receipt()
    sealed = sealing.seal(secret, 7, OPTIONS, choices, code)
    assert sealing.unseal(secret, 7, OPTIONS, sealed) == (choices, code)


def test_every_ballot_of_a_vote_has_the_same_length_whatever_it_says():
    secret = sealing.new_secret()
    lengths = {
        len(sealing.seal(secret, 7, OPTIONS, choices, receipt()))
        for choices in ([], ["c1"], ["c12"], OPTIONS[:6], OPTIONS[:])
    }
    assert len(lengths) == 1
    motion = ["agree", "disagree", "abstain"]
    assert len({len(sealing.seal(secret, 7, motion, [c], receipt())) for c in motion}) == 1


def test_the_same_ballot_sealed_twice_looks_different():
    secret, code = sealing.new_secret(), receipt()
    assert sealing.seal(secret, 7, OPTIONS, ["c1"], code) != sealing.seal(
        secret, 7, OPTIONS, ["c1"], code
    )


@pytest.mark.parametrize("what", ["key", "vote", "tampered"])
def test_a_sealed_ballot_does_not_open_with_anything_else(what):
    secret = sealing.new_secret()
    sealed = sealing.seal(secret, 7, OPTIONS, ["c3"], receipt())
    key, vote = secret, 7
    if what == "key":
        key = sealing.new_secret()
    elif what == "vote":
        vote = 8  # a ballot moved to another vote
    else:
        sealed = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(sealing.BrokenSeal):
        sealing.unseal(key, vote, OPTIONS, sealed)


def test_ballot_ids_are_keyed_hashes_of_the_receipt():
    secret, code = sealing.new_secret(), receipt()
    assert sealing.ballot_id(secret, 7, code) == sealing.ballot_id(secret, 7, code)
    assert sealing.ballot_id(secret, 7, code) != sealing.ballot_id(secret, 7, receipt())
    # Without the secret, a published receipt says nothing about which row was its ballot.
    assert sealing.ballot_id(sealing.new_secret(), 7, code) != sealing.ballot_id(secret, 7, code)
    assert len(sealing.ballot_id(secret, 7, code)) == 32


def test_a_wrapped_key_opens_only_with_the_deployments_secret_and_its_label():
    secret = sealing.new_secret()
    wrapped = sealing.wrap("deployment", "chibo:ballot-keys:7", secret)
    assert secret not in wrapped
    assert sealing.unwrap("deployment", "chibo:ballot-keys:7", wrapped) == secret
    with pytest.raises(sealing.BrokenSeal):
        sealing.unwrap("another deployment", "chibo:ballot-keys:7", wrapped)
    with pytest.raises(sealing.BrokenSeal):
        sealing.unwrap("deployment", "chibo:ballot-keys:8", wrapped)
