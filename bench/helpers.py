"""Pure helpers for the benchmark: generated backlogs, a pty harness, medians and the table.

Nothing here imports Textual, so the smoke test and the subprocess floors stay light.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import fcntl
import os
import random
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The repository root (bench/ lives directly under it).
ROOT = Path(__file__).resolve().parent.parent
#: Where generated backlogs, plans, journals and state go (gitignored).
OUT = ROOT / "bench" / "out"

# -- a Jira-shaped export ---------------------------------------------------------------
#: A Jira Server "all fields" export header: repeated columns included, as Jira writes them.
JIRA_HEADER = (
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Project name",
    "Priority",
    "Resolution",
    "Assignee",
    "Reporter",
    "Creator",
    "Created",
    "Updated",
    "Resolved",
    "Components",
    "Components",
    "Due date",
    "Labels",
    "Labels",
    "Labels",
    "Description",
    "Custom field (Story Points)",
    "Sprint",
    "Parent summary",
    "Status Category",
    "Comment",
)
_VERBS = ("Migrate", "Build", "Integrate", "Own", "Replace", "Document", "Harden", "Split")
_NOUNS = (
    "the billing service",
    "payment webhooks",
    "the ledger export",
    "on-call rotation for payments",
    "the Postgres 16 upgrade",
    "the partner API",
    "rate limiting at the edge",
    "the reconciliation job",
    "audit logging",
    "the search indexer",
)
_LABELS = ("api", "billing", "payments", "migration", "integrations", "architecture", "infra")
_STATUSES = ("To Do", "In Progress", "Backlog", "Done", "Selected for Development")
_TYPES = ("Story", "Task", "Bug", "Epic")
_PEOPLE = ("Dana Okafor", "Mia Chen", "Ola Berg", "Sam Reyes", "")
_SENTENCES = (
    "The current job runs nightly and takes four hours, which blocks the morning reports.",
    'Partners call it "the v1 endpoint", and three of them still depend on it.',
    "Acceptance: every invoice in the old table has exactly one row in the new one.",
    "Nobody has touched this since the original author left, so context is thin.",
    "Incidents last quarter were resolved by whoever happened to be awake.",
    "Input: a CSV of settlements; output: one ledger entry per settlement, idempotent.",
    "Depends on the schema change in the accounts service, which is not scheduled yet.",
    "Done means the old code path is deleted, not just switched off behind a flag.",
)


#: Every how many items a "marked" export's description carries Jira markup beyond headings
#: and prose (`jira_rows(marked=True)`).
MARKED_EVERY = 3
_FIELDS = (
    ("id", "string", "the settlement's own id"),
    ("amount", "decimal", "in minor units"),
    ("currency", "string", "ISO 4217"),
    ("booked_at", "timestamp", "UTC"),
    ("partner", "string", "as the partner names itself"),
)
_STEPS = (
    "Dry run against a copy of last month's data",
    "Compare the totals with the finance report",
    "Switch the readers over one partner at a time",
    "Delete the old table after a week",
    "Write the runbook entry",
)


def marked_description(number: int, rng: random.Random) -> str:
    """A Jira description as teams write them: headings and prose, a bulleted list (a
    nested point sometimes), numbered steps, *bold*, {{code}} and a [link|url], and now
    and then a table; in half of them an _italic_ and -struck- line and a {code} block
    (what only jira2markdown's grammar converts: `formats/markup.py` converts the rest
    itself); each one its own (the item's number in it), so no conversion cache answers
    for another."""
    lines = ["h3. Problem", " ".join(rng.sample(_SENTENCES, rng.randint(1, 2)))]
    lines += ["h3. Acceptance criteria"]
    lines += [f"* {sentence}" for sentence in rng.sample(_SENTENCES, rng.randint(2, 4))]
    if rng.random() < 0.5:
        lines.append(f"** and BEN-{number} stays readable while it runs")
    lines.append(
        f"*Do not* break {{{{/v1/settlements/{number}}}}}: see "
        f"[the runbook|https://wiki.example.com/BEN-{number}]."
    )
    if rng.random() < 0.5:
        lines += ["h3. Contract", "||Field||Type||Notes||"]
        lines += [f"|{name}|{kind}|{note}|" for name, kind, note in rng.sample(_FIELDS, 3)]
    lines += ["h3. Steps"]
    lines += [f"# {step}" for step in rng.sample(_STEPS, rng.randint(2, 4))]
    if rng.random() < 0.5:  # what the fast conversions leave to jira2markdown's grammar
        lines += [
            "",
            f"_Owner:_ {rng.choice(_PEOPLE) or 'nobody yet'}, -not- the on-call rota.",
            "{code:json}",
            f'{{"settlement": "{number}", "amount": {rng.randint(100, 99_999)}}}',
            "{code}",
        ]
    return "\n".join(lines)


def jira_rows(count: int, *, seed: int = 7, marked: bool = False) -> Iterable[list[str]]:
    """Rows of a Jira-shaped export (without the header), deterministic for a seed.

    Args:
        count: how many issues.
        seed: the random seed; the same seed gives the same rows.
        marked: every MARKED_EVERY-th description carries lists, a table, bold, code and
            links (`marked_description`) instead of headings and prose only; every other
            field, and every other row, is the same as without.
    """
    rng = random.Random(seed)
    for number in range(1, count + 1):
        labels = [*rng.sample(_LABELS, rng.randint(0, 3)), "", "", ""]
        paragraphs = [
            "h3. Problem",
            " ".join(rng.sample(_SENTENCES, rng.randint(1, 3))),
            "h3. Notes",
            " ".join(rng.sample(_SENTENCES, rng.randint(0, 2))),
        ]
        if marked and number % MARKED_EVERY == 0:
            # Its own generator: the rows' other fields are those of the plain export.
            paragraphs = [marked_description(number, random.Random(seed * 1_000_003 + number))]
        status = rng.choice(_STATUSES)
        yield [
            f"{rng.choice(_VERBS)} {rng.choice(_NOUNS)} ({number})",
            f"BEN-{number}",
            str(10_000 + number),
            rng.choice(_TYPES),
            status,
            "BEN",
            "Bench Ledger",
            rng.choice(("High", "Medium", "Low")),
            "Done" if status == "Done" else "",
            rng.choice(_PEOPLE),
            rng.choice(_PEOPLE),
            rng.choice(_PEOPLE),
            f"{rng.randint(1, 28):02d}/May/24 9:{rng.randint(10, 59)} AM",
            f"{rng.randint(1, 28):02d}/Jun/24 4:{rng.randint(10, 59)} PM",
            "",
            rng.choice(("Payments", "Ledger", "Platform", "")),
            "",
            "",
            labels[0],
            labels[1],
            labels[2],
            "\n".join(paragraphs),
            rng.choice(("1", "2", "3", "5", "8", "")),
            f"BEN Sprint {rng.randint(1, 40)}",
            "",
            "Done" if status == "Done" else "To Do",
            "",
        ]


def write_jira_csv(path: Path, count: int, *, seed: int = 7, marked: bool = False) -> Path:
    """Write a `count`-issue Jira-shaped CSV (UTF-8 with BOM, CRLF, as Jira exports it).

    Reuses the file when it already exists with the same size request (the name is the
    cache key: callers put the count, and `marked`, in it).

    Returns:
        `path`.
    """
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(JIRA_HEADER)
        writer.writerows(jira_rows(count, seed=seed, marked=marked))
    partial.replace(path)
    return path


# -- a Linear export and a GitHub issues export --------------------------------------------
#: Linear's CSV export header (Settings > Export), as in sample_backlogs/linear-export.csv.
LINEAR_HEADER = (
    "ID",
    "Team",
    "Title",
    "Description",
    "Status",
    "Estimate",
    "Priority",
    "Project ID",
    "Project",
    "Creator",
    "Assignee",
    "Labels",
    "Cycle Number",
    "Cycle Name",
    "Cycle Start",
    "Cycle End",
    "Created",
    "Updated",
    "Started",
    "Triaged",
    "Completed",
    "Canceled",
    "Archived",
    "Due Date",
    "Parent issue",
    "Initiatives",
    "Project Milestone ID",
    "Project Milestone",
    "SLA Status",
    "Roadmaps",
)
#: A GitHub issues CSV (`gh issue list --json ... | jq -r @csv`, tests/fixtures/exports).
GITHUB_HEADER = ("number", "title", "body", "labels", "state", "url", "created_at", "author")
_LINEAR_STATUSES = ("Backlog", "Todo", "In Progress", "In Review", "Done", "Canceled")


def _markdown_description(rng: random.Random) -> str:
    """A Markdown description (Linear, GitHub): sections, a checklist, sometimes code."""
    parts = [
        "## Context",
        " ".join(rng.sample(_SENTENCES, rng.randint(1, 3))),
        "",
        "## Acceptance criteria",
        *(f"- [ ] {sentence}" for sentence in rng.sample(_SENTENCES, rng.randint(0, 3))),
    ]
    if rng.random() < 0.2:
        parts += ["", "```sql", "SELECT id FROM invoices WHERE settled_at IS NULL;", "```"]
    return "\n".join(parts)


def linear_rows(count: int, *, seed: int = 11) -> Iterable[list[str]]:
    """Rows of a Linear-shaped export (without the header), deterministic for a seed."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        status = rng.choice(_LINEAR_STATUSES)
        created = f"2024-05-{rng.randint(1, 28):02d}T09:{rng.randint(10, 59)}:44.120Z"
        row = dict.fromkeys(LINEAR_HEADER, "")
        row.update(
            {
                "ID": f"LIN-{number}",
                "Team": "Backend",
                "Title": f"{rng.choice(_VERBS)} {rng.choice(_NOUNS)} ({number})",
                "Description": _markdown_description(rng),
                "Status": status,
                "Estimate": rng.choice(("1", "2", "3", "5", "8", "")),
                "Priority": rng.choice(("Urgent", "High", "Medium", "Low", "No priority")),
                "Project": rng.choice(("Payments hardening", "Ledger v2", "")),
                "Creator": rng.choice(_PEOPLE) or "Dana Okafor",
                "Assignee": rng.choice(_PEOPLE),
                "Labels": ", ".join(rng.sample(_LABELS, rng.randint(0, 3))),
                "Cycle Number": str(rng.randint(1, 30)),
                "Created": created,
                "Updated": created,
                "Triaged": created,
                "Completed": created if status == "Done" else "",
            }
        )
        yield [row[name] for name in LINEAR_HEADER]


def github_rows(count: int, *, seed: int = 13) -> Iterable[list[str]]:
    """Rows of a GitHub-issues-shaped export (without the header), deterministic."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        yield [
            str(number),
            f"{rng.choice(_VERBS)} {rng.choice(_NOUNS)} ({number})",
            _markdown_description(rng),
            ",".join(rng.sample(_LABELS, rng.randint(0, 3))),
            rng.choice(("open", "open", "open", "closed")),
            f"https://github.com/bench/ledger/issues/{number}",
            f"2024-05-{rng.randint(1, 28):02d}T10:00:00Z",
            rng.choice(("priyar", "tlindqvist", "dana", "ghost")),
        ]


#: The tracker shapes the bench generates: name -> (header, rows, encoding).
SHAPES = {
    "jira": (JIRA_HEADER, jira_rows, "utf-8-sig"),
    "linear": (LINEAR_HEADER, linear_rows, "utf-8"),
    "github": (GITHUB_HEADER, github_rows, "utf-8"),
}


def write_export(shape: str, count: int, folder: Path) -> Path:
    """`folder/<shape>-<count>.csv`, generated once (see `write_jira_csv`) and reused."""
    if shape == "jira":
        return write_jira_csv(folder / f"jira-{count}.csv", count)
    header, rows, encoding = SHAPES[shape]
    path = folder / f"{shape}-{count}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows(count))
    partial.replace(path)
    return path


def count_csv_records(path: Path) -> int:
    """Records (rows after the header) in a CSV, by a bare `csv.reader` pass."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _row in csv.reader(handle)) - 1


#: The bare-csv floor as a subprocess: the same pass, nothing else imported.
BARE_CSV_SCRIPT = (
    "import csv, sys\n"
    "with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:\n"
    "    n = sum(1 for _ in csv.reader(f)) - 1\n"
    "print(n)\n"
)


# -- statistics and the table -------------------------------------------------------------
def median(values: Sequence[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


@dataclass
class Row:
    """One line of the result table.

    Attributes:
        measure: what was measured.
        value: the median (seconds, or bytes for memory).
        floor: the floor's median measured in the same run, None when the target is absolute.
        unit: "s", "ms" or "MB": how value and floor print.
        target: the target as printed, e.g. "<= 1.3x" or "<= 5 ms".
        limit: the ratio (or absolute value, for absolute targets) that passes.
        absolute: the target bounds the value itself rather than value / floor.
        note: a short remark (repeats, what the floor is).
    """

    measure: str
    value: float
    floor: float | None
    unit: str
    target: str
    limit: float | None
    absolute: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """value / floor, None without a floor."""
        if self.floor is None or self.floor <= 0:
            return None
        return self.value / self.floor

    @property
    def passed(self) -> bool | None:
        """Whether the target is met (None: informational row)."""
        if self.limit is None:
            return None
        if self.absolute:
            return self.value <= self.limit
        ratio = self.ratio
        return ratio is not None and ratio <= self.limit


def format_value(value: float | None, unit: str) -> str:
    """A value in its unit, e.g. 0.4123 s -> "412.3 ms"."""
    if value is None:
        return "-"
    if unit == "MB":
        return f"{value / 1e6:.1f} MB"
    if unit == "ms":
        return f"{value * 1e3:.2f} ms"
    return f"{value:.3f} s"


def format_table(rows: Sequence[Row]) -> str:
    """The result table as aligned plain text."""
    header = ("measure", "median", "floor", "ratio", "target", "result", "note")
    lines = [header]
    for row in rows:
        ratio = row.ratio
        passed = row.passed
        lines.append(
            (
                row.measure,
                format_value(row.value, row.unit),
                format_value(row.floor, row.unit),
                "-" if ratio is None else f"{ratio:.2f}x",
                row.target,
                "info" if passed is None else ("PASS" if passed else "MISS"),
                row.note,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for index, line in enumerate(lines):
        cells = [
            cell.ljust(width) if i in (0, 4, 5, 6) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if index == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


# -- a real pseudo-terminal ---------------------------------------------------------------
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (colours, cursor moves, modes)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC (titles, palette)
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS and friends
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
)


def strip_ansi(text: str) -> str:
    """Terminal output without escape sequences (what a reader would see, run together)."""
    return _ANSI.sub("", text)


def _make_controlling_tty() -> None:
    # Runs in the child before exec: a session of its own with the pty as its terminal,
    # as a shell would give it (Textual reads the size and keys from it).
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyApp:
    """A program running in a pseudo-terminal of a fixed size, its output read as it comes.

    Args:
        argv: the command.
        env: extra environment variables.
        size: (columns, rows).
    """

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str] | None = None,
        size: tuple[int, int] = (120, 36),
    ) -> None:
        master, slave = os.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        full_env = dict(os.environ)
        for name in ("TEXTUAL", "TEXTUAL_DEBUG", "TEXTUAL_LOG", "NO_COLOR"):
            full_env.pop(name, None)
        full_env.update({"TERM": "xterm-256color", "COLORTERM": "truecolor"})
        full_env.update(env or {})
        self.master = master
        self.raw = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            preexec_fn=_make_controlling_tty,
            close_fds=True,
        )
        os.close(slave)
        self.eof = False

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def _read(self, timeout: float) -> float | None:
        """Read what is available within `timeout`; returns the time of the read, or None."""
        if self.eof:
            return None
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return None
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the child closed the terminal
            data = b""
        when = time.perf_counter()
        if not data:
            self.eof = True
            return None
        self.raw += self._decoder.decode(data)
        return when

    def wait_for(self, marker: str, timeout: float = 60.0, *, quiet: float = 0.005) -> float:
        """Seconds from launch until the frame showing `marker` has been written.

        The frame is done when the output goes quiet for `quiet` seconds after the chunk
        that completed the marker (Textual writes a frame in one burst).

        Raises:
            TimeoutError: the marker did not appear (the screen so far is in the message).
        """
        deadline = time.perf_counter() + timeout
        while marker not in strip_ansi(self.raw):
            if self.eof or time.perf_counter() > deadline:
                tail = strip_ansi(self.raw)[-400:]
                raise TimeoutError(f"{marker!r} not shown within {timeout}s; last output: {tail!r}")
            self._read(deadline - time.perf_counter())
        last = time.perf_counter()
        while (when := self._read(quiet)) is not None:
            last = when
        return last - self.started

    def drain(self, seconds: float) -> None:
        """Keep reading for `seconds` (so the child never blocks on a full terminal)."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline and not self.eof:
            self._read(deadline - time.perf_counter())

    def send(self, data: bytes) -> None:
        """Type `data` into the terminal."""
        os.write(self.master, data)

    def peak_rss(self) -> int:
        """The child's peak resident set size in bytes (VmHWM), 0 if unknown."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0
        match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status, re.MULTILINE)
        return int(match.group(1)) * 1024 if match else 0

    def close(self, quit_keys: bytes = b"\x11", timeout: float = 10.0) -> int:
        """Quit with `quit_keys` (ctrl+q), wait for the exit, kill if it hangs.

        Returns:
            The exit code.
        """
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.send(quit_keys)
            deadline = time.perf_counter() + timeout
            while self.process.poll() is None and time.perf_counter() < deadline:
                self._read(0.05)
            if self.process.poll() is None:
                os.kill(self.pid, signal.SIGKILL)
        code = self.process.wait()
        os.close(self.master)
        return code


def python() -> str:
    """The interpreter running the benchmark (the venv's, used for every subprocess)."""
    return sys.executable


def triage_command() -> list[str]:
    """How to start triage-tui with the benchmark's interpreter (its console script)."""
    script = Path(sys.executable).parent / "triage-tui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "triage_tui"]
