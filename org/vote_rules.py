"""The vote rules a cell applies: domain.rules.DEFAULT_RULES with the cell's overrides.

A cell's setting, so it lives with the cell: the room's live figures ("can a ⅔ decision still
pass?") and the voting feature both read it.

Overrides live in ``CellSettings.vote_rules`` (a JSON document, shape in org/models.py). The rule a
vote applies is copied into the vote at opening (``rule_json``), so changing a cell's settings
later never changes a result already decided. The command that changes them is
`meetings.voting.settings.set_vote_rules` (through the command path).
"""

from __future__ import annotations

from collections.abc import Mapping

from core.extensions import db
from domain.rules import (
    DEFAULT_RULES,
    Denominator,
    Majority,
    Method,
    Threshold,
    VoteKind,
    VoteRuleSet,
)
from org.models import CellSettings


def threshold_json(threshold: Threshold) -> dict:
    return {"majority": threshold.majority.value, "denominator": threshold.denominator.value}


def threshold_from_json(data: Mapping) -> Threshold:
    return Threshold(Majority(data["majority"]), Denominator(data["denominator"]))


def merge_rules(overrides: Mapping | None, base: VoteRuleSet = DEFAULT_RULES) -> VoteRuleSet:
    """``base`` with the overrides of a cell applied; ValueError when they are invalid."""
    overrides = overrides or {}
    thresholds = dict(base.thresholds)
    for kind, value in (overrides.get("thresholds") or {}).items():
        thresholds[VoteKind(kind)] = threshold_from_json(value)
    allowed = dict(base.allowed_methods)
    for kind, methods in (overrides.get("allowed_methods") or {}).items():
        allowed[VoteKind(kind)] = frozenset(Method(m) for m in methods)
    defaults = dict(base.default_methods)
    for kind, method in (overrides.get("default_methods") or {}).items():
        defaults[VoteKind(kind)] = Method(method)
    discipline = dict(base.discipline_thresholds)
    for option, value in (overrides.get("discipline_thresholds") or {}).items():
        if option not in discipline:
            raise ValueError(f"unknown discipline option {option}")
        discipline[option] = threshold_from_json(value)
    return VoteRuleSet(thresholds, allowed, defaults, discipline)


def rules_for_cell(cell_id: int) -> VoteRuleSet:
    """The rules of a cell (the defaults when it has no settings row)."""
    row = db.session.get(CellSettings, cell_id)
    return merge_rules(row.vote_rules if row else None)


def rule_json(rules: VoteRuleSet, kind: VoteKind) -> dict:
    """The rule a vote of ``kind`` applies, frozen into the vote."""
    rule = {"threshold": threshold_json(rules.threshold(kind))}
    if kind is VoteKind.DISCIPLINE:
        rule["discipline"] = {
            option: threshold_json(t) for option, t in rules.discipline_thresholds.items()
        }
    return rule


def overrides_of(rules: VoteRuleSet, base: VoteRuleSet = DEFAULT_RULES) -> dict:
    """Only what differs from the defaults: a later change of the defaults still reaches the cell
    wherever it kept them."""
    out: dict = {}
    for kind in VoteKind:
        if rules.threshold(kind) != base.threshold(kind):
            out.setdefault("thresholds", {})[kind.value] = threshold_json(rules.threshold(kind))
        if rules.allowed_methods[kind] != base.allowed_methods[kind]:
            out.setdefault("allowed_methods", {})[kind.value] = sorted(
                m.value for m in rules.allowed_methods[kind]
            )
        if rules.default_methods[kind] != base.default_methods[kind]:
            out.setdefault("default_methods", {})[kind.value] = rules.default_methods[kind].value
    for option, threshold in rules.discipline_thresholds.items():
        if threshold != base.discipline_thresholds[option]:
            out.setdefault("discipline_thresholds", {})[option] = threshold_json(threshold)
    return out
