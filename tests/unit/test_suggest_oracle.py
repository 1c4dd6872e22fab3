"""The faster suggestion engine gives exactly what the engine of 6117f70 gave (kept verbatim
in tests/unit/suggest_oracle.py), field by field, on generated texts made of the lexicon's
own words, its phrases, the section and code markers, punctuation and other scripts: the
texts where a cheaper matcher or a memo could differ (issue 24)."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit import suggest_oracle as oracle
from triage_tui.core import categorize
from triage_tui.core.categorize import ALL_KEYS, suggest, suggest_reason
from triage_tui.core.model import Item

#: Every term of the lexicon, in the cases items write them, and the words around them.
_TERMS = sorted(categorize._LEXICON.terms)
_PIECES = [
    *_TERMS,
    *(term.upper() for term in _TERMS[::7]),
    *(term.capitalize() for term in _TERMS[::5]),
    *categorize.PARK_TITLE_STARTS,
    *categorize.PROJECT_TITLE_STARTS,
    *sorted(categorize.VAGUE_TITLE_WORDS),
    "prefix",
    "fixed",
    "the",
    "for",
    "a",
    "we",
    "own",
    "keep it current",
    "keeps the SDKs up to date",
    "maintain the health",
    "Postgres 16",
    "django 3.2 to 4.2",
    "v1 → v2",
    "12 -> 14",
    "GET /v1/charges",
    "POST /x/{id}",
    "## Out of scope",
    "h2. Non-goals",
    "**Not in scope**",
    "Out of scope:",
    "Notes:",
    "# Heading",
    "```",
    "~~~",
    "{code}",
    "{noformat}",
    "{quote}",
    "`inline`",
    "{{mono}}",
    "[BUG]",
    "(p1)",
    "fix:",
    "feat/",
    "?",
    "-",
    "'",
    "’",
    "—",
    "…",
    "é",
    "İ",
    "ß",
    "ﬁx",
    "\u200b",
    "\x1b[31m",
    "\x1c",
    "\x1f",
    "\x85",
    "\t",
]
_GLUE = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", ", ", ". ", ": ", "-", "/", "", "'"])
_TEXT = st.lists(st.tuples(st.sampled_from(_PIECES), _GLUE), max_size=14).map(
    lambda parts: "".join(piece + glue for piece, glue in parts)
)
_FREE = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJK-'?:/.\n#*{}`0123456789é")
    ),
    max_size=40,
)
_ANY_TEXT = st.one_of(_TEXT, _TEXT, _TEXT, _FREE, st.text(max_size=30))
_LABELS = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=12)), max_size=4).map(tuple)
_KIND = st.sampled_from(["", "Bug", " bug ", "Defect", "Incident fix", "Story", "Task"])
_SIGNALS = st.lists(st.sampled_from([*ALL_KEYS, "unknown"]), max_size=4)


def _fields(suggestion: Any) -> dict[str, Any]:
    return {field.name: getattr(suggestion, field.name) for field in dataclasses.fields(suggestion)}


def _same(
    title: str, description: str, labels: tuple[str, ...], kind: str, signals: list[str]
) -> None:
    item = Item("X-1", title, description, labels=labels, type=kind)
    assert _fields(suggest(item, signals)) == _fields(oracle.suggest(item, signals))
    assert suggest_reason(title, description, labels, kind) == oracle.suggest_reason(
        title, description, labels, kind
    )


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(_ANY_TEXT, _ANY_TEXT, _LABELS, _KIND, _SIGNALS)
def test_the_engine_is_the_oracle_on_generated_items(
    title: str, description: str, labels: tuple[str, ...], kind: str, signals: list[str]
) -> None:
    _same(title, description, labels, kind, signals)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(_ANY_TEXT, _ANY_TEXT, _LABELS, _KIND), min_size=2, max_size=6))
def test_items_read_one_after_another_do_not_leak_into_each_other(
    items: list[tuple[str, str, tuple[str, ...], str]],
) -> None:
    # The engine memoises what it can: the same items, in any order, get the same answers.
    for title, description, labels, kind in [*items, *reversed(items)]:
        _same(title, description, labels, kind, [])


def test_the_remembered_answers_stay_bounded() -> None:
    # Each item a different set of project words: a new key each time.
    terms = ["bug", "crash", "regression", "flaky", "migrate", "upgrade", "integrate"]
    terms += ["deprecate", "decommission", "backfill", "webhook", "sync", "export"]
    categorize._DECIDED.clear()
    for index in range(1, categorize._DECIDED_MAX + 50):
        words = [term for bit, term in enumerate(terms) if (index >> bit) & 1]
        assert suggest_reason(" ".join(words)) == oracle.suggest_reason(" ".join(words))
        assert len(categorize._DECIDED) <= categorize._DECIDED_MAX
    assert 0 < len(categorize._DECIDED) < categorize._DECIDED_MAX


def test_items_with_the_same_words_share_the_answer_but_not_the_scores() -> None:
    first = Item("A-1", "Migrate the ledger", "Acceptance criteria below.")
    second = Item("A-2", "Migrate the billing export", "Acceptance criteria: none yet.")
    assert suggest(first).reason == oracle.suggest(first).reason
    assert _fields(suggest(second)) == _fields(oracle.suggest(second))
    assert suggest(first).open_question == oracle.suggest(first).open_question


@settings(max_examples=3000, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from(list("az09 \t\n\r\x0b\x0c\x1c\x1f.-(v")),
            st.characters(max_codepoint=127),
        ),
        max_size=24,
    )
)
def test_the_ascii_version_hint_is_the_regex(text: str) -> None:
    classes = text.encode().translate(categorize._HINT_CLASSES).decode()
    found = "a0" in classes or "a 0" in classes
    assert found == (categorize._VERSION_HINT.search(text) is not None)
