"""A cell's vote rules: thresholds and methods per kind of vote, with the Party's defaults.

The rules are configurable because the regulations change and cells differ (docs/voting.md); the
form only offers combinations the rules module accepts (discipline and elections stay secret).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from admin import bp
from admin.helpers import cell_or_404
from domain.rules import (
    DEFAULT_RULES,
    DISCIPLINE_OPTIONS,
    Denominator,
    Majority,
    Method,
    Threshold,
    VoteKind,
    VoteRuleSet,
)
from meetings.commands import run_org
from meetings.errors import CommandError
from org.vote_rules import overrides_of, rules_for_cell

KIND_LABELS = {
    VoteKind.RESOLUTION: _l("Resolution / conclusion"),
    VoteKind.ADMISSION: _l("Admission of a new member"),
    VoteKind.RECOGNITION: _l("Recognition as official member"),
    VoteKind.DISCIPLINE: _l("Discipline"),
    VoteKind.ELECTION: _l("Election"),
    VoteKind.PROCEDURAL: _l("Procedural vote"),
}
OPTION_LABELS = {
    "expulsion": _l("Expulsion"),
    "removal_from_post": _l("Removal from post"),
    "warning": _l("Warning"),
    "reprimand": _l("Reprimand"),
}
METHOD_VALUES = {m.value for m in Method}
METHOD_LABELS = {Method.SHOW_OF_HANDS: _l("Show of hands"), Method.SECRET: _l("Secret ballot")}
THRESHOLDS = {
    "more_than_half:base": (
        Threshold(Majority.MORE_THAN_HALF, Denominator.BASE),
        _l("more than half of the base figure"),
    ),
    "at_least_two_thirds:base": (
        Threshold(Majority.AT_LEAST_TWO_THIRDS, Denominator.BASE),
        _l("at least two thirds of the base figure"),
    ),
    "more_than_half:voting": (
        Threshold(Majority.MORE_THAN_HALF, Denominator.VOTING),
        _l("more than half of the ballots cast"),
    ),
    "at_least_two_thirds:voting": (
        Threshold(Majority.AT_LEAST_TWO_THIRDS, Denominator.VOTING),
        _l("at least two thirds of the ballots cast"),
    ),
}


def _key(threshold: Threshold) -> str:
    return f"{threshold.majority.value}:{threshold.denominator.value}"


def _rules_from_form(form) -> VoteRuleSet:
    """The submitted rules; ValueError (with a reason) when a field or the whole set is invalid."""
    thresholds, allowed, defaults, discipline = {}, {}, {}, {}
    for kind in VoteKind:
        choice = form.get(f"threshold-{kind.value}")
        if choice not in THRESHOLDS:
            raise ValueError(kind.value)
        thresholds[kind] = THRESHOLDS[choice][0]
        methods = {Method(m) for m in form.getlist(f"methods-{kind.value}") if m in METHOD_VALUES}
        allowed[kind] = frozenset(methods)
        default = form.get(f"default-{kind.value}")
        if default not in METHOD_VALUES:
            raise ValueError(kind.value)
        defaults[kind] = Method(default)
    for option in DISCIPLINE_OPTIONS:
        choice = form.get(f"discipline-{option}")
        if choice not in THRESHOLDS:
            raise ValueError(option)
        discipline[option] = THRESHOLDS[choice][0]
    return VoteRuleSet(thresholds, allowed, defaults, discipline)


@bp.route("/cells/<int:cell_id>/vote-rules", methods=["GET", "POST"])
def vote_rules(cell_id: int):
    cell = cell_or_404(cell_id)
    csrf = FlaskForm()  # the token only; the fields are read from the request
    rules = rules_for_cell(cell.id)
    error = None
    if request.method == "POST" and csrf.validate_on_submit():
        try:
            rules = _rules_from_form(request.form)
            actor = current_user._get_current_object()
            run_org(actor, cell.id, "set_vote_rules", {"rules": overrides_of(rules)})
        except (ValueError, CommandError):
            error = _(
                "These rules are not valid: every kind of vote needs at least one method, its "
                "default method must be allowed, and discipline and elections are by secret "
                "ballot only."
            )
        else:
            flash(_("The vote rules of %(cell)s are saved.", cell=cell.name), "info")
            return redirect(url_for("admin.vote_rules", cell_id=cell.id))
    return render_template(
        "admin/vote_rules.html",
        cell=cell,
        csrf=csrf,
        rules=rules,
        defaults=DEFAULT_RULES,
        error=error,
        kinds=list(VoteKind),
        kind_labels=KIND_LABELS,
        option_labels=OPTION_LABELS,
        methods=list(Method),
        method_labels=METHOD_LABELS,
        thresholds=THRESHOLDS,
        key=_key,
    )
