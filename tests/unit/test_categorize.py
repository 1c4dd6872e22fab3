"""The ownership/scope questions and the suggestion engine, on realistic backlog items."""

from __future__ import annotations

import pytest

from triage_tui.core.categorize import (
    ALL_QUESTIONS,
    OWNERSHIP_QUESTIONS,
    SCOPE_QUESTIONS,
    Hit,
    lean_from_signals,
    signals_for,
    suggest,
)
from triage_tui.core.model import Item
from triage_tui.core.session import Category

H, P, U = Category.HIRING, Category.PROJECT, Category.UNDECIDED

# (title, description, labels, expected category, words the reason must name)
CASES: list[tuple[str, str, tuple[str, ...], Category, tuple[str, ...]]] = [
    # project: a finish line
    ("Migrate billing to Postgres 16", "", (), P, ("'migrate'", "'Postgres 16'")),
    (
        "Build Stripe webhook ingestion service",
        "Receive Stripe webhooks and write them to stripe_events.",
        ("payments",),
        P,
        ("'build'", "'webhook'"),
    ),
    (
        "SSO via SAML 2.0 for enterprise customers",
        "Okta and Azure AD first.",
        (),
        P,
        ("'SSO'", "'SAML'"),
    ),
    ("Salesforce integration for closed-won accounts", "", ("crm",), P, ("'integration'",)),
    (
        "Invoice CSV export endpoint",
        "GET /v1/invoices/export returns CSV.",
        (),
        P,
        ("'export'", "'endpoint'"),
    ),
    (
        "Upgrade Django 3.2 to 4.2 LTS",
        "Deprecation warnings are already fixed.",
        (),
        P,
        ("'upgrade'", "'Django 3.2'"),
    ),
    (
        "Import historical invoices from Chargebee",
        "One-time backfill of 40k invoices.",
        (),
        P,
        ("'import'",),
    ),
    (
        "Retire the legacy PHP admin panel",
        "Rebuild four screens, then switch it off.",
        (),
        P,
        ("'retire'",),
    ),
    (
        "QuickBooks Online sync",
        "Sync invoices and payments nightly.",
        ("integration",),
        P,
        ("'sync'",),
    ),
    ("Add idempotency keys to POST /v1/charges", "", (), P, ("'POST /v1/charges'",)),
    ("Generate a typed API client for the public API", "", (), P, ("'API client'",)),
    # hiring: ownership for years
    (
        "Own the payments platform's on-call and reliability",
        "",
        ("payments",),
        H,
        ("'own'", "'on-call'", "'reliability'"),
    ),
    (
        "Decide the event-sourcing architecture for the ledger",
        "Whoever decides lives with it.",
        ("architecture",),
        H,
        ("'architecture'",),
    ),
    (
        "Platform lead for the data pipeline",
        "Long-term roadmap and strategy for ingestion.",
        (),
        H,
        ("'platform lead'",),
    ),
    (
        "Define SLOs and incident response for the public API",
        "",
        ("sre",),
        H,
        ("'SLOs'", "'incident'"),
    ),
    (
        "Billing domain ownership (proration, credits, tax)",
        "Someone has to maintain this for years.",
        (),
        H,
        ("'ownership'", "'maintain'"),
    ),
    (
        "Reliability of the job queue, day to day",
        "Page the owner, not whoever is awake.",
        ("on-call",),
        H,
        ("'reliability'",),
    ),
    # undecided: signals both ways
    ("Build and own the notifications service", "", (), U, ("both ways", "'build'", "'own'")),
    (
        "Migrate to Kafka and own the event architecture",
        "",
        (),
        U,
        ("both ways", "'migrate'", "'architecture'"),
    ),
    (
        "Integrate PagerDuty and take over on-call",
        "",
        (),
        U,
        ("both ways", "'integrate'", "'on-call'"),
    ),
    # undecided: nothing to go on, or too little
    ("Make search fast again", "Customers complain.", (), U, ("No signals found",)),
    ("Fix flaky tests in CI", "", (), U, ("No signals found",)),
    (
        "Dunning flow for failed card payments",
        "Retry cards, email customers.",
        (),
        U,
        ("No signals found",),
    ),
    (
        "Audit log for admin actions",
        "We might build this later.",
        (),
        U,
        ("Too little to go on", "'build'", "description"),
    ),
]


@pytest.mark.parametrize(
    ("title", "description", "labels", "expected", "words"), CASES, ids=[c[0][:40] for c in CASES]
)
def test_suggestion_category_and_reason(
    title: str,
    description: str,
    labels: tuple[str, ...],
    expected: Category,
    words: tuple[str, ...],
) -> None:
    suggestion = suggest(Item("X-1", title, description, labels))
    assert suggestion.category is expected, suggestion.reason
    for word in words:
        assert word in suggestion.reason
    assert suggestion.reason.endswith(".")


def test_at_least_twenty_cases_with_ambiguous_ones() -> None:
    assert len(CASES) >= 20
    assert sum(1 for case in CASES if case[3] is U) >= 5


def test_reason_sentence_for_a_project_reads_as_documented() -> None:
    suggestion = suggest(Item("INFRA-31", "Migrate billing to Postgres 16"))
    assert suggestion.reason == "'migrate', 'Postgres 16' point to a project with a finish line."
    assert suggestion.hits == (
        Hit("migrate", P, "title"),
        Hit("Postgres 16", P, "title"),
    )
    assert suggestion.project_score == 6
    assert suggestion.hiring_score == 0


def test_weaker_other_side_is_named_but_does_not_flip_the_suggestion() -> None:
    item = Item(
        "A", "Migrate the invoices table to the new schema", "Keep maintenance windows short."
    )
    suggestion = suggest(item)
    assert suggestion.category is P
    assert "'maintenance' points the other way, more weakly" in suggestion.reason


def test_title_weighs_more_than_description() -> None:
    # One title word outweighs one description word on the other side.
    suggestion = suggest(Item("A", "Webhook retries", "Maybe the owner should decide."))
    assert suggestion.category is P


def test_word_boundaries() -> None:
    # "known", "builder", "imported-ish" fragments, "ownerless" must not match.
    for title in ("Well-known issue", "Query builder cleanup", "Important fix", "Sownload page"):
        assert suggest(Item("A", title)).hits == (), title
    assert [h.word for h in suggest(Item("A", "on-call handbook")).hits] == ["on-call"]


def test_repeated_word_counts_once_per_field() -> None:
    once = suggest(Item("A", "x", "migrate"))
    many = suggest(Item("A", "x", "migrate, Migrate and migrate again"))
    assert once.project_score == many.project_score == 1
    # A plural is the same signal as its singular.
    assert suggest(Item("A", "x", "webhook webhooks")).project_score == 1


def test_labels_count() -> None:
    suggestion = suggest(Item("A", "Ledger work", "", ("migration",)))
    assert suggestion.category is P
    assert suggestion.hits[0].where == "labels"


def test_long_reason_names_at_most_four_words() -> None:
    item = Item("A", "Own on-call, reliability, incidents, SLOs, roadmap and strategy")
    suggestion = suggest(item)
    assert suggestion.category is H
    assert "and 3 more" in suggestion.reason


def test_never_suggests_parked() -> None:
    for case in CASES:
        assert suggest(Item("A", case[0], case[1], case[2])).category is not Category.PARKED


def test_questions_trace_to_domain() -> None:
    assert len(OWNERSHIP_QUESTIONS) == 3
    assert len(SCOPE_QUESTIONS) == 3
    assert all(q.points_to is H for q in OWNERSHIP_QUESTIONS)
    assert all(q.points_to is P for q in SCOPE_QUESTIONS)
    texts = " ".join(q.text for q in ALL_QUESTIONS)
    for phrase in (
        "compound over years",
        "institutional knowledge",
        "on-call",
        "beginning, a middle and an end",
        "migration",
        "three years",
    ):
        assert phrase in texts
    assert len({q.key for q in ALL_QUESTIONS}) == 6
    assert signals_for(H) == OWNERSHIP_QUESTIONS
    assert signals_for(P) == SCOPE_QUESTIONS
    assert signals_for(Category.PARKED) == ()


def test_lean_from_signals() -> None:
    assert lean_from_signals(["finish_line", "no_payroll"]) is P
    assert lean_from_signals(["production_accountability"]) is H
    assert lean_from_signals(["finish_line", "production_accountability"]) is U
    assert lean_from_signals(["unknown"]) is U


def test_many_items_stay_cheap() -> None:
    # Correctness over a big synthetic backlog; no timing assertion (see STYLE.md).
    items = [Item(str(i), f"Migrate service {i} to Postgres 16", "x " * 200) for i in range(2000)]
    assert all(suggest(item).category is P for item in items)
