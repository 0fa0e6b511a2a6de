"""The change table: every kind of change the room hears, and how a client merges it into its state.

A `changes` message is `{meeting_id, v, changes: [{type, data}]}`. Each type is declared once here
as one or more *parts*; a part says which piece of `data` goes where in the snapshot (a dotted
section path) and by which rule:

- `replace`: the section becomes the value (a whole section: `meeting`, `agenda`, `speakers`...);
- `upsert`: the value is one item or a list of items; each replaces the item of the list at the
  path with the same `key`, or is added (then the list is re-ordered by `key` when `sort`, as the
  snapshot orders it);
- `patch`: the value's fields are written into the item of the list with the same `key` (or, with
  no key, into the object at the path): only what moved travels (a ballot's progress).

A part with a `field` takes that field of `data` and is skipped when `data` lacks it; without one it
takes the whole `data`. The browser gets this table in the page (`change_table()`) and applies it
with `static/js/changes.js`; `apply_change` below is the same reducer in Python (tests use it).
A feature that broadcasts a new kind of change adds one line to CHANGE_TYPES (docs/protocol.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Rule(StrEnum):
    REPLACE = "replace"
    UPSERT = "upsert"
    PATCH = "patch"


@dataclass(frozen=True)
class Part:
    path: str  # dotted path in the snapshot: "votes", "minutes.sections"
    rule: Rule = Rule.REPLACE
    field: str | None = None  # the field of `data` this part takes; None: `data` itself
    key: str | None = None  # upsert / patch: what identifies an item of the list
    sort: bool = False  # upsert: keep the list ordered by key, as the snapshot is


CHANGE_TYPES: dict[str, tuple[Part, ...]] = {
    "meeting": (Part("meeting"),),
    "agenda": (Part("agenda"),),
    "observers": (Part("observers"),),
    # The members' answers to the invitation: {user_id: {answer, reason, replied_at}}.
    "replies": (Part("replies"),),
    # The changed members' rows (a check-in must not resend a 1,000-member roster) + the figures.
    "attendance": (
        Part("roster", Rule.UPSERT, field="rows", key="user_id"),
        Part("figures", field="figures"),
    ),
    "vote": (Part("votes", Rule.UPSERT, key="id", sort=True),),
    # After a ballot: `{id, voted, counts}` (counts null for a secret vote until its close).
    "vote_progress": (Part("votes", Rule.PATCH, key="id"),),
    "speakers": (Part("speakers"),),
    "documents": (Part("documents"),),  # the released documents, whole
    # Hybrid meetings: the counting team's user ids; the guests the chair recorded.
    "counting_team": (Part("counting_team"),),
    "guests": (Part("guests"),),
    # `{sections?, status?}`: a keystroke resends one item's text, not the whole minutes.
    "minutes": (
        Part("minutes.sections", Rule.UPSERT, field="sections", key="item_id", sort=True),
        Part("minutes.status", field="status"),
    ),
    # Conclusions and tasks recorded here and the review of earlier ones (meetings/tasks).
    "tasks": (Part("tasks"),),
    # The year-end review: submissions, the member taken up, grades, the cap (meetings/review).
    "review": (Part("review"),),
}

# Sections of the snapshot that belong to the viewer and are not kept by `changes`: `me` (roles
# and rights), `online` (the `presence` event), `my_votes` (the private `my_vote` event) and
# `paper_detail` (the counting team's private `paper_detail` event).
VIEWER_SECTIONS = ("me", "online", "my_votes", "paper_detail")


class InvalidChange(ValueError):
    """A change no client could merge: a type missing from the table, or data of the wrong shape."""


def table() -> dict[str, list[dict]]:
    """The table as JSON for the page (the browser's reducer reads it; it is never re-typed)."""
    return {
        name: [{k: v for k, v in asdict(part).items() if v not in (None, False)} for part in parts]
        for name, parts in CHANGE_TYPES.items()
    }


_ABSENT = object()


def _value(part: Part, data):
    """What `part` takes from a change's data: the data itself, or its field (_ABSENT when none)."""
    if part.field is None:
        return data
    return data.get(part.field, _ABSENT) if isinstance(data, dict) else _ABSENT


def check(changes: list[dict]) -> None:
    """Refuse, before the commit, a change no client could merge: a type missing from the table,
    data that gives none of the type's parts, or items without the key they are merged by."""
    for change in changes:
        parts = CHANGE_TYPES.get(change.get("type")) if isinstance(change, dict) else None
        if parts is None or "data" not in change:
            raise InvalidChange(change)
        values = [_value(part, change["data"]) for part in parts]
        if all(value is _ABSENT for value in values):
            raise InvalidChange(change["type"])
        for part, value in zip(parts, values, strict=True):
            if value is _ABSENT or (part.key is None and part.rule == Rule.REPLACE):
                continue
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(i, dict) and (part.key is None or part.key in i) for i in items):
                raise InvalidChange(change["type"])


def coalesce(changes: list[dict]) -> list[dict]:
    """The same changes without those a later one overwrites entirely: a whole section replaced
    again, or an item patched again with at least the same fields (a group of ballots, see
    meetings/group_commit.py, says each ballot's progress: only the last one matters). Applying
    the result gives the state applying them all gives: what is dropped is written over later."""
    kept: list[dict] = []
    last_seen: dict[tuple, int] = {}  # what a change overwrites -> its index in `kept`
    for change in changes:
        target = _overwrites(change)
        if target is not None and target in last_seen:
            kept[last_seen[target]] = None
        kept.append(change)
        if target is not None:
            last_seen[target] = len(kept) - 1
    return [change for change in kept if change is not None]


def _overwrites(change: dict) -> tuple | None:
    """What a change writes in full, so that an earlier change to it may be dropped: `(type,)`
    for a one-part `replace` of a whole section, `(type, key value, fields)` for a one-part
    keyed `patch` of one item. None for the rest (kept as they come)."""
    parts = CHANGE_TYPES.get(change["type"], ())
    if len(parts) != 1 or parts[0].field is not None:
        return None
    part, data = parts[0], change["data"]
    if part.rule == Rule.REPLACE:
        return (change["type"],)
    if part.rule == Rule.PATCH and part.key is not None and isinstance(data, dict):
        return (change["type"], data.get(part.key), frozenset(data))
    return None


# ---- the reducer (the same steps as static/js/changes.js) ---------------------------------------


def _parent(state: dict, path: str, empty) -> tuple[dict, str]:
    """The object holding the path's last name (made on the way when missing) and that name; the
    section itself is created as `empty()` when absent."""
    *heads, last = path.split(".")
    node = state
    for name in heads:
        node = node.setdefault(name, {})
        if node is None:
            raise InvalidChange(path)
    if node.get(last) is None:
        node[last] = empty()
    return node, last


def _apply_part(state: dict, part: Part, value) -> None:
    if part.rule == Rule.REPLACE:
        node, last = _parent(state, part.path, dict)
        node[last] = value
        return
    items = value if isinstance(value, list) else [value]
    if part.rule == Rule.PATCH and part.key is None:
        node, last = _parent(state, part.path, dict)
        for item in items:
            node[last].update(item)
        return
    node, last = _parent(state, part.path, list)
    current = node[last]
    where = {row[part.key]: i for i, row in enumerate(current)}
    for item in items:
        i = where.get(item[part.key])
        if part.rule == Rule.PATCH:
            if i is not None:
                current[i].update(item)
        elif i is not None:
            current[i] = item
        else:
            where[item[part.key]] = len(current)
            current.append(item)
    if part.rule == Rule.UPSERT and part.sort:
        current.sort(key=lambda row: row[part.key])


def apply_change(state: dict, change: dict) -> None:
    """Merge one `{type, data}` into a snapshot-shaped state, by the table."""
    parts = CHANGE_TYPES.get(change["type"])
    if parts is None:
        raise InvalidChange(change["type"])
    for part in parts:
        value = _value(part, change["data"])
        if value is not _ABSENT:
            _apply_part(state, part, value)


def apply_message(state: dict, message: dict) -> str:
    """Apply one `changes` message as the room does: "applied" when it follows the state's version,
    "old" when the state already includes it, "gap" when one was missed (fetch a snapshot), and
    "unknown" (nothing applied) when it holds a type this table does not know."""
    if message["v"] <= state["version"]:
        return "old"
    if message["v"] != state["version"] + 1:
        return "gap"
    if any(c["type"] not in CHANGE_TYPES for c in message["changes"]):
        return "unknown"
    for item in message["changes"]:
        apply_change(state, item)
    state["version"] = message["v"]
    if "tag" in message:
        state["tag"] = message["tag"]
    return "applied"


def comparable(state: dict) -> dict:
    """The state without the viewer's own sections: what two viewers' rooms must agree on."""
    return {k: v for k, v in state.items() if k not in VIEWER_SECTIONS}
