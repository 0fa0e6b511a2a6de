"""A cell's vote rules: the administrator changes them; a vote then applies them; invalid sets are
refused and change nothing."""

from __future__ import annotations

import pytest

from core.extensions import db
from domain.rules import DEFAULT_RULES, VoteKind
from org.models import CellSettings
from org.vote_rules import rules_for_cell
from tests.factories import command, upcoming_meeting_id

pytestmark = pytest.mark.language("en")


def _form_of(rules) -> dict:
    data = {}
    for kind in VoteKind:
        t = rules.threshold(kind)
        data[f"threshold-{kind.value}"] = f"{t.majority.value}:{t.denominator.value}"
        data[f"methods-{kind.value}"] = sorted(m.value for m in rules.allowed_methods[kind])
        data[f"default-{kind.value}"] = rules.default_methods[kind].value
    for option, t in rules.discipline_thresholds.items():
        data[f"discipline-{option}"] = f"{t.majority.value}:{t.denominator.value}"
    return data


def test_the_page_shows_the_defaults_and_only_admins_reach_it(login, demo):
    url = f"/admin/cells/{demo.kp1.id}/vote-rules"
    page = login("admin").get(url).get_data(as_text=True)
    # One wording of a threshold everywhere (domain.labels): the verdicts' and the minutes'.
    assert "more than half of the official members — default" in page
    assert login("bithu").get(url).status_code == 403


def test_a_stricter_resolution_rule_is_applied_by_the_next_vote(app, login, sio, demo):
    data = _form_of(DEFAULT_RULES)
    data["threshold-resolution"] = "at_least_two_thirds:base"
    data["methods-resolution"] = ["secret", "show_of_hands"]
    response = login("admin").post(f"/admin/cells/{demo.kp1.id}/vote-rules", data=data)
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(CellSettings, demo.kp1.id)
        assert row.vote_rules == {
            "thresholds": {"resolution": {"majority": "at_least_two_thirds", "denominator": "base"}}
        }  # only the difference
        meeting_id = upcoming_meeting_id()
    chair = sio("bithu")
    command(chair, meeting_id, "start_meeting", {"confirm_early": True})
    command(chair, meeting_id, "check_in")
    ack = command(chair, meeting_id, "open_vote", {"kind": "resolution", "subject": "Nghị quyết"})
    assert ack["ok"], ack
    vote = chair.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]["votes"][0]
    assert vote["rule"]["threshold"] == {"majority": "at_least_two_thirds", "denominator": "base"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("methods-election", ["show_of_hands"], id="election-by-hands"),
        pytest.param("methods-discipline", ["secret", "show_of_hands"], id="discipline-open"),
        pytest.param("methods-resolution", [], id="no-method"),
        pytest.param("default-admission", "show_of_hands", id="default-not-allowed"),
        pytest.param("threshold-resolution", "all_of_them:base", id="unknown-threshold"),
    ],
)
def test_invalid_rules_are_refused_and_change_nothing(app, login, demo, field, value):
    data = _form_of(DEFAULT_RULES)
    data["methods-admission"] = ["secret"]
    data[field] = value
    response = login("admin").post(f"/admin/cells/{demo.kp1.id}/vote-rules", data=data)
    assert response.status_code == 200 and "These rules are not valid" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(CellSettings, demo.kp1.id) is None
        assert rules_for_cell(demo.kp1.id) == DEFAULT_RULES
