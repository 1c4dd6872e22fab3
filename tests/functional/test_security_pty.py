"""Hostile backlogs in the real app: the bytes the terminal gets, and a served app's writes.

The pty test runs `python -m triage_tui --fresh FILE` in a pseudo-terminal, walks the
screens that show backlog text (the list, the heading, the description, the presenter
view, the palette, Plan, Export), quits with ctrl+q and looks at every byte written to
the terminal. A clean backlog walked the same way is the baseline: Textual's own
sequences (it clears the screen, leaves the alternate screen at exit) are counted
there, and the hostile run may not add any.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest
from rich.text import Text
from textual.content import Content
from textual.widgets import Input, Static

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.tui.app import LaunchOptions, TriageApp
from triage_tui.tui.launch import create_app

PAYLOADS = {
    "osc52": "\x1b]52;c;UFdORUQ=\x07",
    "osc8": "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "clear": "\x1b[2J\x1b[H",
    "leave": "\x1b[?1049l",
    "csi8": "\x9b2J",
    "osc8bit": "\x9d52;c;QUFB\x9c",
    "bel": "\x07\x07",
    "nul": "\x00",
    "rlo": "\u202etxt.exe",
    "dcs": "\x1bP+q544e\x1b\\",
    "apc": "\x1b_Ga=T;AAAA\x1b\\",
    "cr": "safe\rEVIL",
    # Textual and Rich markup: a link or a click action hidden in a title.
    "markup-link": "[link=https://evil.example]Invoices[/link]",
    "markup-click": "[@click=app.quit]Stripe[/]",
}


def _toml(value: str) -> str:
    return json.dumps(value)  # \uXXXX escapes: valid TOML for every payload here


def write_backlog(path: Path, payloads: dict[str, str]) -> Path:
    lines = [f"title = {_toml('Q1 ' + payloads.get('osc52', ''))}", ""]
    for number, (name, payload) in enumerate(payloads.items(), start=1):
        lines += [
            "[[items]]",
            f"id = {_toml(f'P-{number}{payload}')}",
            f"title = {_toml(f'Build {name} {payload} webhook service')}",
            "description = "
            + _toml(
                f"# Spec {payload}\n\nAcceptance criteria: {payload}\n\n"
                f"See [the tracker](https://evil.example/{name}) and `{payload}`.\n"
            ),
            f"labels = [{_toml('lab' + payload)}]",
            f"estimate = {_toml('2w' + payload)}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class Terminal:
    """`python -m triage_tui --fresh FILE` in a 120x36 pseudo-terminal; every byte kept."""

    def __init__(self, backlog: Path, state_dir: Path, config_dir: Path) -> None:
        env = dict(
            os.environ,
            TERM="xterm-256color",
            TRIAGE_TUI_STATE_DIR=str(state_dir),
            TRIAGE_TUI_CONFIG_DIR=str(config_dir),
        )
        env.pop("TEXTUAL", None)
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the app
            argv = [sys.executable, "-m", "triage_tui", "--fresh", str(backlog)]
            os.execvpe(sys.executable, argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        self.seen = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return False
        self.seen += chunk
        return bool(chunk)

    def read_until(self, needle: bytes, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                tail = self.seen[-2000:].decode("utf-8", "replace")
                raise AssertionError(f"{needle!r} never appeared; last output: {tail}")
            if not self._read(min(left, 0.5)):
                break

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and self._read(0.05):
            pass

    def press(self, keys: str, settle: float = 0.4) -> None:
        os.write(self.fd, keys.encode())
        self.drain(settle)

    def quit(self, timeout: float = 20.0) -> int:
        """ctrl+q, then read to the end; the exit status."""
        os.write(self.fd, b"\x11")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._read(0.2):  # EIO: the app closed the terminal, it is exiting
                _, status = os.waitpid(self.pid, 0)
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.drain(0.2)
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        raise AssertionError("the app did not quit on ctrl+q")


def walk(backlog: Path, tmp_path: Path) -> bytes:
    """Every screen that shows backlog text, then ctrl+q; the bytes the terminal got."""
    terminal = Terminal(backlog, tmp_path / "state", tmp_path / "config")
    try:
        terminal.read_until(b"Begin")
        terminal.press("\r")  # enter: Categorize (list, heading, description)
        terminal.read_until(b"decided")
        terminal.press("\x1b[B")  # down: the next item's heading and description
        terminal.press("\x1b[B")
        terminal.press("v")  # presenter view
        terminal.press("v")
        terminal.press("p")  # decide one: Plan then has a project item
        terminal.press("\x10", settle=0.8)  # ctrl+p: the palette lists every item
        terminal.press("Jump", settle=0.8)
        terminal.press("\x1b", settle=0.6)  # escape closes it
        terminal.press("\x1b[15~", settle=0.8)  # F5: Plan
        terminal.press("\x1b[17~", settle=0.8)  # F6: Export
        assert terminal.quit() == 0
    except BaseException:
        if terminal.fd >= 0:
            try:
                os.kill(terminal.pid, signal.SIGKILL)
                os.waitpid(terminal.pid, 0)
            except OSError:
                pass
        raise
    return terminal.seen


pty_only = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


@pty_only
def test_the_terminal_receives_nothing_a_backlog_smuggled_in(tmp_path: Path) -> None:
    clean_dir, hostile_dir = tmp_path / "clean", tmp_path / "hostile"
    clean_dir.mkdir()
    hostile_dir.mkdir()
    plain = {name: "" for name in PAYLOADS}
    baseline = walk(write_backlog(clean_dir / "b.toml", plain), clean_dir)
    raw = walk(write_backlog(hostile_dir / "b.toml", PAYLOADS), hostile_dir)

    # The walk really showed the hostile items (their harmless pictures and words).
    text = raw.decode("utf-8", "replace")
    assert "Build osc52" in text and "\u241b]52;c;UFdORUQ=" in text
    assert "webhook" in text and "[link=https://evil.example]" in text  # markup as text

    assert b"\x1b]52;" not in raw  # the clipboard is never written
    assert b"\x1b]8;" not in raw  # no hyperlink: not the raw one, not from markup
    assert "\u009b" not in text and "\u009d" not in text and "\u009c" not in text
    assert "\u202e" not in text
    assert b"safe\rEVIL" not in raw  # a CR from the backlog never moves the cursor back
    # Textual's own sequences: the hostile walk adds none of them.
    for sequence in (b"\x1b[2J", b"\x1b[?1049l", b"\x1bP", b"\x1b_", b"\x07", b"\x00"):
        assert raw.count(sequence) <= baseline.count(sequence), sequence


# -- in-process: markup sinks and the served app's write guard --------------------------
async def test_markup_in_backlog_text_stays_text(tmp_path: Path) -> None:
    backlog = write_backlog(tmp_path / "b.toml", PAYLOADS)
    app = create_app(LaunchOptions(file=backlog, fresh=True), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        from triage_tui.core.sanitize import clip
        from triage_tui.tui.commands import jump_display

        assert app.workshop is not None
        assert len(app.workshop.in_scope) == len(PAYLOADS)
        for item in app.workshop.in_scope:
            # What the palette shows for "Jump to" (typed words marked): the title as text.
            content = Content.from_markup(jump_display(item, "link click"))  # as the palette
            line = f"Jump to {item.id}: {item.title}".replace("\n", " ")
            assert content.plain == clip(line, 90)
            assert not any(
                span.style and ("link" in str(span.style) or "@click" in str(span.style))
                for span in content.spans
            ), content.plain
        # Plan's table of handoff-able items: the titles as written, no link.
        from textual.widgets import DataTable

        from triage_tui.core.session import Category, Mark

        for item in app.workshop.in_scope:
            app.workshop.session.decide(item.id, Category.PROJECT)
            for number in range(1, 8):
                app.workshop.session.set_mark(item.id, number, Mark.MET)
        app.action_phase("plan")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        from textual.widgets._data_table import default_cell_formatter

        # Each cell as the table draws it (a str would be read as Rich markup).
        drawn = [default_cell_formatter(table.get_row_at(row)[0]) for row in range(table.row_count)]
        assert len(drawn) == len(PAYLOADS)
        for cell in drawn:
            assert isinstance(cell, Text)
            assert not any(span.style and "link" in str(span.style) for span in cell.spans), cell
        assert any("[link=https://evil.example]Invoices[/link]" in cell.plain for cell in drawn)
        # A notification quoting backlog text (an error line, "Undone: <item>") is not
        # read as markup: the toast shows it as written.
        app.notify("Undone: [link=https://evil.example]x[/link]")
        await pilot.pause()
        shown = list(app._notifications)[-1]
        assert shown.message == "Undone: [link=https://evil.example]x[/link]"
        assert shown.markup is False
        # An error line quoting a file name: no control character either.
        app.notify("b\x1b]52;c;QQ==\x07.toml: no such file", title="Cannot \x1b[2J open")
        await pilot.pause()
        shown = list(app._notifications)[-1]
        assert (shown.title, shown.message) == (
            "Cannot \u241b[2J open",
            "b\u241b]52;c;QQ==\u2407.toml: no such file",
        )


async def _export(pilot, app: TriageApp, plan: Path) -> str:  # type: ignore[no-untyped-def]
    app.screen.query_one("#plan-path", Input).value = str(plan)
    await pilot.press("x")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return str(app.screen.query_one("#export-status", Static).render())


async def test_a_served_app_writes_only_inside_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "served"
    folder.mkdir()
    backlog = write_backlog(folder / "b.toml", {"plain": ""})
    outside = tmp_path / "home"
    outside.mkdir()
    bashrc = outside / ".bashrc"
    bashrc.write_text("# mine\n")
    (folder / "escape").symlink_to(outside)
    app = create_app(LaunchOptions(file=backlog, fresh=True, out=folder), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("f6")
        await pilot.pause()
        for target in (bashrc, folder / "escape" / ".bashrc", folder / ".." / "home" / "x"):
            status = await _export(pilot, app, target)
            assert "Not written: " in status and "outside" in status, status
            assert "--out" in status
        assert bashrc.read_text() == "# mine\n"
        assert not (outside / "x").exists()
        status = await _export(pilot, app, folder / "b.plan.toml")
        assert "✓ Wrote" in status and "Not written" not in status
        assert (folder / "b.plan.toml").exists() and (folder / "b.brief.md").exists()
        # The handoffs folder too (one file per ready item, written into it).
        app.screen.query_one("#handoffs-path", Input).value = str(outside / "handoffs")
        status = await _export(pilot, app, folder / "b.plan.toml")
        assert f"Not written: {outside / 'handoffs'} is outside" in status, status
        assert sorted(p.name for p in outside.iterdir()) == [".bashrc"]


async def test_with_out_the_default_plan_goes_into_the_folder(tmp_path: Path) -> None:
    backlog = write_backlog(tmp_path / "b.toml", {"plain": ""})
    folder = tmp_path / "out"
    folder.mkdir()
    app = create_app(LaunchOptions(file=backlog, fresh=True, out=folder), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        assert app.workshop.plan_path == folder / "b.plan.toml"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert (folder / "b.plan.toml").exists()
    assert not (tmp_path / "b.plan.toml").exists()


async def test_ctrl_s_to_a_plan_outside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    backlog = write_backlog(folder / "b.toml", {"plain": ""})
    plan = tmp_path / "elsewhere.plan.toml"
    options = LaunchOptions(file=backlog, fresh=True, out=folder, plan=plan)
    app = create_app(options, now=FrozenClock())
    said: list[tuple[str, str]] = []
    notify = app.notify

    def record(message: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        said.append((kwargs.get("title", ""), message))
        notify(message, **kwargs)

    app.notify = record  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert (
        "Not saved",
        f"Not written: {plan} is outside {folder}, the one folder this app writes to "
        "(--out); choose a path inside it.",
    ) in said
    assert not plan.exists()


@pty_only
def test_a_hostile_file_name_reaches_the_terminal_harmless(tmp_path: Path) -> None:
    """Start, Categorize and Export (its path fields) show the file's name; a zip can
    name a file anything."""
    backlog = write_backlog(tmp_path / "b\x1b]52;c;QQ==\x07\u202e.toml", {"plain": ""})
    terminal = Terminal(backlog, tmp_path / "state", tmp_path / "config")
    terminal.read_until(b"Begin")
    terminal.drain(0.5)
    terminal.press("\r")
    terminal.read_until(b"decided")
    terminal.press("\x1b[17~", settle=0.8)  # F6: Export, its path fields
    terminal.read_until(b"brief.md")
    assert terminal.quit() == 0
    text = terminal.seen.decode("utf-8", "replace")
    assert "b\u241b]52;c;QQ==\u2407.toml" in text  # shown, as pictures
    assert b"\x1b]52;" not in terminal.seen
    assert "\u202e" not in text


async def test_text_fields_draw_a_pasted_control_as_a_picture(tmp_path: Path) -> None:
    """Textual's Input draws its value as it is; ours draw control characters as pictures,
    one for one (the value itself, a real path or the note, is untouched)."""
    backlog = write_backlog(tmp_path / "b.toml", {"plain": ""})
    app = create_app(LaunchOptions(file=backlog, fresh=True), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        for screen, field in (
            ("start", "#facilitator"),
            ("categorize", "#note"),
            ("export", "#csv-path"),
        ):
            app.action_phase(screen)
            await pilot.pause()
            if screen == "categorize":
                await pilot.press("n")  # the note's editor shows while the note is edited
                await pilot.pause()
            widget = app.screen.query_one(field, Input)
            widget.value = "x\x1b]52;c;QQ==\x07\u202ey"
            await pilot.pause()
            drawn = "".join(segment.text for segment in widget.render_line(0))
            # (Rich itself drops BEL, BS, VT, FF and CR from a Text.)
            assert "x\u241b]52;c;QQ==\ufffdy" in drawn, (screen, drawn)
            assert not any(char in drawn for char in "\x1b\x07\u202e"), (screen, drawn)
            assert widget.value == "x\x1b]52;c;QQ==\x07\u202ey"
