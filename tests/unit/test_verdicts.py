"""Verdicts: what is said (structured parts) and how it reads in English and Vietnamese.

The Vietnamese catalog is filled by the translator pass; until then this test compiles the
proposed translations below (also listed in docs/voting.md) into a temporary catalog, so the
test checks the real mechanism: gettext templates + Babel's number format (85,7%).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask_babel import Babel, force_locale

from domain.rules import DEFAULT_RULES, VoteKind
from meetings.voting import tally, verdict
from org.vote_rules import rule_json

PROPOSED_VI = {
    "more than half of the official members": "trên một nửa số đảng viên chính thức",
    "at least two thirds of the official members": "ít nhất hai phần ba số đảng viên chính thức",
    "more than half of the ballots cast": "trên một nửa số phiếu biểu quyết",
    "at least two thirds of the ballots cast": "ít nhất hai phần ba số phiếu biểu quyết",
    "Passed: %(yes)s/%(total)s comrades agreed (%(percent)s), reaching %(rule)s":
        "Thông qua: %(yes)s/%(total)s đồng chí tán thành (%(percent)s), đạt %(rule)s",
    "Not passed: %(yes)s/%(total)s comrades agreed (%(percent)s), not reaching %(rule)s":
        "Không thông qua: %(yes)s/%(total)s đồng chí tán thành (%(percent)s), "
        "không đạt %(rule)s",
    "Decided: %(option)s, %(votes)s/%(total)s comrades voted for it (%(percent)s), "
    "reaching %(rule)s":
        "Quyết định: %(option)s, %(votes)s/%(total)s đồng chí biểu quyết (%(percent)s), "
        "đạt %(rule)s",
    "Decided: %(option)s, %(votes)s/%(total)s comrades voted for it or a heavier form "
    "(%(percent)s, counted cumulatively), reaching %(rule)s":
        "Quyết định: %(option)s, %(votes)s/%(total)s đồng chí biểu quyết hình thức này hoặc "
        "nặng hơn (%(percent)s, cộng dồn), đạt %(rule)s",
    "No discipline: even counted cumulatively, %(option)s has only %(votes)s/%(total)s "
    "votes (%(percent)s), not reaching %(rule)s":
        "Không kỷ luật: cộng dồn đến mức %(option)s chỉ có %(votes)s/%(total)s phiếu "
        "(%(percent)s), không đạt %(rule)s",
    "Elected, each reaching %(rule)s: %(names)s": "Trúng cử (mỗi người đạt %(rule)s): %(names)s",
    "Tie for the last seat between %(names)s (%(votes)s/%(total)s votes each): "
    "a new round is needed":
        "Số phiếu bằng nhau ở chỗ cuối cùng giữa %(names)s (mỗi người %(votes)s/%(total)s "
        "phiếu): cần bầu vòng mới",
    "%(seats)s seat(s) not filled: no other candidate reached %(rule)s":
        "Còn %(seats)s chỗ chưa bầu được: không ứng cử viên nào khác đạt %(rule)s",
    "Nobody elected: no candidate reached %(rule)s":
        "Không ai trúng cử: không ứng cử viên nào đạt %(rule)s",
    "expulsion": "khai trừ",
    "removal from post": "cách chức",
    "warning": "cảnh cáo",
    "reprimand": "khiển trách",
    "Agree": "Tán thành",
    "Disagree": "Không tán thành",
    "Abstain": "Không biểu quyết",
}  # fmt: skip


@pytest.fixture(scope="module")
def babel_app(tmp_path_factory):
    directory = tmp_path_factory.mktemp("translations")
    catalog = Catalog(locale="vi")
    for msgid, msgstr in PROPOSED_VI.items():
        catalog.add(msgid, msgstr)
    target = directory / "vi" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory)
    Babel(app)
    with app.app_context():
        yield app


HALF = {"majority": "more_than_half", "denominator": "base"}
TWO_THIRDS = {"majority": "at_least_two_thirds", "denominator": "base"}
HALF_CAST = {"majority": "more_than_half", "denominator": "voting"}
MOTION = [{"key": k, "label": None} for k in ("agree", "disagree", "abstain")]


def motion(agree, disagree, abstain, base, threshold):
    rule = {"threshold": threshold}
    counts = {"agree": agree, "disagree": disagree, "abstain": abstain}
    return rule, tally.result(VoteKind.RESOLUTION, MOTION, base, rule, counts, sum(counts.values()))


CASES = [
    pytest.param(
        *motion(12, 1, 1, 14, HALF),
        "Passed: 12/14 comrades agreed (85.7%), reaching more than half of the official members",
        "Thông qua: 12/14 đồng chí tán thành (85,7%), đạt trên một nửa số đảng viên chính thức",
        id="issue-example",
    ),
    pytest.param(
        *motion(5, 3, 2, 10, HALF),
        "Not passed: 5/10 comrades agreed (50.0%), not reaching more than half of the official "
        "members",
        "Không thông qua: 5/10 đồng chí tán thành (50,0%), không đạt trên một nửa số đảng viên "
        "chính thức",
        id="exactly-half-fails",
    ),
    pytest.param(
        *motion(6, 2, 1, 9, TWO_THIRDS),
        "Passed: 6/9 comrades agreed (66.7%), reaching at least two thirds of the official "
        "members",
        "Thông qua: 6/9 đồng chí tán thành (66,7%), đạt ít nhất hai phần ba số đảng viên chính "
        "thức",
        id="exactly-two-thirds-passes",
    ),
    pytest.param(
        *motion(4, 3, 1, 12, HALF_CAST),
        "Not passed: 4/8 comrades agreed (50.0%), not reaching more than half of the ballots cast",
        "Không thông qua: 4/8 đồng chí tán thành (50,0%), không đạt trên một nửa số phiếu biểu "
        "quyết",
        id="procedural-of-ballots-cast",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "result", "english", "vietnamese"), CASES)
def test_motion_verdict_in_both_languages(babel_app, rule, result, english, vietnamese):
    with force_locale("en"):
        assert verdict.verdict_text("resolution", MOTION, rule, result) == english
    with force_locale("vi"):
        assert verdict.verdict_text("resolution", MOTION, rule, result) == vietnamese


def test_verdict_parts_are_structured():
    rule, result = motion(12, 1, 1, 14, HALF)
    [part] = verdict.verdict_parts("resolution", MOTION, rule, result)
    assert part.key == "motion_passed"
    assert dict(part.values) == {"yes": 12, "total": 14, "percent": Fraction(6, 7), "rule": HALF}


DISCIPLINE = [{"key": k, "label": None} for k in tally.option_keys(VoteKind.DISCIPLINE)]
DISCIPLINE_RULE = rule_json(DEFAULT_RULES, VoteKind.DISCIPLINE)


def discipline(exp, rem, warn, rep, none, base):
    counts = dict(
        zip(tally.option_keys(VoteKind.DISCIPLINE), (exp, rem, warn, rep, none), strict=True)
    )
    return tally.result(
        VoteKind.DISCIPLINE, DISCIPLINE, base, DISCIPLINE_RULE, counts, sum(counts.values())
    )


@pytest.mark.parametrize(
    ("result", "key", "english", "vietnamese"),
    [
        pytest.param(
            discipline(6, 0, 0, 0, 3, 9), "discipline_direct",
            "Decided: expulsion, 6/9 comrades voted for it (66.7%), reaching at least two thirds "
            "of the official members",
            "Quyết định: khai trừ, 6/9 đồng chí biểu quyết (66,7%), đạt ít nhất hai phần ba số "
            "đảng viên chính thức",
            id="expulsion-two-thirds",
        ),
        pytest.param(
            discipline(5, 0, 0, 0, 4, 9), "discipline_cumulative",
            "Decided: removal from post, 5/9 comrades voted for it or a heavier form (55.6%, "
            "counted cumulatively), reaching more than half of the official members",
            "Quyết định: cách chức, 5/9 đồng chí biểu quyết hình thức này hoặc nặng hơn (55,6%, "
            "cộng dồn), đạt trên một nửa số đảng viên chính thức",
            id="cumulative-to-removal",
        ),
        pytest.param(
            discipline(2, 1, 1, 1, 5, 10), "discipline_none",
            "No discipline: even counted cumulatively, reprimand has only 5/10 votes (50.0%), "
            "not reaching more than half of the official members",
            "Không kỷ luật: cộng dồn đến mức khiển trách chỉ có 5/10 phiếu (50,0%), không đạt "
            "trên một nửa số đảng viên chính thức",
            id="none",
        ),
    ],
)  # fmt: skip
def test_discipline_verdict(babel_app, result, key, english, vietnamese):
    [part] = verdict.verdict_parts("discipline", DISCIPLINE, DISCIPLINE_RULE, result)
    assert part.key == key
    with force_locale("en"):
        assert verdict.render([part]) == english
    with force_locale("vi"):
        assert verdict.render([part]) == vietnamese


CANDIDATES = [{"key": f"c{i}", "label": n} for i, n in enumerate(["An", "Bình", "Cường"], 1)]
ELECTION_RULE = rule_json(DEFAULT_RULES, VoteKind.ELECTION)


@pytest.mark.parametrize(
    ("counts", "seats", "keys", "english", "vietnamese"),
    [
        pytest.param(
            {"c1": 10, "c2": 7, "c3": 7}, 2, ["election_elected", "election_tie"],
            "Elected, each reaching more than half of the official members: An (10/12, 83.3%). "
            "Tie for the last seat between Bình, Cường (7/12 votes each): a new round is needed",
            "Trúng cử (mỗi người đạt trên một nửa số đảng viên chính thức): An (10/12, 83,3%). "
            "Số phiếu bằng nhau ở chỗ cuối cùng giữa Bình, Cường (mỗi người 7/12 phiếu): cần "
            "bầu vòng mới",
            id="tie-at-last-seat",
        ),
        pytest.param(
            {"c1": 10, "c2": 6, "c3": 5}, 2, ["election_elected", "election_unfilled"],
            "Elected, each reaching more than half of the official members: An (10/12, 83.3%). "
            "1 seat(s) not filled: no other candidate reached more than half of the official "
            "members",
            "Trúng cử (mỗi người đạt trên một nửa số đảng viên chính thức): An (10/12, 83,3%). "
            "Còn 1 chỗ chưa bầu được: không ứng cử viên nào khác đạt trên một nửa số đảng viên "
            "chính thức",
            id="seat-left",
        ),
        pytest.param(
            {"c1": 6, "c2": 6, "c3": 0}, 1, ["election_nobody"],
            "Nobody elected: no candidate reached more than half of the official members",
            "Không ai trúng cử: không ứng cử viên nào đạt trên một nửa số đảng viên chính thức",
            id="exactly-half-nobody",
        ),
    ],
)  # fmt: skip
def test_election_verdict(babel_app, counts, seats, keys, english, vietnamese):
    result = tally.result(VoteKind.ELECTION, CANDIDATES, 12, ELECTION_RULE, counts, 12, seats)
    parts = verdict.verdict_parts("election", CANDIDATES, ELECTION_RULE, result)
    assert [p.key for p in parts] == keys
    with force_locale("en"):
        assert verdict.render(parts) == english
    with force_locale("vi"):
        assert verdict.render(parts) == vietnamese


def test_result_lines_are_localised(babel_app):
    rule, result = motion(12, 1, 1, 14, HALF)
    with force_locale("vi"):
        assert verdict.result_lines(MOTION, result) == [
            ("agree", "Tán thành", 12, "85,7%"),
            ("disagree", "Không tán thành", 1, "7,1%"),
            ("abstain", "Không biểu quyết", 1, "7,1%"),
        ]
    with force_locale("en"):
        assert verdict.rule_text("resolution", rule, 14) == (
            "Agree votes must reach more than half of the official members (base figure: 14)"
        )
        assert verdict.rule_text("discipline", DISCIPLINE_RULE, 9).startswith(
            "expulsion: at least two thirds of the official members; removal from post: more "
            "than half"
        )


def test_cell_settings_override_the_defaults():
    from org.vote_rules import merge_rules

    rules = merge_rules(
        {
            "thresholds": {"resolution": TWO_THIRDS},
            "allowed_methods": {"admission": ["show_of_hands"]},
            "default_methods": {"admission": "show_of_hands"},
        }
    )
    assert rule_json(rules, VoteKind.RESOLUTION) == {"threshold": TWO_THIRDS}
    assert rules.default_methods[VoteKind.ADMISSION] == "show_of_hands"
    assert merge_rules(None) == DEFAULT_RULES
    with pytest.raises(ValueError, match="secret ballot only"):
        merge_rules({"allowed_methods": {"discipline": ["show_of_hands", "secret"]}})
