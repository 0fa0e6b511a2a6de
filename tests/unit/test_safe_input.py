import pytest

from core.safe_input import problem


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param({"title": "Nguyễn Văn An"}, None, id="vietnamese-ok"),
        pytest.param({"text": "line\nbreak\ttab\r"}, None, id="whitespace-ok"),
        pytest.param({"n": 5, "f": 1.5, "b": True, "z": None, "l": [1, "a"]}, None, id="types-ok"),
        pytest.param({"t": "a\x00b"}, "forbidden character", id="nul"),
        pytest.param({"t": "\x1b[31m"}, "forbidden character", id="escape"),
        pytest.param({"t": "\ud800"}, "forbidden character", id="lone-surrogate"),
        pytest.param({"\ud83d": 1}, "forbidden character", id="surrogate-key"),
        pytest.param({"t": "x" * 100_001}, "text too long", id="huge"),
        pytest.param({"n": 2**60}, "number out of range", id="big-int"),
        pytest.param({"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}, "too deep", id="deep"),
        pytest.param({"l": list(range(1001))}, "too many items", id="long-list"),
        pytest.param({"o": object()}, "unsupported type", id="object"),
    ],
)
def test_problem(value, reason):
    assert problem(value) == reason
