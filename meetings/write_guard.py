"""No side doors: a request that writes to the database outside the command path is refused.

Every state change a person makes goes through `meetings.commands` (authorize, log, bump the
version, broadcast). A view that sets an attribute and commits would skip all of that and still
work, so the mistake must be caught where it happens: the session notes that it wrote (a flush,
or an UPDATE / DELETE / INSERT statement), and a commit inside a request with no command running
is an error. With `CHIBO_STRICT_WRITES` (the tests) it raises; otherwise it is logged, so a
writer the tests missed shows up in the log instead of failing for the user.

Outside requests (the CLI, the job worker, the demo loader) nothing is checked: they have no
person to authorize, and the jobs only record their own delivery.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from meetings.commands import running

log = logging.getLogger(__name__)

WROTE = "chibo_wrote"


class WriteOutsideCommand(RuntimeError):
    """A request changed the database without a command: route it through `meetings.commands`."""


def _wrote(session: Session, *_args) -> None:
    session.info[WROTE] = True


def _statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def _forget(session: Session, *_args) -> None:
    session.info.pop(WROTE, None)


def _before_commit(session: Session) -> None:
    # The commit's own flush comes after this event: count what it is about to write too.
    pending = session.new or session.deleted or any(map(session.is_modified, session.dirty))
    wrote = session.info.pop(WROTE, False) or bool(pending)
    if not wrote or not has_request_context() or running() is not None:
        return
    where = f"{request.method} {request.endpoint or request.path}"
    if has_app_context() and current_app.config["CHIBO_STRICT_WRITES"]:
        raise WriteOutsideCommand(f"{where} committed a change outside the command path")
    log.error("%s committed a change outside the command path", where)


def install() -> None:
    """Listen on every session (once per process; the listeners read the app's setting)."""
    if event.contains(Session, "before_commit", _before_commit):
        return
    event.listen(Session, "after_flush", _wrote)
    event.listen(Session, "do_orm_execute", _statement)
    event.listen(Session, "after_rollback", _forget)
    event.listen(Session, "before_commit", _before_commit)
