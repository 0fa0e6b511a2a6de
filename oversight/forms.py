"""Forms of the oversight pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange

from oversight.models import DEFAULT_TARGET


class AssignmentForm(FlaskForm):
    leader_id = SelectField(_l("Leader"), coerce=int, validators=[DataRequired()])
    cell_id = SelectField(_l("Cell"), coerce=int, validators=[DataRequired()])
    target_per_year = IntegerField(
        _l("Target (meetings a year)"),
        default=DEFAULT_TARGET,
        validators=[DataRequired(), NumberRange(min=1, max=24)],
    )


class DeleteForm(FlaskForm):
    pass
