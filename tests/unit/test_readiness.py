"""The spec-readiness rubric: weights, level boundaries, the hard gate, gap sentences, evidence."""

from __future__ import annotations

import itertools

import pytest

from triage_tui.core.model import Item
from triage_tui.core.readiness import (
    CRITERIA,
    GATE,
    NEEDS_WORK_AT,
    READY_AT,
    WEIGHTS,
    Level,
    assess,
    detect_evidence,
    gap_sentence,
)
from triage_tui.core.session import Mark

M, P, X = Mark.MET, Mark.PARTIAL, Mark.MISSING
STRIPE = Item("PAY-114", "Build Stripe webhook ingestion service")


def marks(**by_number: Mark) -> dict[int, Mark]:
    """All met, except the criteria given as c1=..., c4=..."""
    result = dict.fromkeys(range(1, 8), M)
    for key, mark in by_number.items():
        result[int(key[1:])] = mark
    return result


def test_criteria_follow_domain_order_and_wording() -> None:
    assert [c.number for c in CRITERIA] == [1, 2, 3, 4, 5, 6, 7]
    assert [c.key for c in CRITERIA] == [
        "coherent_scope",
        "system_context",
        "io_contracts",
        "acceptance_criteria",
        "definition_of_done",
        "review_workflow",
        "no_tribal_knowledge",
    ]
    assert "beginning, middle and end" in CRITERIA[0].question
    assert "adjacent systems" in CRITERIA[1].question
    assert "input/output" in CRITERIA[2].question
    assert "outsider" in CRITERIA[3].question
    assert "same thing to everyone" in CRITERIA[4].question
    assert "named reviewer" in CRITERIA[5].question
    assert "people's heads" in CRITERIA[6].question


def test_weights_are_pinned() -> None:
    assert WEIGHTS == {1: 12, 2: 14, 3: 14, 4: 20, 5: 18, 6: 10, 7: 12}
    assert sum(WEIGHTS.values()) == 100
    # Acceptance criteria and definition of done weigh most.
    heaviest = sorted(WEIGHTS, key=WEIGHTS.__getitem__, reverse=True)[:2]
    assert set(heaviest) == {4, 5}
    # Halves stay whole numbers.
    assert all(weight % 2 == 0 for weight in WEIGHTS.values())
    assert GATE == (4, 5)
    assert (READY_AT, NEEDS_WORK_AT) == (80, 50)


def test_level_values_are_what_the_plan_writes() -> None:
    assert [level.value for level in Level] == ["ready", "needs_work", "not_ready"]
    assert Level.NEEDS_WORK.label == "needs work"


@pytest.mark.parametrize(
    ("given", "score", "level", "gated"),
    [
        (marks(), 100, Level.READY, False),
        (dict.fromkeys(range(1, 8), P), 50, Level.NEEDS_WORK, False),
        ({}, 0, Level.NOT_READY, False),
        (marks(c2=X, c7=P), 80, Level.READY, False),  # exactly the ready boundary
        (marks(c2=X, c3=P), 79, Level.NEEDS_WORK, False),  # one below
        ({4: M, 5: P, 2: M, 3: P}, 50, Level.NEEDS_WORK, False),  # exactly needs-work
        ({4: M, 5: P, 2: M, 1: P}, 49, Level.NOT_READY, False),  # one below
        (marks(c4=X), 80, Level.NOT_READY, True),  # hard gate: acceptance criteria
        (marks(c5=X), 82, Level.NOT_READY, True),  # hard gate: definition of done
        (marks(c4=P, c5=P), 81, Level.READY, False),  # partial is not missing
        (marks(c6=X, c7=P), 84, Level.READY, False),
        (marks(c1=X, c6=X), 78, Level.NEEDS_WORK, False),
    ],
)
def test_score_and_level(given: dict[int, Mark], score: int, level: Level, gated: bool) -> None:
    assessment = assess(STRIPE, given)
    assert assessment.score == score
    assert assessment.level is level
    assert assessment.gated is gated


def test_unanswered_counts_as_missing_and_gate_applies() -> None:
    answered = {n: M for n in range(1, 8) if n != 5}
    assert assess(STRIPE, answered) == assess(STRIPE, {**answered, 5: X})
    assert assess(STRIPE, answered).level is Level.NOT_READY


def test_gate_holds_for_every_combination() -> None:
    for combo in itertools.product((X, P, M), repeat=7):
        given = dict(zip(range(1, 8), combo, strict=True))
        assessment = assess(STRIPE, given)
        expected_score = sum(
            WEIGHTS[n] if m is M else WEIGHTS[n] // 2 if m is P else 0 for n, m in given.items()
        )
        assert assessment.score == expected_score
        if given[4] is X or given[5] is X or expected_score < NEEDS_WORK_AT:
            assert assessment.level is Level.NOT_READY
        elif expected_score >= READY_AT:
            assert assessment.level is Level.READY
        else:
            assert assessment.level is Level.NEEDS_WORK
        assert len(assessment.gaps) == 7 - len(assessment.met)


def test_gap_sentences_name_the_item() -> None:
    assessment = assess(STRIPE, marks(c3=X, c6=P))
    assert assessment.met == (1, 2, 4, 5, 7)
    assert assessment.partial == (6,)
    assert assessment.missing == (3,)
    assert assessment.gaps == (
        "Write the input/output contract for “Build Stripe webhook ingestion service”: "
        "endpoints, payloads, error cases.",
        "Finish the review workflow for “Build Stripe webhook ingestion service”: a named "
        "reviewer, written feedback, decisions recorded where they persist.",
    )


def test_every_gap_sentence_is_concrete() -> None:
    title = "Build Stripe webhook ingestion service"
    for criterion in CRITERIA:
        missing = gap_sentence(criterion.number, title, X)
        partial = gap_sentence(criterion.number, title, P)
        assert f"“{title}”" in missing and f"“{title}”" in partial
        assert partial.startswith("Finish")
        assert not missing.startswith("Finish")
        assert missing != partial
        assert gap_sentence(criterion.number, title, M) == ""
    assert gap_sentence(4, title).startswith("Write acceptance criteria for")
    assert gap_sentence(5, title).startswith("Agree a definition of done for")
    assert gap_sentence(6, title).startswith("Name a reviewer for")


def test_long_titles_are_shortened_in_gaps() -> None:
    sentence = gap_sentence(3, "Build " + "very " * 40 + "long service")
    assert "…”" in sentence
    assert len(sentence) < 160


DESCRIPTION = """\
## Context
Stripe events are polled by a cron job. Design: https://docs.acme.example/design/stripe

## API
`POST /webhooks/stripe` with the raw Stripe payload.

## Acceptance criteria
- [ ] Given a signed event, when it arrives twice, then it is stored once.

## Definition of done
Deployed to staging and production, runbook written.

Reviewer: @dana
Ask Marta about the retry quirk.
"""


def test_detect_evidence_carries_the_text_found() -> None:
    found = detect_evidence(Item("A", "Stripe", DESCRIPTION))
    assert {n: (e.mark, e.found) for n, e in found.items()} == {
        2: (M, "## Context"),
        3: (M, "`POST /webhooks/stripe` with the raw Stripe payload."),
        4: (M, "## Acceptance criteria"),
        5: (M, "## Definition of done"),
        6: (M, "Reviewer: @dana"),
        7: (X, "Ask Marta about the retry quirk."),
    }


@pytest.mark.parametrize(
    ("description", "criterion", "mark", "found"),
    [
        ("Given a customer\nWhen they pay\nThen a receipt is sent", 4, M, "Given a customer"),
        ("- [ ] exports all rows\n- [ ] streams", 4, P, "- [ ] exports all rows"),
        ('```json\n{"id": 1}\n```', 3, M, '{"id": 1}'),  # the block's first line, not its fence
        ("{code:http}\nPOST /x\n{code}", 3, M, "POST /x"),
        ('{"invoice_id": "inv_1"}', 3, M, '{"invoice_id": "inv_1"}'),
        ("The response lists every invoice.", 3, P, "The response lists every invoice."),
        ("h3. Acceptance Criteria\n* works", 4, M, "h3. Acceptance Criteria"),
        ("*DoD:* merged and deployed", 5, M, "*DoD:* merged and deployed"),
        ("Done when finance reads from BigQuery.", 5, M, "Done when finance reads from BigQuery."),
        (
            "Nightly, and shipped when finance agrees.",
            5,
            P,
            "Nightly, and shipped when finance agrees.",
        ),
        (
            "See https://wiki.acme.example/adr/0007 for why.",
            2,
            M,
            "See https://wiki.acme.example/adr/0007 for why.",
        ),
        ("There is an RFC somewhere.", 2, P, "There is an RFC somewhere."),
        ("## Out of scope\nRefunds.", 1, M, "## Out of scope"),
        ("Feedback in code review.", 6, P, "Feedback in code review."),
        ("As discussed in the call last week.", 7, X, "As discussed in the call last week."),
        ("Only Bob knows how the cron works.", 7, X, "Only Bob knows how the cron works."),
    ],
)
def test_evidence_rules(description: str, criterion: int, mark: Mark, found: str) -> None:
    evidence = detect_evidence(Item("A", "T", description))
    assert criterion in evidence, evidence
    assert evidence[criterion].mark is mark
    assert evidence[criterion].found == found
    assert evidence[criterion].criterion == criterion


def test_no_description_no_evidence() -> None:
    assert detect_evidence(Item("A", "Build Stripe webhook ingestion service")) == {}
    assert detect_evidence(Item("A", "T", "Customers complain it is slow.")) == {}


def test_clip_is_the_text_rule_from_sanitize() -> None:
    # The screens import clip from here; the rule itself lives in core/sanitize.py
    # (test_sanitize covers it).
    from triage_tui.core import readiness, sanitize

    assert readiness.clip is sanitize.clip
