"""Every bundled sample and hand-made export fixture loads with exactly the expected items."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.core.model import Backlog, Comment, Link
from triage_tui.formats.loaders import load, scan

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_backlogs"
EXPORTS = ROOT / "tests" / "fixtures" / "exports"


def records(backlog: Backlog) -> list[tuple[str, str, tuple[str, ...], object]]:
    return [(item.id, item.title, item.labels, item.estimate) for item in backlog.items]


def test_acme_toml_demo() -> None:
    backlog = load(SAMPLES / "acme.toml")
    assert backlog.format == "toml"
    assert backlog.title == "Acme Ledger backend backlog, Q3"
    assert len(backlog.items) == 25
    assert [item.id for item in backlog.items] == [
        "PAY-101", "ARCH-12", "PAY-114", "INFRA-31", "INT-7", "SEC-4", "API-88", "PLAT-40",
        "BILL-23", "BILL-30", "PAY-120", "INT-9", "PLAT-41", "API-90", "SEC-6", "DATA-3",
        "PLAT-44", "PAY-125", "SEC-8", "PLAT-47", "PLAT-48", "ARCH-15", "ARCH-16", "PAY-130",
        "INT-12",
    ]  # fmt: skip
    items = backlog.by_id()
    assert records(backlog)[:4] == [
        ("PAY-101", "Own the payments platform's on-call and reliability", ("payments", "reliability"), None),
        ("ARCH-12", "Decide the event-sourcing architecture for the ledger", ("architecture", "ledger"), "ongoing"),
        ("PAY-114", "Build Stripe webhook ingestion service", ("payments", "integrations"), "2w"),
        ("INFRA-31", "Migrate Postgres 12 to 16 on RDS", ("infra", "database", "migration"), "3w"),
    ]  # fmt: skip
    assert items["SEC-4"].estimate == 13
    assert items["INT-9"].estimate == "M"
    assert items["PLAT-41"].description == ""
    assert items["PAY-114"].extra == {
        "design_doc": "https://docs.acme-ledger.example/design/stripe-webhooks"
    }
    assert items["PAY-101"].extra == {"priority": "P0"}
    assert "## Acceptance criteria" in items["PAY-114"].description
    assert "Given a valid signed event" in items["PAY-114"].description
    assert "POST /webhooks/stripe" in items["PAY-114"].description
    assert items["PAY-101"].line == 8
    assert all(item.title and item.line for item in backlog.items)
    assert len(backlog.sha256) == 64


def test_jira_cloud_all_fields_sample() -> None:
    backlog = load(SAMPLES / "jira-export.csv")
    assert backlog.format == "jira-csv"
    assert len(backlog.items) == 24
    assert dict(backlog.columns) == {
        "id": "Issue key",
        "title": "Summary",
        "description": "Description",
        "labels": "Labels, Components",
        "estimate": "Custom field (Story Points), Custom field (Story point estimate)",
        "status": "Status",
        "type": "Issue Type",
    }
    assert backlog.warnings == ()
    assert [item.id for item in backlog.items][:6] == [
        "ACME-212", "ACME-213", "ACME-220", "ACME-221", "ACME-198", "ACME-224",
    ]  # fmt: skip
    items = backlog.by_id()
    # Repeated Labels columns merged, then the Components (case-insensitive dedupe).
    assert records(backlog)[2] == (
        "ACME-220",
        "Stripe webhook ingestion service",
        ("payments", "webhooks", "stripe", "Integrations"),
        8,
    )
    # Team-managed "Story point estimate" used when "Story Points" is empty.
    assert items["ACME-221"].estimate == 13
    assert items["ACME-221"].title == "Upgrade RDS Postgres 12 → 16"
    assert items["ACME-242"].estimate == 3
    assert items["ACME-212"].estimate is None
    assert items["ACME-198"].status == "Done"
    assert items["ACME-244"].status == "Won't Do"
    assert items["ACME-213"].type == "Epic"
    assert items["ACME-230"].type == "Bug"
    # Wiki markup kept verbatim, CRLF inside cells normalised.
    description = items["ACME-220"].description
    assert description.startswith("h3. Context\n")
    assert "{code:http}\nPOST /webhooks/stripe" in description
    assert "\r" not in description
    # Other columns carried as extra; repeated ones joined.
    assert items["ACME-198"].extra["Sprint"] == "ACME Sprint 10, ACME Sprint 11"
    # Tracker bookkeeping is left out, and named once for the plan's [meta].
    assert "Issue id" not in items["ACME-220"].extra
    assert "Custom field (Rank)" not in items["ACME-220"].extra
    assert {"Issue id", "Custom field (Rank)", "Watchers", "Σ Time Spent"} <= set(
        backlog.columns_left_out
    )
    assert items["ACME-220"].extra["Priority"]
    # A comment keeps its date and text (a field of its own, not extra); the author's
    # account id is bookkeeping, left out.
    assert "Comment" not in items["ACME-212"].extra
    assert items["ACME-212"].comments == (
        Comment("2024-06-03 16:40", "", "Should this be a hire rather than a ticket?"),
    )
    assert items["ACME-243"].links == (Link("parent", "ACME-213"),)  # Parent: an issue id
    assert items["ACME-220"].extra["Project name"] == "Acme Ledger"
    assert "Summary" not in items["ACME-220"].extra
    assert "Labels" not in items["ACME-220"].extra
    assert items["ACME-220"].line == 20


def test_linear_sample() -> None:
    backlog = load(SAMPLES / "linear-export.csv")
    assert backlog.format == "linear-csv"
    assert len(backlog.items) == 22
    assert dict(backlog.columns) == {
        "id": "ID",
        "title": "Title",
        "description": "Description",
        "labels": "Labels",
        "estimate": "Estimate",
        "status": "Status",
    }
    items = backlog.by_id()
    assert records(backlog)[:3] == [
        ("BE-301", "Own reliability of the payments stack", ("Ownership", "Reliability"), None),
        ("BE-302", "Choose the ledger's event model", ("Architecture", "Ledger"), None),
        ("BE-310", "Stripe webhook receiver", ("Backend", "Payments", "Integration"), 5),
    ]
    # Linear's formula escape (a leading apostrophe) is removed.
    assert items["BE-315"].title == "=SUM(A1:A9) shows up in exported invoices"
    assert items["BE-311"].description.startswith("- Rehearse twice")
    assert items["BE-299"].status == "Done"
    assert items["BE-327"].status == "Canceled"
    assert items["BE-328"].links == (Link("parent", "BE-302"),)  # not extra
    assert "Parent issue" not in items["BE-328"].extra
    assert items["BE-310"].extra["Project"] == "Payments hardening"


def test_github_project_sample() -> None:
    backlog = load(SAMPLES / "github-project.tsv")
    assert backlog.format == "github-tsv"
    assert records(backlog) == [
        ("acme-ledger/api#412", "Stripe webhook receiver", ("payments", "integration"), 5),
        ("acme-ledger/infra#88", "Postgres 16 upgrade", ("infrastructure", "migration"), 8),
        ("ITEM-3", "Own payments on-call", ("ownership",), None),
        ("acme-ledger/api#415", "SAML SSO for enterprise orgs", ("security", "enterprise"), 8),
        ("acme-ledger/api#418", "Invoice CSV export", ("api",), 2),
        ("acme-ledger/api#421", "Rate limiting per API key", ("api", "reliability"), 3),
        ("ITEM-7", "QuickBooks sync", ("integration",), None),
        ("acme-ledger/admin-legacy#12", "Retire PHP admin", ("tech-debt",), 8),
    ]
    assert backlog.columns["id"] == "URL"
    first = backlog.items[0]
    assert first.description == ""
    assert first.status == "In progress"
    assert first.extra["URL"] == "https://github.com/acme-ledger/api/issues/412"


def test_asana_sample() -> None:
    backlog = load(SAMPLES / "asana-export.csv")
    assert backlog.format == "asana-csv"
    assert [item.id for item in backlog.items] == [
        "1207339120384411", "1207339120384415", "1207339120384420", "1207339120384422",
        "1207339120384425", "1207339120384430", "1207339120384428",
    ]  # fmt: skip
    items = backlog.by_id()
    assert items["1207339120384415"].title == "Build Stripe webhook ingestion"
    assert items["1207339120384415"].labels == ("payments", "integration")
    assert items["1207339120384415"].estimate == 5
    assert "Definition of done" in items["1207339120384415"].description
    # Completed tasks read as Done; their section is kept.
    assert items["1207339120384425"].status == "Done"
    assert items["1207339120384425"].extra["Section/Column"] == "Next up"
    assert items["1207339120384420"].status == "Next up"
    # The parent task is named: the row of that name is the parent.
    assert items["1207339120384430"].links == (Link("parent", "1207339120384428"),)
    assert items["1207339120384415"].due == "2024-06-14"


def test_jira_server_all_fields_fixture() -> None:
    backlog = load(EXPORTS / "jira-server-all-fields.csv")
    assert backlog.format == "jira-csv"
    assert records(backlog) == [
        ("LEDG-41", "Migrate billing DB to Postgres 16", ("migration", "postgres", "Database", "Infrastructure"), 8),
        ("LEDG-42", "Own incident response for the ledger", ("ownership", "Ledger"), None),
        ("LEDG-43", "Add SAML login", ("security", "sso", "Auth"), 5.5),
    ]  # fmt: skip
    assert backlog.columns["labels"] == "Labels, Component/s"
    first = backlog.items[0]
    assert first.extra["Sprint"] == "Sprint 3, Sprint 4"
    assert "Original Estimate" not in first.extra  # time tracking, in seconds
    assert "Original Estimate" in backlog.columns_left_out
    assert first.description.startswith("h3. Scope\nPrimary + replicas.")
    assert backlog.items[2].status == "Closed"


def test_jira_current_fields_fixture() -> None:
    backlog = load(EXPORTS / "jira-current-fields.csv")
    assert backlog.format == "jira-csv"
    assert backlog.columns["id"] == "Key"
    assert backlog.columns["estimate"] == "Story point estimate"
    # Space-separated labels in one cell (Jira labels cannot contain spaces).
    assert records(backlog) == [
        ("WEB-7", "Checkout page redesign", ("frontend", "checkout"), 3),
        ("WEB-8", "Cart total ignores coupons", ("bug",), 1),
        ("WEB-9", "Upgrade Node to 20", (), None),
    ]


def test_github_issues_csv_fixture() -> None:
    backlog = load(EXPORTS / "github-issues.csv")
    assert backlog.format == "github-csv"
    assert records(backlog) == [
        ("#101", "Webhook signatures fail for EU accounts", ("bug", "payments"), None),
        ("#102", "Document the export endpoint", ("docs",), None),
        ("#105", "Rate limit per API key", ("api", "reliability"), None),
    ]
    assert backlog.items[0].description.startswith("Stripe sends")
    assert backlog.items[1].status == "closed"


def test_european_excel_semicolon_sheet() -> None:
    backlog = load(EXPORTS / "plain-semicolon-excel.csv")
    assert backlog.format == "csv"
    assert backlog.warnings == ()
    assert records(backlog) == [
        ("ITEM-1", "Zahlungsabgleich für SEPA-Lastschriften", ("payments", "sepa"), 2.5),
        ("ITEM-2", "Größere Rechnungen als PDF", ("billing",), 5),
        ("ITEM-3", "Kurze Zeile", (), None),
    ]
    assert backlog.items[0].description == "Abgleich der Rückläufer;\nZeile zwei"
    assert [item.line for item in backlog.items] == [2, 4, 5]


def test_cp1252_sheet_falls_back_with_a_warning() -> None:
    backlog = load(EXPORTS / "plain-cp1252.csv")
    assert [item.title for item in backlog.items] == ["Café checkout flow", "Résumé parser"]
    assert backlog.items[0].description == "“Smart quotes” and a € price"
    assert len(backlog.warnings) == 1
    assert "cp1252" in backlog.warnings[0]
    assert "line 2" in backlog.warnings[0]


def test_excel_unicode_text_utf16() -> None:
    backlog = load(EXPORTS / "excel-unicode-text.txt")
    assert records(backlog) == [
        ("ITEM-1", "Übersetzung der Rechnungen", (), None),
        ("ITEM-2", "Export nach DATEV", (), None),
    ]
    assert backlog.items[0].description == "DE und FR"


@pytest.mark.parametrize(
    "path",
    sorted([*SAMPLES.glob("*.toml"), *SAMPLES.glob("*.csv"), *SAMPLES.glob("*.tsv")])
    + sorted(EXPORTS.iterdir()),
    ids=lambda path: path.name,
)
def test_every_sample_and_fixture_loads_cleanly(path: Path) -> None:
    backlog = load(path)
    ids = [item.id for item in backlog.items]
    assert len(ids) == len(set(ids))
    assert all(item.title and item.title == item.title.strip() for item in backlog.items)
    assert backlog.source == path


@pytest.mark.parametrize(
    "path",
    sorted(SAMPLES.iterdir()) + sorted(EXPORTS.iterdir()),
    ids=lambda path: path.name,
)
def test_check_scan_reports_exactly_the_loaded_items(path: Path) -> None:
    # `check` skips building items (descriptions, extra columns) but must list the same
    # records: GitHub ids from URLs, generated ids, labels merged, estimates parsed.
    backlog = load(path)
    found = scan(path)
    assert found.records == records(backlog)
    facts = (backlog.format, backlog.title, backlog.columns, backlog.warnings, backlog.sha256)
    assert (found.format, found.title, found.columns, found.warnings, found.sha256) == facts
