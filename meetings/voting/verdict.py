"""The verdict of a closed vote, stating the rule it applied, in the reader's language.

Two steps so each can be tested on its own: ``verdict_parts`` decides *what* to say (a template key
and raw values: counts, an exact fraction, the rule as data), ``render`` says it in the current
locale (gettext templates, percentages by Babel: 85,7% in Vietnamese, 85.7% in English).
Everything here is English msgids; the Vietnamese comes from the catalog (see docs/voting.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from core.i18n import format_percent
from domain import labels
from domain.rules import DISCIPLINE_NONE, VoteKind

TEMPLATES = {
    "motion_passed": _l(
        "Passed: %(yes)s/%(total)s comrades agreed (%(percent)s), reaching %(rule)s"
    ),
    "motion_failed": _l(
        "Not passed: %(yes)s/%(total)s comrades agreed (%(percent)s), not reaching %(rule)s"
    ),
    "discipline_direct": _l(
        "Decided: %(option)s, %(votes)s/%(total)s comrades voted for it (%(percent)s), "
        "reaching %(rule)s"
    ),
    "discipline_cumulative": _l(
        "Decided: %(option)s, %(votes)s/%(total)s comrades voted for it or a heavier form "
        "(%(percent)s, counted cumulatively), reaching %(rule)s"
    ),
    "discipline_none": _l(
        "No discipline: even counted cumulatively, %(option)s has only %(votes)s/%(total)s "
        "votes (%(percent)s), not reaching %(rule)s"
    ),
    "election_elected": _l("Elected, each reaching %(rule)s: %(names)s"),
    "election_tie": _l(
        "Tie for the last seat between %(names)s (%(votes)s/%(total)s votes each): "
        "a new round is needed"
    ),
    "election_unfilled": _l("%(seats)s seat(s) not filled: no other candidate reached %(rule)s"),
    "election_nobody": _l("Nobody elected: no candidate reached %(rule)s"),
    "rule_motion": _l("Agree votes must reach %(rule)s (base figure: %(base)s)"),
    "rule_discipline": _l(
        "%(options)s; counted cumulatively from the heaviest form (base figure: %(base)s)"
    ),
    "rule_election": _l(
        "A candidate must reach %(rule)s; %(seats)s seat(s) (base figure: %(base)s)"
    ),
}
RULE_OPTION = _l("%(option)s: %(rule)s")
CANDIDATE = _l("%(name)s (%(votes)s/%(total)s, %(percent)s)")


@dataclass(frozen=True)
class VerdictPart:
    """One sentence to say: a template key and raw values (rendered by ``render``)."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)


def _ratio(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def verdict_parts(kind: VoteKind, options: list[dict], rule: Mapping, result: Mapping):
    """What the verdict says, as a list of parts (one per sentence)."""
    kind = VoteKind(kind)
    threshold = rule["threshold"]
    if result["type"] == "motion":
        total = result["denominator"]
        return [
            VerdictPart(
                "motion_passed" if result["passed"] else "motion_failed",
                {
                    "yes": result["counts"]["agree"],
                    "total": total,
                    "percent": _ratio(result["counts"]["agree"], total),
                    "rule": threshold,
                },
            )
        ]
    if result["type"] == "discipline":
        steps = result["steps"]
        option, votes, _passed = steps[-1]
        base = result["base"]
        values = {
            "option": option,
            "votes": votes,
            "total": base,
            "percent": _ratio(votes, base),
            "rule": rule["discipline"][option],
        }
        if result["outcome"] == DISCIPLINE_NONE:
            return [VerdictPart("discipline_none", values)]
        key = "discipline_direct" if len(steps) == 1 else "discipline_cumulative"
        return [VerdictPart(key, values)]
    # An election: who is elected, any tie at the last seat, seats left empty.
    labels = {o["key"]: o["label"] for o in options}
    counts, total = result["counts"], result["denominator"]
    parts = []
    if result["elected"]:
        names = [(labels[k], counts[k], total) for k in result["elected"]]
        parts.append(VerdictPart("election_elected", {"names": names, "rule": threshold}))
    if result["tie"]:
        names = [(labels[k], counts[k], total) for k in result["tie"]]
        votes = counts[result["tie"][0]]
        parts.append(VerdictPart("election_tie", {"names": names, "votes": votes, "total": total}))
    elif not result["elected"]:
        parts.append(VerdictPart("election_nobody", {"rule": threshold}))
    elif result["seats_left"]:
        parts.append(
            VerdictPart("election_unfilled", {"seats": result["seats_left"], "rule": threshold})
        )
    return parts


def rule_phrase(threshold: Mapping) -> str:
    return str(labels.threshold(threshold["majority"], threshold["denominator"]))


def _names(names, with_counts: bool) -> str:
    if not with_counts:
        return ", ".join(name for name, _votes, _total in names)
    return ", ".join(
        str(CANDIDATE)
        % {
            "name": name,
            "votes": votes,
            "total": total,
            "percent": format_percent(_ratio(votes, total)),
        }
        for name, votes, total in names
    )


def render_part(part: VerdictPart) -> str:
    """One part as a sentence in the current locale."""
    values = dict(part.values)
    if "percent" in values:
        values["percent"] = format_percent(values["percent"])
    if "rule" in values:
        values["rule"] = rule_phrase(values["rule"])
    if "option" in values:
        values["option"] = str(labels.DISCIPLINE_IN_SENTENCE[values["option"]])
    if "names" in values:
        values["names"] = _names(values["names"], with_counts=part.key == "election_elected")
    return str(TEMPLATES[part.key]) % values


def render(parts) -> str:
    """The whole verdict: its sentences joined."""
    return ". ".join(render_part(part) for part in parts)


def verdict_text(kind, options, rule, result) -> str:
    return render(verdict_parts(kind, options, rule, result))


def rule_text(kind, rule: Mapping, base: int, seats: int | None = None) -> str:
    """The rule a vote applied, in words, e.g. for the minutes."""
    kind = VoteKind(kind)
    if kind is VoteKind.DISCIPLINE:
        options = "; ".join(
            str(RULE_OPTION)
            % {"option": str(labels.DISCIPLINE_IN_SENTENCE[o]), "rule": rule_phrase(t)}
            for o, t in rule["discipline"].items()
        )
        return str(TEMPLATES["rule_discipline"]) % {"options": options, "base": base}
    if kind is VoteKind.ELECTION:
        return str(TEMPLATES["rule_election"]) % {
            "rule": rule_phrase(rule["threshold"]),
            "seats": seats or 1,
            "base": base,
        }
    return str(TEMPLATES["rule_motion"]) % {"rule": rule_phrase(rule["threshold"]), "base": base}


def option_label(option: Mapping) -> str:
    """A choice's label: a candidate's name, or the translated name of a fixed choice."""
    return option["label"] or str(labels.CHOICES[option["key"]])


def result_lines(options: list[dict], result: Mapping) -> list[tuple[str, str, int, str]]:
    """(key, label, count, percent) per choice; percent of the figure the rule is a share of."""
    total = result.get("denominator", result.get("base", 0))
    return [
        (
            o["key"],
            option_label(o),
            result["counts"].get(o["key"], 0),
            format_percent(_ratio(result["counts"].get(o["key"], 0), total)),
        )
        for o in options
    ]
