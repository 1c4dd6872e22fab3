"""What issue 16 fixes about the code's shape, checked on the source itself."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "triage_tui"
INTERNALS = SRC / "tui" / "_textual_internals.py"


def sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted(SRC.rglob("*.py"))}


def test_the_app_module_is_at_most_250_lines() -> None:
    lines = (SRC / "tui" / "app.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250


def test_private_textual_api_is_used_in_one_module_only() -> None:
    private = re.compile(
        r"from textual\._|import textual\._|_css_update_count|_get_breakpoint_classes"
        r"|stylesheet\.apply\("
    )
    users = {path.name for path, text in sources().items() if private.search(text)}
    assert users == {INTERNALS.name}


def test_no_library_module_switches_the_garbage_collector() -> None:
    # The entry points may (gc.freeze at launch, check's one-shot run), and the use case
    # that loads a backlog (services.load_session pauses it for the load and restores it:
    # issue 24); nothing else.
    switching = re.compile(r"\bgc\.(disable|enable|freeze|set_threshold)\(")
    users = {
        str(path.relative_to(SRC)) for path, text in sources().items() if switching.search(text)
    }
    assert users <= {"cli.py", "tui/launch.py", "services.py"}


def test_every_write_goes_through_the_guarded_writer() -> None:
    # atomic_write_* is the store's primitive: outside the store only services calls it
    # (formats/plan.write_plan keeps its own backlog check for library callers).
    callers = {
        str(path.relative_to(SRC))
        for path, text in sources().items()
        if re.search(r"\batomic_write_(text|bytes)\(", text)
        and path.relative_to(SRC).parts[0] != "store"
    }
    assert callers <= {"services.py", "formats/plan.py"}


def test_the_apps_helpers_do_not_import_the_app_back() -> None:
    """app.py imports loading, saving, settings and the palette's commands; they take a
    Protocol of tui/host.py (Host, SettingsHost, CommandsHost), never `TriageApp`.

    The modules that still name `TriageApp` (for typing only, under TYPE_CHECKING): the
    room's panel (vote_room.py) and the screens' base (`PhaseScreen.triage`); launch.py
    makes the app. The list may shrink, never grow (pyproject.toml's import-linter
    contract pins the helpers too).
    """
    importing = re.compile(
        r"^\s*(?:from triage_tui\.tui\.app import|import triage_tui\.tui\.app)", re.M
    )
    users = {
        str(path.relative_to(SRC / "tui"))
        for path, text in sources().items()
        if path.is_relative_to(SRC / "tui") and importing.search(text)
    }
    assert users <= {"app.py", "launch.py", "vote_room.py", "screens/base.py"}
    for name in ("loading.py", "saving.py", "host.py", "follow.py", "settings.py", "commands.py"):
        text = (SRC / "tui" / name).read_text(encoding="utf-8")
        assert "triage_tui.tui.app" not in text, name


def test_telling_a_plan_from_a_backlog_stays_light(tmp_path: Path) -> None:
    """services opens a file through formats/sniff.py, which the plan format shares: one
    `looks_like_plan`, and importing it pulls in neither TOML nor the readiness rules."""
    import ast
    import subprocess
    import sys

    from triage_tui.formats.sniff import looks_like_plan

    plan = tmp_path / "q2.plan.toml"
    plan.write_text('schema = "triage-tui/plan/2"\n', encoding="utf-8")
    backlog = tmp_path / "backlog.toml"
    backlog.write_text('[[items]]\nid = "A"\ntitle = "T"\n', encoding="utf-8")
    assert looks_like_plan(plan) and not looks_like_plan(backlog)
    assert not looks_like_plan(tmp_path / "missing.toml")
    code = (
        "import sys, triage_tui.formats.sniff; "
        "print(sorted(m for m in sys.modules if m.startswith('triage_tui') or m == 'tomllib'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert ast.literal_eval(out) == ["triage_tui", "triage_tui.formats", "triage_tui.formats.sniff"]
    for name in ("services.py", "formats/plan.py"):
        text = (SRC / name).read_text(encoding="utf-8")
        assert "def looks_like_plan" not in text and "def _looks_like_plan" not in text, name
