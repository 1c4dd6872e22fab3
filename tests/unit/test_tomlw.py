"""The plan's TOML writer gives exactly tomli-w's bytes, on plans and on any document."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage_tui import tomlw

# Keys and strings lean on what escaping must get right: quotes, backslashes, controls,
# CR/LF pairs, tabs, non-ASCII, and keys that need quoting.
_TRICKY = st.sampled_from(
    ['"', "\\", "\n", "\r\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\x08", "\x0c", "é", "—", "'''"]
)
_TEXT = st.lists(
    st.one_of(st.text(st.characters(max_codepoint=0x3FF), max_size=6), _TRICKY), max_size=5
).map("".join)
_KEYS = st.one_of(st.sampled_from(["id", "title", "a-b_9", "Extra"]), _TEXT)
_SCALARS = st.one_of(
    _TEXT,
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
)  # dates and times: see test_plan_shaped_document
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(_KEYS, inner, max_size=4),
    ),
    max_leaves=8,
)
_DOCUMENTS = st.dictionaries(
    _KEYS,
    st.one_of(_VALUES, st.lists(st.dictionaries(_KEYS, _VALUES, max_size=5), max_size=4)),
    max_size=4,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENTS, st.booleans(), st.sampled_from([0, 2, 4]))
def test_same_text_as_tomli_w(document: dict[str, Any], multiline: bool, indent: int) -> None:
    expected = tomli_w.dumps(document, multiline_strings=multiline, indent=indent)
    assert tomlw.dumps(document, multiline_strings=multiline, indent=indent) == expected


def test_plan_shaped_document() -> None:
    document = {
        "schema": "triage-tui/plan/1",
        "meta": {"created": "2026-03-02T09:30:00Z", "scope": {}, "minutes": 45},
        "items": [
            {
                "id": "PAY-1",
                "title": 'Quote " and back\\slash',
                "description": 'line one\r\nline two\n\ttabbed\x01 and """ quotes\n',
                "labels": ["a", "b"],
                "extra": {"Custom field (x)": "1", "plain": "y"},
                "readiness": {"score": 80, "met": [], "gaps": ["Write it."]},
            },
            {"id": "PAY-2", "title": "short", "labels": []},
        ],
        "small": [{"a": 1}, {"b": "two"}],  # short tables: written inline, as tomli-w does
        "when": [date(2026, 1, 2), datetime(2026, 1, 2, 3, 4, 5), time(1, 2)],
        "money": Decimal("1.5"),
    }
    assert tomlw.dumps(document, multiline_strings=True) == tomli_w.dumps(
        document, multiline_strings=True
    )


@pytest.mark.parametrize(
    "bad", [{"x": object()}, {1: "x"}, {"t": time(1, tzinfo=datetime.now().astimezone().tzinfo)}]
)
def test_refuses_what_tomli_w_refuses(bad: dict[Any, Any]) -> None:
    with pytest.raises((TypeError, ValueError)) as ours:
        tomlw.dumps(bad)
    with pytest.raises((TypeError, ValueError)) as theirs:
        tomli_w.dumps(bad)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)
