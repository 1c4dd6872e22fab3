"""`triage-tui check`: refusals are one `FILE:LINE: message` line and exit 1; --json reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage_tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_backlogs"


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def refused(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> str:
    """Run check, assert exit 1 and exactly one stderr line naming the file; return it."""
    code = main(["check", str(path), *extra])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert err.endswith("\n")
    assert lines[0].startswith(f"{path}:")
    assert "Traceback" not in err
    return lines[0]


def test_unterminated_quote_is_refused_where_it_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'title,description\nOne,fine\nTwo,"starts here\nThree,swallowed\nFour,too\n'
    path = write(tmp_path, "unterminated.csv", text)
    line = refused(capsys, path)
    assert line.startswith(f"{path}:3: unterminated quoted cell")


def test_unterminated_quote_after_a_closed_multiline_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'title,a,b\nOne,"multi\nline",ok\nTwo,"closed","open\nrest\n'
    path = write(tmp_path, "late.csv", text)
    assert refused(capsys, path).startswith(f"{path}:4: unterminated quoted cell")


def test_binary_junk_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "junk.csv", b"title\nok\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    line = refused(capsys, path)
    assert line.startswith(f"{path}:5: this is a binary file")


def test_an_excel_workbook_is_refused_with_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "backlog.csv", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)))
    assert "save it as CSV" in refused(capsys, path)


def test_control_bytes_without_nul_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "ctl.csv", bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20)
    assert "binary file" in refused(capsys, path)


def test_mixed_encodings_are_refused_not_mojibaked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "title\nCafé (UTF-8)\n".encode() + "Crème (cp1252)\n".encode("cp1252")
    path = write(tmp_path, "mixed.csv", data)
    line = refused(capsys, path)
    assert line.startswith(f"{path}:3: not valid UTF-8 here")


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    path = write(tmp_path, "empty.csv", data)
    assert refused(capsys, path) == f"{path}: the file is empty"


def test_no_title_column_lists_the_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "cols.csv", "Key,Owner,Points\nA-1,ana,3\n")
    line = refused(capsys, path)
    assert line.startswith(f"{path}:1: no title column")
    assert "'Key', 'Owner', 'Points'" in line
    assert "--map title=COLUMN" in line


def test_duplicate_ids_name_the_id_and_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'Issue key,Summary,Description\nPAY-1,One,"two\nlines"\nPAY-2,Two,x\nPAY-1,Again,y\n'
    path = write(tmp_path, "dupes.csv", text)
    line = refused(capsys, path)
    assert line == f"{path}:5: duplicate id 'PAY-1': on lines 2 and 5"


def test_every_title_empty_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "blank.csv", "title,description\n,one\n,two\n")
    assert refused(capsys, path) == (
        f"{path}:2: no items: every row has an empty title (column 'title')"
    )


def test_header_only_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "header.csv", "title,description\n\n")
    assert (
        refused(capsys, path) == f"{path}:1: no items: the file has a header but no rows below it"
    )


def test_toml_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.toml", '[[items]]\ntitle = "a"\nestimate = 3 weeks\n')
    line = refused(capsys, path)
    assert line.startswith(f"{path}:3: invalid TOML:")


def test_toml_wrong_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "types.toml", '[[items]]\nid = "X-1"\ntitle = 12\n')
    assert refused(capsys, path) == f"{path}:1: item 'X-1': title must be a string, not an integer"


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nope.csv"
    assert refused(capsys, path) == f"{path}: no such file"


def test_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert refused(capsys, tmp_path) == f"{tmp_path}: is a directory, not a backlog file"


def test_map_to_a_missing_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "m.csv", "Title,Body\nA,b\n")
    line = refused(capsys, path, "--map", "description=Details")
    assert line.startswith(f"{path}:1: --map description=Details: no such column")


def test_bad_map_syntax_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "m.csv", "Title\nA\n")
    assert main(["check", str(path), "--map", "colour=Title"]) == 2
    capsys.readouterr()


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    path = SAMPLES / "jira-export.csv"
    assert main(["check", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    report = json.loads(out)
    assert report["format"] == "jira-csv"
    assert report["items"] == 24
    assert report["columns"]["title"] == "Summary"
    assert report["columns"]["id"] == "Issue key"
    assert report["warnings"] == []
    assert len(report["records"]) == 24
    record = report["records"][2]
    assert {key: record[key] for key in ("id", "title", "labels", "estimate")} == {
        "id": "ACME-220",
        "title": "Stripe webhook ingestion service",
        "labels": ["payments", "webhooks", "stripe", "Integrations"],
        "estimate": 8,
    }
    # PRODUCT.md: each record's suggestion, {category, reason}, the reason quoting words.
    assert record["suggestion"]["category"] == "project"
    assert record["suggestion"]["reason"].startswith("'webhook', ")
    assert report["records"][3]["title"] == "Upgrade RDS Postgres 12 → 16"
    categories = {r["id"]: r["suggestion"]["category"] for r in report["records"]}
    assert set(categories.values()) <= {"hiring", "project", "parked", "undecided"}
    assert categories["ACME-212"] == "hiring"  # "Own the payments platform on-call ..."
    assert categories["ACME-226"] == "parked"  # "Look into flaky CI tests"


def test_json_report_with_warnings_and_generated_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "w.csv", "Title;Estimate\r\nFirst;2w\r\n;\r\n ;3\r\nSecond;\r\n")
    assert main(["check", "--json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "csv"
    assert report["columns"] == {"title": "Title", "estimate": "Estimate"}
    assert report["warnings"] == ["skipped 1 row(s) with an empty title: line(s) 4"]
    too_little = {
        "category": "parked",
        "reason": "Too little to go on: a title with no verb, no signal words and no "
        "description; park it until someone writes what done means.",
    }
    assert report["records"] == [
        {
            "id": "ITEM-1",
            "title": "First",
            "labels": [],
            "estimate": "2w",
            "suggestion": too_little,
        },
        {
            "id": "ITEM-2",
            "title": "Second",
            "labels": [],
            "estimate": None,
            "suggestion": too_little,
        },
    ]


def test_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SAMPLES / "acme.toml")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{SAMPLES / 'acme.toml'}: toml, 25 items"


def test_check_never_imports_textual_or_rich() -> None:
    probe = (
        "import sys\n"
        "from triage_tui.cli import main\n"
        f"code = main(['check', {str(SAMPLES / 'jira-export.csv')!r}, '--json'])\n"
        "code |= main(['check', " + repr(str(SAMPLES / "acme.toml")) + "])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "sys.stderr.write(repr(loaded))\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "[]"


def test_check_survives_a_closed_pipe() -> None:
    # `triage-tui check big.csv | head -1`: no traceback when the reader leaves.
    command = [
        sys.executable,
        "-m",
        "triage_tui",
        "check",
        "--json",
        str(SAMPLES / "jira-export.csv"),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert b"Traceback" not in err


def test_unclosed_quote_closed_by_a_later_stray_quote_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without the check, rows 3-5 would silently become one description.
    text = 'title,notes\nOne,x\nTwo,"starts here\nThree,y\nFour,27" monitor\nFive,z\n'
    path = write(tmp_path, "stray.csv", text)
    line = refused(capsys, path)
    assert line.startswith(f"{path}:3: broken quoting:")
    assert "lines 3-5" in line


def test_the_text_report_gives_each_items_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import SAMPLES

    assert main(["check", str(SAMPLES / "acme.toml")]) == 0
    out = capsys.readouterr().out
    assert "suggestions:\n" in out
    assert re.search(r"^  PAY-101 +HIRING +Own the payments platform", out, re.M)
    assert re.search(r"^  PAY-114 +PROJECT +Build Stripe webhook", out, re.M)
    assert "'on-call'" in out  # the reason quotes the deciding words


def test_check_reports_what_loading_the_items_would(tmp_path: Path) -> None:
    """check reads a scan plus each record's description and type, not the items (issue
    24); the report is the one the loaded items give, for every sample and fixture and the
    bench's generated exports: the same records, warnings and suggestions."""
    from tests.unit.suggest_golden import generated_files, source_files
    from triage_tui.cli import _scan_with_suggestions
    from triage_tui.core.categorize import suggest
    from triage_tui.formats.loaders import load

    for path in [*source_files(), *generated_files(tmp_path)]:
        found = _scan_with_suggestions(path, {})
        backlog = load(path, {})
        items = backlog.items
        assert list(found.scan.records) == [
            (item.id, item.title, item.labels, item.estimate) for item in items
        ], path
        assert (found.scan.format, found.scan.title, found.scan.warnings) == (
            backlog.format,
            backlog.title,
            backlog.warnings,
        ), path
        assert (found.scan.columns, found.scan.sha256) == (backlog.columns, backlog.sha256)
        assert found.suggestions == [
            {"category": (s := suggest(item)).category.value, "reason": s.reason} for item in items
        ], path


def test_a_big_export_is_suggested_on_two_processes_with_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From PARALLEL_FROM records the second half is suggested in a forked process
    (issue 24: check's second core); the report is byte for byte the one-process one."""
    import triage_tui.cli as cli
    from tests.unit.suggest_golden import generated_files

    calls: list[tuple[int, int]] = []
    suggest_range = cli._suggest_range

    def counted(records: list, texts: list, start: int, stop: int) -> list[tuple[str, str]]:
        calls.append((start, stop))
        return suggest_range(records, texts, start, stop)

    monkeypatch.setattr(cli, "_suggest_range", counted)
    for path in generated_files(tmp_path):
        reports = []
        for parallel_from in (10**9, 2):  # one process, then two
            out = subprocess.run(
                [sys.executable, "-c", _CHECK_WITH_LIMIT, str(parallel_from), str(path)],
                capture_output=True,
                check=True,
                env=_env(),
            ).stdout
            reports.append(out)
        assert reports[0] == reports[1], path
        assert json.loads(reports[0])["items"] == 1500
    # In this process: the parent suggests the first half; the second came from the fork.
    monkeypatch.setattr(cli, "PARALLEL_FROM", 2)
    calls.clear()
    found = cli._scan_with_suggestions(generated_files(tmp_path)[0], {})
    assert calls == [(0, 750)]
    assert len(found.suggestions) == 1500


def test_a_failed_fork_half_is_suggested_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the forked process die, its half is suggested by the parent: same report."""
    import os

    import triage_tui.cli as cli

    path = SAMPLES / "jira-export.csv"
    whole = cli._scan_with_suggestions(path, {}).suggestions
    real_fork = os.fork

    def fork_that_dies() -> int:
        pid = real_fork()
        if pid == 0:
            os._exit(3)
        return pid

    monkeypatch.setattr(cli, "PARALLEL_FROM", 2)
    monkeypatch.setattr(os, "fork", fork_that_dies)
    assert cli._scan_with_suggestions(path, {}).suggestions == whole


_CHECK_WITH_LIMIT = (
    "import sys, triage_tui.cli as cli\n"
    "cli.PARALLEL_FROM = int(sys.argv[1])\n"
    "sys.exit(cli.main(['check', '--json', sys.argv[2]]))\n"
)


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def test_one_usable_cpu_suggests_on_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A container or taskset allowing one CPU: no fork, the whole export here."""
    import os

    import triage_tui.cli as cli

    def no_fork() -> int:
        raise AssertionError("forked with one usable CPU")

    monkeypatch.setattr(cli, "PARALLEL_FROM", 2)
    monkeypatch.setattr(cli, "_usable_cpus", lambda: 1)
    monkeypatch.setattr(os, "fork", no_fork)
    found = cli._scan_with_suggestions(SAMPLES / "linear-export.csv", {})
    assert len(found.suggestions) == len(found.scan.records) > 2


_CHECK_SPLIT_FROM = (
    "import sys, triage_tui.cli as cli\n"
    "cli.SPLIT_FROM = int(sys.argv[1])\n"
    "sys.exit(cli.main(['check', '--json', sys.argv[2]]))\n"
)


def _report(split_from: int, path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", _CHECK_SPLIT_FROM, str(split_from), str(path)],
        capture_output=True,
        env=_env(),
    )


def test_a_big_export_is_parsed_and_suggested_in_two_halves_with_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From SPLIT_FROM bytes a UTF-8 export is cut at a row boundary near its middle and
    a forked process parses, reads and suggests the second half (issue 24: check on two
    cores from the start); the report is byte for byte the one-process one."""
    import triage_tui.cli as cli
    import triage_tui.formats.loaders.csv_loader as csv_loader
    from tests.unit.suggest_golden import generated_files

    for path in generated_files(tmp_path):
        whole, halves = _report(10**12, path), _report(2, path)
        assert whole.returncode == halves.returncode == 0
        assert whole.stdout == halves.stdout, path
    # In this process: the parent scans the first half only; the second came back joined.
    calls: list[bool] = []

    class Counted(csv_loader.Half):
        def rows(self):  # type: ignore[no-untyped-def]
            calls.append(self.first)
            return super().rows()

    monkeypatch.setattr(csv_loader, "Half", Counted)
    monkeypatch.setattr(cli, "SPLIT_FROM", 2)
    report = json.loads(cli._json_report(generated_files(tmp_path)[1], {}))
    assert calls == [True]
    assert report["items"] == len(report["records"]) == 1500


def _rows_of(path: Path) -> list[list[str]]:
    """A generated export's rows, its header first."""
    import csv
    import io

    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _csv_bytes(rows: list[list[str]]) -> bytes:
    import csv
    import io

    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize(
    "harm",
    ["duplicate across halves", "duplicate in the second half", "no id", "unterminated quote"],
)
def test_halves_that_do_not_join_give_the_one_process_report_or_error(
    tmp_path: Path, harm: str
) -> None:
    """An id in both halves, twice in the second, a row without an id (ids generated
    from positions in the whole file), a quote never closed: the file is scanned whole,
    and check says exactly what one process says (exit 1 and `FILE:LINE: ...` or the
    same report)."""
    from tests.unit.suggest_golden import generated_files

    rows = _rows_of(generated_files(tmp_path)[0])  # Jira's: Summary, Issue key, ...
    tail = b""
    if harm == "duplicate across halves":
        rows.append(rows[3])
    elif harm == "duplicate in the second half":
        rows.append(rows[-5])
    elif harm == "no id":
        rows[-7][1] = ""
    else:
        tail = b'Last row,"never closed\n'
    path = tmp_path / f"{harm.replace(' ', '-')}.csv"
    path.write_bytes(_csv_bytes(rows) + tail)
    whole, halves = _report(10**12, path), _report(2, path)
    assert (halves.returncode, halves.stdout, halves.stderr) == (
        whole.returncode,
        whole.stdout,
        whole.stderr,
    )
    if harm.startswith("duplicate") or harm == "unterminated quote":
        assert whole.returncode == 1
        assert whole.stderr.decode().startswith(f"{path}:")
    else:
        assert b"ITEM-" in whole.stdout


def test_a_failed_second_half_is_done_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the forked process die, the parent parses and suggests the second half
    itself: the same report."""
    import os

    import triage_tui.cli as cli
    from tests.unit.suggest_golden import generated_files

    path = generated_files(tmp_path)[2]
    whole = cli._json_report(path, {})  # under SPLIT_FROM: one process
    real_fork = os.fork

    def fork_that_dies() -> int:
        pid = real_fork()
        if pid == 0:
            os._exit(3)
        return pid

    monkeypatch.setattr(cli, "SPLIT_FROM", 2)
    monkeypatch.setattr(os, "fork", fork_that_dies)
    assert cli._json_report(path, {}) == whole


def test_a_fork_the_system_refuses_leaves_check_to_this_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A process limit or no memory (fork raises EAGAIN / ENOMEM): both the export's
    halves and the suggestions' halves are done here, with the same report, no
    traceback."""
    import errno
    import os

    import triage_tui.cli as cli
    from tests.unit.suggest_golden import generated_files

    path = generated_files(tmp_path)[2]
    whole = cli._json_report(path, {})  # under SPLIT_FROM: one process

    def refused() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    monkeypatch.setattr(cli, "SPLIT_FROM", 2)
    monkeypatch.setattr(cli, "PARALLEL_FROM", 2)
    monkeypatch.setattr(cli, "_usable_cpus", lambda: 2)
    assert cli._json_report(path, {}) == whole


@settings(max_examples=300, deadline=None)
@given(
    item_id=st.text(),
    title=st.text(),
    labels=st.lists(st.text(), max_size=4).map(tuple),
    estimate=st.none() | st.integers() | st.floats() | st.text(),
    category=st.sampled_from(["hiring", "project", "parked", "undecided"]),
    reason=st.text(),
)
def test_a_record_is_encoded_as_json_dumps_encodes_it(
    item_id: str,
    title: str,
    labels: tuple[str, ...],
    estimate: object,
    category: str,
    reason: str,
) -> None:
    """check --json writes each record with json's escaper and no dicts (issue 24): the
    same text json.dumps gives, whatever the strings and the estimate."""
    from triage_tui.cli import _record_json

    record = {
        "id": item_id,
        "title": title,
        "labels": labels,
        "estimate": estimate,
        "suggestion": {"category": category, "reason": reason},
    }
    assert _record_json(item_id, title, labels, estimate, category, reason) == json.dumps(  # type: ignore[arg-type]
        record, ensure_ascii=False
    )
