"""`triage-tui serve`: a real server on a free loopback port serves textual-serve's app page."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from triage_tui.serve import _backlog_name, _url, app_argv

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_backlogs"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str, deadline: float) -> str:
    """GET ``url``, retrying while the server starts (it takes a second or two to import)."""
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return str(response.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last = error
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} in time: {last}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    # A space in the path: textual-serve runs the app through a shell, so quoting matters.
    backlog = tmp_path / "team backlogs" / "acme q1.toml"
    backlog.parent.mkdir()
    shutil.copyfile(SAMPLES / "acme.toml", backlog)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "triage_tui",
            "serve",
            str(backlog),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_serve_prints_the_address_serves_the_page_and_stops_on_ctrl_c(
    served: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = served
    html = _fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 20)

    # textual-serve's page: its terminal element, its script, our title, and a
    # websocket address pointing back at the address the browser used.
    assert 'class="textual-terminal"' in html
    assert "/static/js/textual.js" in html
    assert "triage-tui: acme q1.toml" in html
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in html
    # Opened under another name, the page points back at that name (not a fixed URL).
    by_name = _fetch(f"http://localhost:{port}/", time.monotonic() + 5)
    assert f'data-session-websocket-url="ws://localhost:{port}/ws"' in by_name

    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"serve did not stop on SIGINT; stderr: {err}")
    assert process.returncode == 0, err
    first = out.splitlines()[0]
    assert first == (
        f"Serving triage-tui at http://127.0.0.1:{port} — open it in a browser; ctrl+c stops."
    )
    assert "Traceback" not in out + err


async def _first_screen_bytes(port: int, enough: int = 4000) -> bytes:
    """Connect as the browser page does and collect what the served app draws."""
    import asyncio

    import aiohttp  # textual-serve's own web stack, so always installed with it

    received = b""
    url = f"http://127.0.0.1:{port}/ws?width=100&height=30"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        try:
            async with asyncio.timeout(20):
                async for message in websocket:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        received += message.data
                    if len(received) >= enough:
                        break
        except TimeoutError:
            pass
    return received


async def test_a_browser_connection_runs_the_app_through_the_quoted_command(
    served: tuple[subprocess.Popen[str], int],
) -> None:
    """The websocket starts `python -m triage_tui FILE` in a shell: quoting and all must work."""
    process, port = served
    _fetch(f"http://127.0.0.1:{port}/", time.monotonic() + 20)
    screen = await _first_screen_bytes(port)
    # A Textual app switching to the alternate screen and drawing in truecolour.
    assert b"\x1b[?1049h" in screen
    assert b"38;2;" in screen
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=15)
    assert process.returncode == 0


def test_serve_reports_a_busy_port_without_a_traceback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "triage_tui", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            cwd=ROOT,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["acme.toml", "--port", "9000"], ["acme.toml"]),
        (["--host", "0.0.0.0", "acme.toml", "--port=9000"], ["acme.toml"]),
        (["--po", "9000", "--theme", "projector", "x.csv"], ["--theme", "projector", "x.csv"]),
        (["--plan", "p.toml", "--", "--port"], ["--plan", "p.toml", "--", "--port"]),
        ([], []),
    ],
)
def test_server_options_do_not_reach_the_app(argv: list[str], expected: list[str]) -> None:
    assert app_argv(argv) == expected


def test_page_title_names_the_backlog_not_an_option_value() -> None:
    assert _backlog_name(["--theme", "projector", "dir/acme.toml"]) == "acme.toml"
    assert _backlog_name(["--minutes=45", "b.csv"]) == "b.csv"
    assert _backlog_name(["--fresh"]) is None


def test_address_is_one_a_browser_can_open() -> None:
    assert _url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert _url("0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert _url("::1", 8080) == "http://[::1]:8080"
