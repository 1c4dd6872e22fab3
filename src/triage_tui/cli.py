"""Command line: `triage-tui [FILE]` (with `--from`), `check`, `brief`, `diff`, `serve`.

Textual is imported only when the app runs, so `check` and `brief` start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from json.encoder import encode_basestring as _json_str  # json.dumps' escaper (C)
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from triage_tui import __version__
from triage_tui.core.errors import InputError
from triage_tui.core.sanitize import shown

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TypeVar

    from triage_tui.core.model import Estimate, Record, Scan
    from triage_tui.core.session import Session
    from triage_tui.formats.loaders import Source
    from triage_tui.formats.loaders.csv_loader import Half
    from triage_tui.formats.push import Change, PushItem
    from triage_tui.push import Client, Prepared

    _Part = TypeVar("_Part", str, list[tuple[str, str]])  # what marshal carries back

SUBCOMMANDS = ("check", "brief", "handoff", "serve", "diff", "push")
#: `push --to` (formats.push.TRACKERS; spelled here so --help stays fast).
TRACKERS = ("github", "jira", "linear")


def _parse_map(values: list[str] | None) -> dict[str, str]:
    from triage_tui.core.model import MAPPABLE_FIELDS

    mapping: dict[str, str] = {}
    for value in values or []:
        name, sep, column = value.partition("=")
        if not sep or name.strip() not in MAPPABLE_FIELDS or not column:
            raise argparse.ArgumentTypeError(
                f"--map wants field=Column with field one of {', '.join(MAPPABLE_FIELDS)}: {value!r}"
            )
        mapping[name.strip()] = column
    return mapping


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-tui",
        description=(
            "Run the one-hour backlog categorization workshop. Subcommands: "
            "check FILE [--json], brief PLAN [-o OUT.md] [--csv], "
            "handoff PLAN [ID ...] [--all] [-o PATH], diff OLD NEW [--json], serve [FILE], "
            "push PLAN --to github|jira|linear [ID ...] [--repo OWNER/NAME] [--apply]. "
            "BACKLOG --from OLD.plan.toml starts next quarter's workshop from last quarter's plan."
        ),
    )
    parser.add_argument("--version", action="version", version=f"triage-tui {__version__}")
    _add_app_options(parser)
    return parser


def _add_app_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", type=Path, help="backlog (TOML or CSV) or plan")
    parser.add_argument("--plan", type=Path, help="where ctrl+s writes the plan")
    parser.add_argument("--minutes", type=int, help="workshop length (default 60)")
    parser.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="CSV column map")
    parser.add_argument(
        "--from",
        dest="carry_from",
        type=Path,
        metavar="OLD.plan.toml",
        help="carry last quarter's decisions over to the unchanged items",
    )
    parser.add_argument("--fresh", action="store_true", help="ignore an autosaved session")
    parser.add_argument("--theme", help="theme name")
    parser.add_argument(
        "--room-host",
        metavar="H",
        help="where the room's vote server listens when R opens it (default 127.0.0.1; "
        "another address: anyone who can reach it and has the link can vote)",
    )
    parser.add_argument(
        "--room-port", type=int, metavar="N", help="the room's port (default: any free one)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write files (plan, brief, CSV) only inside DIR; serve: default the backlog's folder",
    )


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-tui check", description="Parse a backlog or plan without the UI."
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="CSV column map")
    return parser


def _brief_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-tui brief", description="Render a plan as a Markdown brief."
    )
    parser.add_argument("plan", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    parser.add_argument(
        "--csv", action="store_true", help="the one-row-per-item CSV summary instead"
    )
    return parser


def _handoff_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-tui handoff",
        description=(
            "The contractor's handoff: one standalone Markdown document per project item. "
            "IDs: those items; --all: every ready project item, one file each in the "
            "folder -o PATH; neither: the recommended first engagement."
        ),
    )
    parser.add_argument("plan", type=Path)
    parser.add_argument("ids", nargs="*", metavar="ID", help="project items to hand off")
    parser.add_argument(
        "--all", action="store_true", help="every ready project item (needs -o FOLDER)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        help="a file (one item) or a folder (several, one file each); default stdout",
    )
    return parser


def _diff_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-tui diff",
        description=(
            "What changed between two plans (NEW may also be a backlog export): items added "
            "and removed, decisions changed, readiness moved, hiring still open, parked "
            "questions answered. Markdown for a pull request, or --json."
        ),
    )
    parser.add_argument("old", type=Path, help="the earlier plan")
    parser.add_argument("new", type=Path, help="the later plan, or a fresh backlog export")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="CSV column map")
    return parser


def _push_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-tui push",
        description=(
            "The room's decisions back into the tracker: a label per decision "
            "(triage:hiring, triage:project, triage:parked; a project item's readiness too) "
            "and one comment per item. By default a dry run: what each item gets, and a "
            "script to review; --apply does it, once (a rerun changes nothing, a stopped "
            "push resumes). Auth: gh's own login (GitHub); JIRA_BASE_URL, JIRA_EMAIL, "
            "JIRA_API_TOKEN (Jira Cloud); LINEAR_API_KEY (Linear)."
        ),
    )
    parser.add_argument("plan", type=Path, help="the plan (.plan.toml)")
    parser.add_argument("ids", nargs="*", metavar="ID", help="only these items")
    parser.add_argument("--to", required=True, choices=TRACKERS, help="the tracker")
    parser.add_argument(
        "--repo", metavar="OWNER/NAME", help="GitHub: the repository of bare issue numbers"
    )
    parser.add_argument("--apply", action="store_true", help="make the changes (default: dry run)")
    parser.add_argument(
        "--label-prefix",
        metavar="PREFIX",
        help='the labels\' prefix (default "triage:", or [push] label_prefix in the config)',
    )
    parser.add_argument(
        "--script",
        type=Path,
        metavar="FILE",
        help="dry run: write the reviewable script to FILE (default: after the dry run)",
    )
    parser.add_argument(
        "--handoffs",
        type=Path,
        metavar="DIR",
        help="the handoff folder the comments point at (default: <plan>.handoffs beside it)",
    )
    return parser


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage-tui serve", description="Serve the app in a browser."
    )
    _add_app_options(parser)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 bad input, 2 usage)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = args_list[0] if args_list and args_list[0] in SUBCOMMANDS else ""
    try:
        if command == "check":
            args = _check_parser().parse_args(args_list[1:])
            return cmd_check(args.file, as_json=args.json, mapping=_parse_map(args.map))
        if command == "brief":
            args = _brief_parser().parse_args(args_list[1:])
            return cmd_brief(args.plan, args.output, as_csv=args.csv)
        if command == "handoff":
            parser = _handoff_parser()
            args = parser.parse_args(args_list[1:])
            if args.all and args.ids:
                parser.error("give IDs or --all, not both")
            if args.all and args.output is None:
                parser.error("--all writes one file per item: give the folder with -o PATH")
            return cmd_handoff(args.plan, args.ids, every_ready=args.all, output=args.output)
        if command == "diff":
            args = _diff_parser().parse_args(args_list[1:])
            return cmd_diff(args.old, args.new, as_json=args.json, mapping=_parse_map(args.map))
        if command == "push":
            parser = _push_parser()
            # IDs may come after --to (`push PLAN --to jira ABC-1 ABC-2`).
            args = parser.parse_intermixed_args(args_list[1:])
            from triage_tui.formats.push import REPO_PATTERN

            if args.repo is not None and not REPO_PATTERN.fullmatch(args.repo):
                parser.error(f"--repo wants OWNER/NAME, not {args.repo!r}")
            return cmd_push(args)
        if command == "serve":
            args = _serve_parser().parse_args(args_list[1:])
            from triage_tui.serve import serve

            return serve(args_list[1:], host=args.host, port=args.port, out=args.out)
        args = _app_parser().parse_args(args_list)
        mapping = _parse_map(args.map)
    except argparse.ArgumentTypeError as error:
        print(f"triage-tui: {shown(error)}", file=sys.stderr)
        return 2
    except InputError as error:
        print(str(error), file=sys.stderr)
        return 1
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except KeyboardInterrupt:
        return 130
    from triage_tui.config import MAX_MINUTES, MIN_MINUTES

    if args.minutes is not None and not MIN_MINUTES <= args.minutes <= MAX_MINUTES:
        print(
            f"triage-tui: --minutes must be between {MIN_MINUTES} and {MAX_MINUTES}",
            file=sys.stderr,
        )
        return 2
    if args.room_port is not None and not 0 <= args.room_port <= 65535:
        print("triage-tui: --room-port must be between 0 and 65535", file=sys.stderr)
        return 2
    if args.room_host is not None:
        from triage_tui.room.server import is_loopback

        if not args.room_host.strip():
            print("triage-tui: --room-host must not be empty", file=sys.stderr)
            return 2
        if not is_loopback(args.room_host):
            print(
                f"triage-tui: warning: the room will listen on {args.room_host}: anyone who "
                "can reach it and has the link can vote",
                file=sys.stderr,
            )
    if args.out is not None and not args.out.is_dir():
        print(f"triage-tui: --out {shown(args.out)}: no such folder", file=sys.stderr)
        return 2
    if args.file is not None and not args.file.exists():
        print(f"{shown(args.file)}: no such file", file=sys.stderr)
        return 1
    if args.carry_from is not None:
        if args.file is None:
            print("triage-tui: --from needs a BACKLOG to carry the plan over to", file=sys.stderr)
            return 2
        if not args.carry_from.exists():
            print(f"{shown(args.carry_from)}: no such file", file=sys.stderr)
            return 1
    from triage_tui.services import LaunchOptions, check_plan_path

    options = LaunchOptions(
        file=args.file,
        plan=args.plan,
        minutes=args.minutes,
        mapping=mapping,
        fresh=args.fresh,
        theme=args.theme,
        out=args.out.resolve() if args.out is not None else None,
        carry_from=args.carry_from,
        room_host=args.room_host,
        room_port=args.room_port,
    )
    if args.file is not None:
        try:
            check_plan_path(args.file, options)  # never the backlog itself
        except InputError as error:
            print(str(error), file=sys.stderr)
            return 2
    from triage_tui.tui.launch import run_app

    return run_app(options)


def cmd_check(path: Path, *, as_json: bool, mapping: dict[str, str]) -> int:
    """`triage-tui check`: load without the UI and report what was found."""
    import gc

    # A 50,000-row export is millions of objects and no reference cycles: with the cyclic
    # collector on, building the JSON report alone took three times as long.
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            # Both reports carry each item's suggestion (PRODUCT.md), which reads the
            # descriptions: a scan plus each record's description and type.
            if as_json:
                report = _json_report(path, mapping)
            else:
                found = _scan_with_suggestions(path, mapping)
        except InputError as error:
            print(str(error), file=sys.stderr)
            return 1
        try:
            if as_json:
                sys.stdout.write(report)
            else:
                _write_check_report(path, found)
            sys.stdout.flush()
        except BrokenPipeError:
            # `triage-tui check FILE | head`: the reader left early; that is not an error.
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        if collecting:
            gc.enable()


class _Suggested(NamedTuple):
    """A Scan whose records come with their suggestions (`check`)."""

    scan: Scan
    suggestions: list[dict[str, str]]


def _scan_with_suggestions(path: Path, mapping: dict[str, str]) -> _Suggested:
    from functools import partial

    from triage_tui.formats.loaders import scan

    # A scan with each record's description and type: what a suggestion reads. The
    # items a workshop needs (extra columns, tracker context) are not built (issue 24).
    texts: list[tuple[str, str]] = []
    found = scan(path, mapping, texts)
    halves = _in_halves(partial(_suggest_range, found.records, texts), len(found.records))
    suggestions = [
        {"category": category, "reason": reason} for half in halves for category, reason in half
    ]
    return _Suggested(found, suggestions)


def _json_report(path: Path, mapping: dict[str, str]) -> str:
    """`check --json`'s report: `json.dumps` of the scan with each record's suggestion,
    its records array encoded in halves (on two processes for a big export), joined as
    `json.dumps` joins an array's elements: the same text, byte for byte."""
    from functools import partial

    from triage_tui.formats.loaders import scan_source, source_of

    source = source_of(path)
    report = _json_report_in_halves(source, path, mapping)
    if report is not None:
        return report
    texts: list[tuple[str, str]] = []
    found = scan_source(source, path, mapping, texts)
    records = found.records
    halves = _in_halves(partial(_records_json, records, texts), len(records))
    return _json_joined(path, found, len(records), halves)


def _json_joined(path: Path, found: Scan, count: int, bodies: Sequence[str]) -> str:
    """The report of scan `found` of `count` records, whose encoded records (each array's
    elements, without brackets) are `bodies` in file order."""
    head = json.dumps(
        {
            "file": shown(str(path)),
            "format": found.format,
            "title": found.title,
            "items": count,
            "columns": dict(found.columns),
            "warnings": list(found.warnings),
            "sha256": found.sha256,
            "records": [],  # last: its elements go between the brackets
        },
        ensure_ascii=False,
    )
    body = ", ".join(part for part in bodies if part)
    return f"{head[: -len('[]}')]}[{body}]}}\n"


#: Bytes from which `check --json` parses, reads and suggests a UTF-8 export in two
#: halves on two processes (below it, starting a process costs more than it saves).
SPLIT_FROM = 1 << 20


def _json_report_in_halves(source: Source, path: Path, mapping: dict[str, str]) -> str | None:
    """The report of a big UTF-8 export, made in two halves on the machine's two cores:
    a forked process parses, reads and suggests the second half of the bytes while this
    one does the first (`csv_loader.split_export`). None (nothing taken from `source`)
    when the export is not one to split, or its halves do not join as they are (an id
    in both, a row without an id, a parse that stops: every refusal); the caller then
    scans it whole, so every report and every error is the one-process one."""
    import os

    export = source.export
    if (
        export is None
        or len(export.data) < SPLIT_FROM
        or not hasattr(os, "fork")
        or _usable_cpus() < 2
    ):
        return None
    from triage_tui.formats.loaders.csv_loader import Half, join_halves, split_export

    split = split_export(export, path, mapping)
    if split is None:
        return None

    def second_half() -> _HalfReport | None:
        return _half_report(Half(export, path, split, first=False))

    forked = _fork(second_half)
    if forked is None:
        return None  # scanned whole, on this process
    child, read_end = forked
    first = _half_report(Half(export, path, split, first=True))
    if first is None:
        import signal

        os.kill(child, signal.SIGKILL)  # its half is of no use: the file is scanned whole
        os.close(read_end)
        os.waitpid(child, 0)
        return None
    second = _collect(child, read_end)
    if second is _CHILD_FAILED:
        second = second_half()  # the child died: its half is done here
    if second is None:
        return None
    found = join_halves(split, path, (first[:4], second[:4]), source.warnings, source.sha256)
    if found is None:
        return None
    return _json_joined(path, found, len(first[0]) + len(second[0]), (first[4], second[4]))


#: One half of an export as `check --json` reports it: its records' ids, their lines,
#: the lines of the rows skipped, the lines it holds, and its records encoded (JSON).
_HalfReport = tuple[list[str], list[int], list[int], int, str]


def _half_report(half: Half) -> _HalfReport | None:
    """Half `half` read, suggested and encoded as `_records_json` encodes records, row by
    row as it is parsed; None when its parse stops or a row rule refuses a row."""
    import csv

    from triage_tui.core.categorize import suggest_reason

    ids: list[str] = []
    lines: list[int] = []
    records = []
    text = half.text
    try:
        for line, cells, item_id, title, labels, estimate in half.rows():
            description, kind = text(cells)
            category, reason = suggest_reason(title, description, labels, kind)
            records.append(_record_json(item_id, title, labels, estimate, category.value, reason))
            ids.append(item_id)
            lines.append(line)
    except (InputError, csv.Error):
        return None
    return ids, lines, half.skipped, half.line_count(), ", ".join(records)


def _records_json(
    records: Sequence[Record], texts: list[tuple[str, str]], start: int, stop: int
) -> str:
    """Records `start:stop` with their suggestions, as `json.dumps` writes them inside the
    report's array (without the brackets)."""
    suggestions = _suggest_range(records, texts, start, stop)
    return ", ".join(
        [
            _record_json(item_id, title, labels, estimate, category, reason)
            for (item_id, title, labels, estimate), (category, reason) in zip(
                records[start:stop], suggestions, strict=True
            )
        ]
    )


def _estimate_json(estimate: Estimate) -> str:
    """An estimate as `json.dumps` writes it (None, an int, text; a float: json's own)."""
    if estimate is None:
        return "null"
    if type(estimate) is int:
        return int.__repr__(estimate)
    if type(estimate) is str:
        return _json_str(estimate)
    return json.dumps(estimate)


def _record_json(
    item_id: str,
    title: str,
    labels: tuple[str, ...],
    estimate: Estimate,
    category: str,
    reason: str,
) -> str:
    """One record of the report as `json.dumps(..., ensure_ascii=False)` writes it (its
    default separators and key order), each string escaped by json's own C escaper:
    twice as fast as building the record's two dicts and encoding them."""
    enc = _json_str
    return (
        f'{{"id": {enc(item_id)}, "title": {enc(title)}, '
        f'"labels": [{", ".join(map(enc, labels))}], "estimate": {_estimate_json(estimate)}, '
        f'"suggestion": {{"category": {enc(category)}, "reason": {enc(reason)}}}}}'
    )


#: Records from which `check` works on two processes (a fork: the machine's second core
#: does the second half). Below it, starting a process costs more than it saves.
PARALLEL_FROM = 20_000


def _in_halves(work: Callable[[int, int], _Part], count: int) -> list[_Part]:
    """[work(0, count)], or for a big export [work(0, half), work(half, count)] with the
    second half done in a forked process on the machine's other core (where there is
    one), its result (a str, or lists and tuples of str: marshal) sent back through a
    pipe. Were that to fail, this process does that half itself: the result is the same
    either way.
    """
    import os

    if count < PARALLEL_FROM or not hasattr(os, "fork") or _usable_cpus() < 2:
        return [work(0, count)]
    half = count // 2
    forked = _fork(lambda: work(half, count))
    if forked is None:
        return [work(0, count)]
    child, read_end = forked
    first = work(0, half)
    second = _collect(child, read_end)
    return [first, work(half, count) if second is _CHILD_FAILED else second]


#: What `_collect` gives for a child that died or sent back something unreadable.
_CHILD_FAILED: Any = object()


def _fork(work: Callable[[], Any]) -> tuple[int, int] | None:
    """`work()` started in a forked process (the machine's other core); its result (str,
    int, lists and tuples of them, None: marshal) comes back through a pipe. Returns the
    child's pid and the pipe's read end, for `_collect`; None when no process can be
    started (a process limit, no memory): the caller does all the work itself."""
    import marshal
    import os

    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        child = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if child == 0:  # pragma: no cover - the forked process (its result is what is tested)
        code = 1
        try:
            os.close(read_end)
            data = marshal.dumps(work())
            with os.fdopen(write_end, "wb") as sent:
                sent.write(data)
            code = 0
        finally:
            os._exit(code)  # nothing of the parent's (buffers, atexit) runs twice
    os.close(write_end)
    return child, read_end


def _collect(child: int, read_end: int) -> Any:
    """The result `_fork`'s child sent, once it has exited; _CHILD_FAILED when it died or
    what it sent cannot be read (the caller then does that work itself)."""
    import marshal
    import os

    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(child, 0)
    if status == 0:
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            pass
    return _CHILD_FAILED


def _usable_cpus() -> int:
    """CPUs this process may run on (a container or `taskset` may allow fewer than exist)."""
    import os

    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _suggest_range(
    records: Sequence[Record], texts: list[tuple[str, str]], start: int, stop: int
) -> list[tuple[str, str]]:
    """(category, reason) of `suggest()` for records `start:stop`, each the item the record
    and its (description, type) make."""
    from triage_tui.core.categorize import suggest_reason

    out = []
    for index in range(start, stop):
        description, kind = texts[index]
        category, reason = suggest_reason(records[index][1], description, records[index][2], kind)
        out.append((category.value, reason))
    return out


def _write_check_report(path: Path, scanned: _Suggested) -> None:
    """`check`'s report for a terminal: nothing from the file (or its name) may carry a
    control character."""
    from triage_tui.core.sanitize import clean_line

    out = sys.stdout
    found, suggestions = scanned.scan, scanned.suggestions
    records = found.records
    out.write(f"{shown(str(path))}: {found.format}, {len(records)} items\n")
    if found.title:
        out.write(f"title: {clean_line(found.title)}\n")
    for name, column in found.columns.items():
        out.write(f"  {name:<12} <- {clean_line(column)}\n")
    for warning in found.warnings:
        out.write(f"warning: {clean_line(warning)}\n")
    if suggestions:
        out.write("suggestions:\n")
    width = min(16, max((len(record[0]) for record in records), default=0))
    for (item_id, title, _labels, _estimate), suggestion in zip(records, suggestions, strict=False):
        out.write(
            f"  {clean_line(item_id):<{width}}  {suggestion['category'].upper():<9} "
            f"{clean_line(title)}\n"
            f"      {clean_line(suggestion['reason'])}\n"
        )


def cmd_brief(plan_path: Path, output: Path | None, *, as_csv: bool = False) -> int:
    """`triage-tui brief`: the plan as the team's Markdown brief, or (`--csv`) the CSV
    summary; stdout or an atomic write."""
    from triage_tui.formats.brief import render_brief, render_csv_summary
    from triage_tui.formats.plan import read_plan

    try:
        session = read_plan(plan_path)
    except InputError as error:
        print(str(error), file=sys.stderr)
        return 1
    text = render_csv_summary(session) if as_csv else render_brief(session)
    if output is None:
        sys.stdout.write(text)
        return 0
    if as_csv:
        # A file: UTF-8 with a byte order mark, so Excel keeps the accents.
        text = render_csv_summary(session, bom=True)
    from triage_tui.services import GuardedWriter
    from triage_tui.store.fsutil import describe_write_error

    try:
        # The one guarded writer: never the plan being read.
        GuardedWriter((plan_path,), what="the plan being read").write_text(output, text)
    except OSError as error:
        print(describe_write_error(output, error), file=sys.stderr)
        return 1
    print(f"wrote {shown(output)}", file=sys.stderr)
    return 0


def cmd_handoff(plan_path: Path, ids: list[str], *, every_ready: bool, output: Path | None) -> int:
    """`triage-tui handoff`: the contractor's handoff documents of a plan.

    One document goes to stdout or to the file `output` (a folder: `<id>.md` inside
    it); several (`--all`, or more than one ID) go to the folder `output`, one file
    each. Nothing is written when an ID is not in the plan.
    """
    from triage_tui.formats.handoff_doc import handoff_documents
    from triage_tui.formats.plan import read_plan
    from triage_tui.services import GuardedWriter
    from triage_tui.store.fsutil import describe_write_error

    try:
        session = read_plan(plan_path)
    except InputError as error:
        print(str(error), file=sys.stderr)
        return 1
    try:
        docs = handoff_documents(session, ids=ids, every_ready=every_ready)
    except KeyError as error:
        print(
            f"{shown(plan_path)}: no item {shown(repr(error.args[0]))} in this plan",
            file=sys.stderr,
        )
        return 1
    if not docs:
        what = (
            "ready project item" if every_ready else "first engagement (no project item is ready)"
        )
        print(f"{shown(plan_path)}: no {what} to hand off", file=sys.stderr)
        return 1
    if output is None and len(docs) > 1:
        print("triage-tui handoff: several documents need a folder: -o PATH", file=sys.stderr)
        return 2
    if output is None:
        sys.stdout.write(docs[0].text)
        return 0
    folder = every_ready or len(docs) > 1 or output.is_dir()
    # The one guarded writer: never the plan being read.
    writer = GuardedWriter((plan_path,), what="the plan being read")
    if folder:
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            print(describe_write_error(output, error), file=sys.stderr)
            return 1
    targets = [(output / doc.filename if folder else output, doc) for doc in docs]
    failed = 0
    for target, doc in targets:
        # One file that cannot be written (a name the disk refuses, a full disk) is said
        # and the others are still written: --all never stops half-way.
        try:
            writer.write_text(target, doc.text)
        except OSError as error:
            failed += 1
            print(
                f"{describe_write_error(target, error)} (item {shown(doc.item.id)})",
                file=sys.stderr,
            )
            continue
        note = "" if doc.ready else " (not ready yet: its gaps are at the top)"
        print(f"wrote {shown(target)}{note}", file=sys.stderr)
    if failed and len(targets) > 1:
        print(
            f"triage-tui handoff: {len(targets) - failed} of {len(targets)} written; "
            f"{failed} could not be (above)",
            file=sys.stderr,
        )
    return 1 if failed else 0


def open_session(path: Path, mapping: dict[str, str] | None = None) -> tuple[Session, bool]:
    """A plan (reopened) or a backlog (undecided) as a Session; True when it was a plan.

    Raises:
        InputError: not a backlog or plan we can read.
    """
    from triage_tui.services import LaunchOptions, load_session

    session = load_session(path, LaunchOptions(file=path, mapping=dict(mapping or {})))
    return session, session.backlog.format == "plan"


def cmd_diff(old: Path, new: Path, *, as_json: bool, mapping: dict[str, str]) -> int:
    """`triage-tui diff OLD NEW`: Markdown (or JSON) of what moved between them."""
    from triage_tui.core.diff import compare
    from triage_tui.formats.diff import render_json, render_markdown

    try:
        before, old_is_plan = open_session(old, mapping)
        if not old_is_plan:
            raise InputError(old, "OLD must be a triage-tui plan (a .plan.toml written by the app)")
        after, new_is_plan = open_session(new, mapping)
    except InputError as error:
        print(str(error), file=sys.stderr)
        return 1
    found = compare(before, after, new_is_plan=new_is_plan)
    render = render_json if as_json else render_markdown
    try:
        sys.stdout.write(render(found, old.name, new.name))
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    """`triage-tui push`: the dry run (default) or `--apply`; see triage_tui.push."""
    import os

    from triage_tui.push import PushRefused, client_for, prepare

    prefix = args.label_prefix
    if prefix is None:
        from triage_tui.config import load_config

        prefix = load_config()[0].label_prefix
    try:
        prepared = prepare(
            args.plan,
            args.to,
            ids=args.ids,
            repo=args.repo or "",
            prefix=prefix,
            handoffs=args.handoffs,
        )
    except (InputError, PushRefused) as error:
        print(str(error), file=sys.stderr)
        return 1
    selection = prepared.selection
    if not args.apply:
        sys.stdout.write(prepared.dry_run())
        script = prepared.script()
        if args.script is None:
            sys.stdout.write(
                "\n--- the script, to review (--script FILE writes it to a file) ---\n"
            )
            sys.stdout.write(script)
            return 0
        from triage_tui.services import GuardedWriter
        from triage_tui.store.fsutil import describe_write_error

        try:
            GuardedWriter((args.plan,), what="the plan being read").write_text(args.script, script)
        except OSError as error:
            print(describe_write_error(args.script, error), file=sys.stderr)
            return 1
        print(f"wrote {shown(args.script)}", file=sys.stderr)
        return 0
    for line in selection.refused:
        print(line, file=sys.stderr)
    try:
        client = client_for(args.to, os.environ)
    except PushRefused as error:
        print(str(error), file=sys.stderr)
        return 1
    return _run_push(prepared, client)


def _run_push(prepared: Prepared, client: Client) -> int:
    """`push --apply`: a progress bar on a terminal (plain lines otherwise), one summary."""
    import asyncio

    from triage_tui.core.sanitize import clean_line
    from triage_tui.formats.push import describe_change
    from triage_tui.push import TrackerError, apply

    err = sys.stderr
    bar = err.isatty()
    done = [0]
    total = len(prepared.selection.items)

    def progress(index: int, count: int, item: PushItem, change: Change) -> None:
        done[0] = index
        if bar:
            width = 30
            filled = width * index // max(count, 1)
            err.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {index}/{count} "
                f"{clean_line(str(item.ref))[:30]:<30}"
            )
        else:
            err.write(f"{clean_line(str(item.ref))}: {describe_change(change)}\n")
        err.flush()

    try:
        summary = asyncio.run(apply(prepared, client, progress))
    except TrackerError as error:
        if bar and done[0]:
            err.write("\n")
        print(clean_line(str(error)), file=err)
        if done[0]:
            print(
                f"{done[0]} of {total} items were done; run the same command again to resume.",
                file=err,
            )
        return 1
    except KeyboardInterrupt:
        if bar:
            err.write("\n")
        print(
            f"stopped: {done[0]} of {total} items done; run the same command again to resume.",
            file=err,
        )
        return 130
    if bar and total:
        err.write("\n")
    print(summary.line(prepared.tracker, prepared.selection), file=err)
    return 0
