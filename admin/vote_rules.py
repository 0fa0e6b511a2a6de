"""A cell's vote rules: thresholds and methods per kind of vote, with the Party's defaults.

The rules are configurable because the regulations change and cells differ (docs/voting.md); the
form only offers combinations the rules module accepts (discipline and elections stay secret).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from admin import bp
from admin.helpers import cell_or_404
from domain import labels
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

METHOD_VALUES = {m.value for m in Method}
# The thresholds a cell may choose, keyed as the form sends them; worded by domain.labels.
THRESHOLDS = {
    f"{majority.value}:{denominator.value}": Threshold(majority, denominator)
    for majority in Majority
    for denominator in Denominator
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
        thresholds[kind] = THRESHOLDS[choice]
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
        discipline[option] = THRESHOLDS[choice]
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
        kind_labels=labels.VOTE_KINDS,
        option_labels={option: labels.CHOICES[option] for option in DISCIPLINE_OPTIONS},
        methods=list(Method),
        method_labels=labels.METHODS,
        thresholds={
            key: (t, labels.threshold(t.majority, t.denominator)) for key, t in THRESHOLDS.items()
        },
        key=_key,
    )
