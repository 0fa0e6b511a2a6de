"""Running a command: the one way state changes.

Meeting commands: Socket.IO handlers and the HTTP command route call `dispatch` (the wire: only
commands registered with `wire=True`); the server's own forms call `run`. Each command locks the
meeting by bumping its version (first statement of the transaction, so SQLite takes its write
lock and PostgreSQL its row lock before anything is read), replays an earlier result when the
client's command id was seen already, checks the caller's right, validates the payload, changes
state, records itself in the command log, commits, and only then broadcasts with the new version.

Organisation commands (a cell's or a committee's settings, scheduling a new meeting: no meeting
to lock yet) take the same steps without the lock and the broadcast: `run_org`. Site commands
(accounts, the committee tree: no one organisation's) take them too, with the site's roles:
`run_site`.
Changes the server makes on its own (`system_change`) are locked, logged with no actor, and
broadcast like a command.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import ModuleType
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import and_, or_, select, update
from sqlalchemy import event as orm_event
from sqlalchemy.exc import IntegrityError, OperationalError

from auth.models import User
from core import broadcast, safe_input
from core.extensions import db
from meetings import group_commit
from meetings.changes import check as check_changes
from meetings.changes import coalesce as coalesce_changes
from meetings.errors import CommandError, Forbidden, Invalid, NotFound, Unavailable
from meetings.models import CommandLog, Meeting
from meetings.permissions import (
    MEETING_PERMISSIONS,
    ORG_PERMISSIONS,
    SITE_PERMISSIONS,
    RoleFacts,
    allowed,
    meeting_roles,
    organization_roles,
    site_roles,
)
from org.models import Organization

log = logging.getLogger(__name__)

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

# The command being run, if any: `meetings.write_guard` refuses a request's commit outside one.
_RUNNING: ContextVar[str | None] = ContextVar("chibo_command", default=None)


def running() -> str | None:
    """The name of the command (or system change) this request is running, else None."""
    return _RUNNING.get()


@contextmanager
def _running(name: str) -> Iterator[None]:
    token = _RUNNING.set(name)
    try:
        yield
    finally:
        _RUNNING.reset(token)


class Payload(BaseModel):
    """Base of every command payload: unknown fields are refused, text is stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


class Empty(Payload):
    pass


@dataclass
class Context:
    actor: User
    meeting: Meeting
    roles: frozenset[str]


@dataclass
class OrgContext:
    actor: User
    organization: Organization
    roles: frozenset[str]


@dataclass
class SiteContext:
    actor: User
    roles: frozenset[str]


@dataclass
class Effect:
    """What a command did: changes to broadcast, a result for the caller, audit details."""

    changes: list[dict] = field(default_factory=list)
    result: dict = field(default_factory=dict)
    audit: dict = field(default_factory=dict)
    private: list[tuple[int, str, dict]] = field(default_factory=list)  # (user_id, event, payload)
    unchanged: bool = False  # the command found nothing to do: no version, log row or broadcast
    # An organisation command that created a meeting names it (its log row joins that meeting's).
    meeting_id: int | None = None
    # What must happen only once the change is committed, before any broadcast: closing a
    # member's sockets so they rejoin with their new roles, forgetting a counted vote's key.
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # Organisation and site commands: handed to the caller with the result, never written to
    # the log (a generated password, shown once and stored nowhere).
    shown_once: dict = field(default_factory=dict)

    @classmethod
    def nothing(cls, result: dict) -> Effect:
        """A command that changes nothing (lowering a hand that is not raised) answers ok with
        the current version; a flood of them costs no write, no log row and no broadcast."""
        return cls(result=result, unchanged=True)


@dataclass(frozen=True)
class Command:
    """A meeting command (handler of a `Context`) or an organisation command (an `OrgContext`)."""

    name: str
    permission: str
    payload: type[Payload]
    handler: Callable[[Context, Payload], Effect] | Callable[[OrgContext, Payload], Effect]
    wire: bool = True  # reachable by name from a socket or the HTTP command route
    # Why a caller without the permission is refused (None: just no). Asked with the meeting's
    # context before the payload is read.
    refusal: Callable[[Context], CommandError | None] | None = None
    # A secret to key the payload's fingerprint with (None: a plain hash will do). A secret
    # ballot's payload must not be kept as a plain hash: its choices could be guessed back.
    fingerprint_secret: Callable[[dict], bytes | None] | None = None
    # Run with the meeting's other grouped commands that arrive together: one transaction, one
    # version, one broadcast (meetings/group_commit.py). For commands members send all at once.
    grouped: bool = False


REGISTRY: dict[str, Command] = {}
ORG_REGISTRY: dict[str, Command] = {}  # never on the wire: the server's pages run them
SITE_REGISTRY: dict[str, Command] = {}  # the same, for accounts and the committee tree

# Told after a change to a meeting is committed and broadcast (notifications listen here):
# fn(name, meeting_id, actor_id, details). A listener's failure is logged, never the caller's.
AFTER_COMMIT: list[Callable[[str, int, int | None, dict], None]] = []


def after_commit(fn):
    AFTER_COMMIT.append(fn)
    return fn


def expect_listeners(*modules: ModuleType) -> None:
    """Like `expect_features`, for the modules that listen after commits."""
    registered = {fn.__module__ for fn in AFTER_COMMIT}
    missing = [m.__name__ for m in modules if m.__name__ not in registered]
    if missing:
        raise RuntimeError(f"no after-commit listener registered by {', '.join(missing)}")


def committed(name: str, meeting_id: int, actor_id: int | None, details: dict) -> None:
    """Tell the listeners that `name` changed the meeting (call only after the commit)."""
    for listener in AFTER_COMMIT:
        try:
            listener(name, meeting_id, actor_id, details)
        except Exception:
            db.session.rollback()
            log.exception("after-commit listener %s failed for %s", listener.__name__, name)


def command(
    name: str,
    permission: str,
    payload: type[Payload] = Empty,
    *,
    wire: bool = True,
    refusal: Callable[[Context], CommandError | None] | None = None,
    fingerprint_secret: Callable[[dict], bytes | None] | None = None,
    grouped: bool = False,
):
    """Register a meeting command under a name, guarded by a permission of the table.
    `wire=False`: only the server's own pages run it (`run`), e.g. when the payload is a file.
    `grouped=True`: run together with those arriving at the same moment (see `Command.grouped`)."""
    if permission not in MEETING_PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def register(handler):
        REGISTRY[name] = Command(
            name, permission, payload, handler, wire, refusal, fingerprint_secret, grouped
        )
        return handler

    return register


def _off_the_wire(registry: dict, table: dict, name: str, permission: str, payload):
    """Register a command the server's pages run (never the wire), under a permission of `table`."""
    if permission not in table:
        raise KeyError(f"unknown permission {permission!r}")

    def register(handler):
        registry[name] = Command(name, permission, payload, handler, wire=False)
        return handler

    return register


def org_command(name: str, permission: str, payload: type[Payload] = Empty):
    """Register an organisation command (a cell's or a committee's), guarded by ORG_PERMISSIONS."""
    return _off_the_wire(ORG_REGISTRY, ORG_PERMISSIONS, name, permission, payload)


def site_command(name: str, permission: str, payload: type[Payload] = Empty):
    """Register a site command (accounts, the committee tree), guarded by SITE_PERMISSIONS."""
    return _off_the_wire(SITE_REGISTRY, SITE_PERMISSIONS, name, permission, payload)


def registered() -> list[Command]:
    """Every command of the three registries."""
    return [*REGISTRY.values(), *ORG_REGISTRY.values(), *SITE_REGISTRY.values()]


def expect_features(*modules: ModuleType) -> None:
    """The app names the modules whose `@command` handlers make up the room; a module that
    registered nothing (renamed, emptied) fails at start rather than at the first click."""
    modules_seen = {cmd.handler.__module__ for cmd in registered()}
    missing = [m.__name__ for m in modules if m.__name__ not in modules_seen]
    if missing:
        raise RuntimeError(f"no commands registered by {', '.join(missing)}")


def screen_payload(raw) -> dict:
    """The payload's shape, checked before anything is locked: an object of sane values.
    (File contents, which only the server's own pages pass, are left to the command.)"""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise Invalid(field="payload")
    reason = safe_input.problem({k: v for k, v in raw.items() if not isinstance(v, bytes)})
    if reason:
        raise Invalid(field="payload", reason=reason)
    return safe_input.without_invisible(raw)


def parse_payload(cmd: Command, raw: dict) -> Payload:
    """The command's own model: types, ranges, no unknown fields (after the caller's right)."""
    try:
        return cmd.payload.model_validate(raw)
    except ValidationError as exc:
        fields = [".".join(str(p) for p in err["loc"]) or "payload" for err in exc.errors()]
        raise Invalid(fields=fields) from None


CID_REUSED = _l("This command id was already used for another command.")
PLAIN, KEYED = "sha256:", "keyed:"


def _canonical(raw: dict) -> bytes:
    return json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _fingerprint(raw: dict, secret: bytes | None) -> str:
    if secret is None:
        return PLAIN + hashlib.sha256(_canonical(raw)).hexdigest()
    return KEYED + hmac.new(secret, _canonical(raw), hashlib.sha256).hexdigest()


def payload_fingerprint(cmd: Command, raw: dict) -> str:
    """What the command log keeps of a payload: enough to tell a resend from another command."""
    return _fingerprint(raw, cmd.fingerprint_secret(raw) if cmd.fingerprint_secret else None)


def _same_payload(cmd: Command, stored: str | None, raw: dict) -> bool:
    if stored is None:  # logged before fingerprints were kept
        return True
    secret = None
    if stored.startswith(KEYED):
        try:
            secret = cmd.fingerprint_secret(raw) if cmd.fingerprint_secret else None
        except CommandError:
            secret = None
        if secret is None:
            # The secret is gone (the vote was counted): by design nobody can check any more.
            return True
    return hmac.compare_digest(stored, _fingerprint(raw, secret))


def _replay(actor_id: int, client_id: str, cmd: Command, raw: dict) -> dict | None:
    prior = db.session.scalar(
        select(CommandLog).where(CommandLog.actor_id == actor_id, CommandLog.client_id == client_id)
    )
    return _repeat_of(prior, cmd, raw)


def _repeat_of(prior: CommandLog | None, cmd: Command, raw: dict) -> dict | None:
    """The answer to a command whose id was logged already as `prior` (None: it was not)."""
    if prior is None:
        return None
    if (
        prior.name != cmd.name
        or prior.meeting_id is None
        or not _same_payload(cmd, prior.payload_fingerprint, raw)
    ):
        raise Invalid(CID_REUSED, field="cid", reason="cid_reused")
    return {"ok": True, "repeat": True, "version": prior.version, "result": prior.result}


def dispatch(actor: User, meeting_id, name, client_id, raw_payload) -> dict:
    """Run one command from the wire; returns the ack `{ok, version, result}` or raises
    CommandError."""
    cmd = REGISTRY.get(name) if isinstance(name, str) else None
    if cmd is None or not cmd.wire:
        raise Invalid(field="name")
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool):
        raise Invalid(field="meeting_id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise Invalid(field="cid")
    raw = screen_payload(raw_payload)
    if cmd.grouped:
        actor_id = actor.id
        db.session.rollback()  # its connection goes back to the pool while it waits
        job = group_commit.Job(actor_id, client_id, cmd.name, raw)
        ack = group_commit.submit(meeting_id, job, _run_group)
        if ack is not None:
            return ack
    return _guarded(
        cmd.name,
        lambda: _run(actor, meeting_id, cmd, client_id, raw),
        replay=lambda: _replay(actor.id, client_id, cmd, raw),
    )


def run(actor: User, meeting_id: int, name: str, payload: dict | None = None) -> dict:
    """Run one command for the server's own pages (a form): the same lock, right, log and
    broadcast as `dispatch`, without a client id (a form post is not resent after a reconnect)."""
    cmd = REGISTRY[name]
    raw = screen_payload(payload)
    return _guarded(cmd.name, lambda: _run(actor, meeting_id, cmd, None, raw))


def run_org(actor: User, organization_id: int, name: str, payload: dict | None = None) -> dict:
    """Run one organisation command: right, payload, handler, log row, commit (no meeting to
    lock or broadcast to). Returns `{ok, result}` or raises CommandError."""
    cmd = ORG_REGISTRY[name]
    raw = screen_payload(payload)
    return _guarded(cmd.name, lambda: _run_org(actor, organization_id, cmd, raw))


def run_site(actor: User, name: str, payload: dict | None = None) -> dict:
    """Run one site command: right (the site's roles), payload, handler, log row, commit.
    Returns `{ok, result}` or raises CommandError."""
    cmd = SITE_REGISTRY[name]
    raw = screen_payload(payload)
    return _guarded(cmd.name, lambda: _run_site(actor, cmd, raw))


def _guarded(
    name: str, work: Callable[[], dict], replay: Callable[[], dict | None] | None = None
) -> dict:
    """Nothing half-done: a refusal or a database fault rolls back and answers with an error.
    `replay` answers a command id that raced itself (wire commands only)."""
    with _running(name):
        return _rolled_back_on_failure(name, work, replay)


def _rolled_back_on_failure(
    name: str, work: Callable[[], dict], replay: Callable[[], dict | None] | None
) -> dict:
    try:
        return work()
    except CommandError:
        db.session.rollback()
        raise
    except IntegrityError:
        # The same command id raced itself: the other copy won; answer with its result.
        db.session.rollback()
        repeated = replay() if replay else None
        if repeated is not None:
            return repeated
        log.exception("integrity error in command %s", name)
        raise Unavailable() from None
    except OperationalError:
        db.session.rollback()
        log.exception("database error in command %s", name)
        raise Unavailable() from None
    except Exception:
        db.session.rollback()  # a bug (e.g. a change not in the table): nothing half-done stays
        raise


class Stamp(NamedTuple):
    """A meeting's new version: its number, its random tag and the tag of the version before."""

    number: int
    tag: str
    previous: str | None


def _lock(meeting_id: int) -> Stamp:
    """Start a fresh transaction whose first statement bumps the meeting's version: SQLite's write
    lock / PostgreSQL's row lock, held until commit, so changes to one meeting are serialized.
    The version's tag is drawn here; the one it replaces is kept beside it (the right-hand sides
    of SET read the row as it was)."""
    db.session.rollback()
    row = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id)
        .values(
            version=Meeting.version + 1,
            version_tag=secrets.token_hex(8),
            previous_version_tag=Meeting.version_tag,
        )
        .returning(Meeting.version, Meeting.version_tag, Meeting.previous_version_tag)
    ).one_or_none()
    if row is None:
        raise NotFound()
    return Stamp(*row)


def _locked_meeting(meeting_id: int) -> Meeting:
    return db.session.execute(
        select(Meeting).where(Meeting.id == meeting_id).execution_options(populate_existing=True)
    ).scalar_one()


def _run(actor: User, meeting_id: int, cmd: Command, client_id: str | None, raw: dict) -> dict:
    stamp = _lock(meeting_id)
    version = stamp.number
    replay = _replay(actor.id, client_id, cmd, raw) if client_id else None
    if replay is not None:
        db.session.rollback()
        return replay
    meeting = _locked_meeting(meeting_id)
    roles = meeting_roles(actor, meeting)
    if not allowed(roles, cmd.permission, MEETING_PERMISSIONS):
        # Before the payload: a caller without the right learns nothing more than why.
        context = Context(actor, meeting, roles)
        raise (cmd.refusal(context) if cmd.refusal else None) or Forbidden()
    with _holding_what_is_loaded():
        effect = cmd.handler(Context(actor, meeting, roles), parse_payload(cmd, raw))
        if effect.unchanged:
            db.session.rollback()  # undoes the version bump: the lock was all it wrote
            return {"ok": True, "version": version - 1, "result": effect.result, "unchanged": True}
        check_changes(effect.changes)  # each type in the change table, or nothing is committed
        actor_id = actor.id  # read before the commit expires it (no reload to learn an id)
        db.session.add(_log_row(meeting_id, actor_id, client_id, cmd, raw, effect, version))
    db.session.commit()
    _after(meeting_id, stamp, [(cmd, actor_id, effect)])
    return {"ok": True, "version": version, "result": effect.result}


def _log_row(
    meeting_id: int,
    actor_id: int,
    client_id: str | None,
    cmd: Command,
    raw: dict,
    effect: Effect,
    version: int,
) -> CommandLog:
    return CommandLog(
        meeting_id=meeting_id,
        actor_id=actor_id,
        client_id=client_id,
        name=cmd.name,
        details=effect.audit,
        result=effect.result,
        version=version,
        payload_fingerprint=payload_fingerprint(cmd, raw) if client_id else None,
    )


def _after(meeting_id: int, stamp: Stamp, done: list[tuple[Command, int, Effect]]) -> None:
    """Once committed: what waited for the commit, the one broadcast, each actor's private
    events, the listeners."""
    for _cmd, _actor_id, effect in done:
        for action in effect.after_commit:
            action()
    changes = [change for _cmd, _actor_id, effect in done for change in effect.changes]
    changes = coalesce_changes(changes) if len(done) > 1 else changes
    broadcast.changes(meeting_id, stamp.number, changes, stamp.tag, stamp.previous)
    for _cmd, _actor_id, effect in done:
        for user_id, event, data in effect.private:
            broadcast.to_user(user_id, event, data)
    for cmd, actor_id, effect in done:
        committed(cmd.name, meeting_id, actor_id, effect.audit)


def _run_group(meeting_id: int, jobs: list[group_commit.Job]) -> None:
    """Run commands queued together in one transaction (meetings/group_commit.py), setting each
    job's ack. One alone, or a group in which any command is refused or fails, sets none: each
    then runs alone (`dispatch`) and gets its own answer."""
    if len(jobs) < 2:
        return
    with _running(jobs[0].name):
        try:
            acks, stamp, done = _run_together(meeting_id, jobs)
        except Exception:
            db.session.rollback()
            log.debug("a group of %d commands runs alone", len(jobs), exc_info=True)
            return
        for job, ack in zip(jobs, acks, strict=True):
            job.ack = ack
        if done:  # committed: a failure after the commit never sends a command round again
            _after(meeting_id, stamp, done)


def _run_together(
    meeting_id: int, jobs: list[group_commit.Job]
) -> tuple[list[dict], Stamp, list[tuple[Command, int, Effect]]]:
    """`_run`'s steps for every job under one lock and one version, then one commit. Returns
    the acks, the version and what the commit must be followed by (`_after`)."""
    stamp = _lock(meeting_id)
    meeting = _locked_meeting(meeting_id)
    # Read once for the group, not once per command: the actors, the command ids logged, and
    # what the actors' roles rest on.
    actor_ids = {job.actor_id for job in jobs}
    actors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
    logged = _logged(jobs)
    facts = RoleFacts(meeting, actors)
    with _holding_what_is_loaded():
        acks, done = _run_jobs(meeting_id, stamp.number, meeting, jobs, actors, logged, facts)
    return acks, stamp, done


@contextmanager
def _holding_what_is_loaded() -> Iterator[None]:
    """Keep every object the session loads until the command or group ends: the session holds
    them weakly, so the vote a ballot loaded was read again by its fingerprint (and by the next
    ballot of a group)."""
    session = db.session()
    held: list = []

    def hold(_session, instance) -> None:
        held.append(instance)

    orm_event.listen(session, "loaded_as_persistent", hold)
    try:
        yield
    finally:
        orm_event.remove(session, "loaded_as_persistent", hold)


def _run_jobs(
    meeting_id: int,
    version: int,
    meeting: Meeting,
    jobs: list[group_commit.Job],
    actors: dict[int, User],
    logged: dict[tuple[int, str], CommandLog],
    facts: RoleFacts,
) -> tuple[list[dict], list[tuple[Command, int, Effect]]]:
    acks: list[dict] = []
    done: list[tuple[Command, int, Effect]] = []
    for job in jobs:
        cmd = REGISTRY[job.name]
        replay = _repeat_of(logged.get((job.actor_id, job.client_id)), cmd, job.raw)
        if replay is not None:
            acks.append(replay)
            continue
        actor = actors[job.actor_id]
        roles = meeting_roles(actor, meeting, facts)
        if not allowed(roles, cmd.permission, MEETING_PERMISSIONS):
            raise Forbidden()  # alone, it gets its own reason
        effect = cmd.handler(Context(actor, meeting, roles), parse_payload(cmd, job.raw))
        if effect.unchanged:
            raise _Alone()  # its ack names the version before it: alone, that is well defined
        check_changes(effect.changes)
        row = _log_row(meeting_id, job.actor_id, job.client_id, cmd, job.raw, effect, version)
        db.session.add(row)
        if job.client_id:
            logged[(job.actor_id, job.client_id)] = row  # the same id again in this group
        done.append((cmd, job.actor_id, effect))
        acks.append({"ok": True, "version": version, "result": effect.result})
    if not done:  # only repeats: nothing to write
        db.session.rollback()
    else:
        db.session.commit()
    return acks, done


def _logged(jobs: list[group_commit.Job]) -> dict[tuple[int, str], CommandLog]:
    """The command log rows of the jobs' (actor, command id) pairs already logged."""
    pairs = {(job.actor_id, job.client_id) for job in jobs if job.client_id}
    if not pairs:
        return {}
    rows = db.session.scalars(
        select(CommandLog).where(
            or_(*(and_(CommandLog.actor_id == a, CommandLog.client_id == c) for a, c in pairs))
        )
    )
    return {(row.actor_id, row.client_id): row for row in rows}


class _Alone(Exception):
    """A command of a group that must run alone (and so the whole group does)."""


def _run_org(actor: User, organization_id: int, cmd: Command, raw: dict) -> dict:
    db.session.rollback()  # a fresh transaction, as for a meeting command
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise NotFound()
    roles = organization_roles(actor, organization)
    if not allowed(roles, cmd.permission, ORG_PERMISSIONS):
        raise Forbidden()
    effect = cmd.handler(OrgContext(actor, organization, roles), parse_payload(cmd, raw))
    return _log_and_commit(actor, cmd, effect, organization_id)


def _run_site(actor: User, cmd: Command, raw: dict) -> dict:
    db.session.rollback()
    roles = site_roles(actor)
    if not allowed(roles, cmd.permission, SITE_PERMISSIONS):
        raise Forbidden()
    effect = cmd.handler(SiteContext(actor, roles), parse_payload(cmd, raw))
    return _log_and_commit(actor, cmd, effect, None)


def _log_and_commit(actor: User, cmd: Command, effect: Effect, organization_id: int | None) -> dict:
    """The end of an organisation or site command: one log row, one commit, then what waits
    for the commit. `shown_once` reaches the caller only."""
    if effect.unchanged:
        db.session.rollback()
        return {"ok": True, "result": effect.result, "unchanged": True}
    db.session.add(
        CommandLog(
            meeting_id=effect.meeting_id,
            organization_id=organization_id,
            actor_id=actor.id,
            name=cmd.name,
            details=effect.audit,
            result=effect.result,
        )
    )
    db.session.commit()
    for after in effect.after_commit:
        after()
    for user_id, event, data in effect.private:
        broadcast.to_user(user_id, event, data)
    if effect.meeting_id is not None:
        committed(cmd.name, effect.meeting_id, actor.id, effect.audit)
    return {"ok": True, "result": effect.result | effect.shown_once}


def system_change(
    meeting_id: int, apply: Callable[[Meeting], list[dict]], *, name: str = "system_change"
) -> int | None:
    """A change the server makes on its own (e.g. recording an observer's visit): same lock,
    version bump, log row (no actor) and broadcast as a command. `apply` returns the changes,
    or [] for none (nothing is written)."""
    with _running(name):
        return _system_change(meeting_id, apply, name)


def _system_change(
    meeting_id: int, apply: Callable[[Meeting], list[dict]], name: str
) -> int | None:
    stamp = _lock(meeting_id)
    meeting = _locked_meeting(meeting_id)
    try:
        changes = apply(meeting)
        check_changes(changes)
    except Exception:
        db.session.rollback()
        raise
    if not changes:
        db.session.rollback()
        return None
    db.session.add(
        CommandLog(
            meeting_id=meeting_id,
            name=name,
            details={"changed": sorted({change["type"] for change in changes})},
            version=stamp.number,
        )
    )
    db.session.commit()
    broadcast.changes(meeting_id, stamp.number, changes, stamp.tag, stamp.previous)
    return stamp.number
