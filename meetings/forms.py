from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from domain import labels
from meetings.models import MeetingKind


class AgendaItemForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    item_id = HiddenField()
    title = StringField(_l("Item"), validators=[Optional(), Length(max=300)])
    planned_minutes = IntegerField(
        _l("Planned minutes"), default=10, validators=[Optional(), NumberRange(min=1, max=600)]
    )


class MeetingForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, labels.MEETING_KINDS[k]) for k in MeetingKind]
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    scheduled_at = DateTimeLocalField(
        _l("Start (Vietnam time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_url = URLField(
        _l("Video conference link"),
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
    )
    chair_id = SelectField(_l("Chair"), coerce=int)
    minute_taker_id = SelectField(_l("Minute-taker"), coerce=int)
    agenda = FieldList(FormField(AgendaItemForm), min_entries=1, max_entries=50)
    submit = SubmitField(_l("Save"))
