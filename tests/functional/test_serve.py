"""`triage-tui serve`: a real server on a free loopback port; only its printed address, with
the per-run key, opens the app, and only the page it served may drive it."""

from __future__ import annotations

import contextlib
import os
import re
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

from triage_tui.serve import (
    _backlog_name,
    _default_out,
    _url,
    _without_out,
    allowed_hosts,
    app_argv,
    is_loopback,
    origin_allowed,
)

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


class Served:
    """A running `triage-tui serve`: its process, port and the one address it printed."""

    def __init__(
        self, process: subprocess.Popen[str], port: int, address: str, folder_line: str
    ) -> None:
        self.process = process
        self.folder_line = folder_line
        self.port = port
        self.address = address
        self.secret = address.rstrip("/").rsplit("/", 1)[-1]

    def stop(self) -> tuple[str, str]:
        self.process.send_signal(signal.SIGINT)
        try:
            out, err = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            pytest.fail(f"serve did not stop on SIGINT; stderr: {err}")
        return out, err


def _start(backlog: Path, *extra: str, new_session: bool = False) -> Served:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "triage_tui", "serve", str(backlog), "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        start_new_session=new_session,  # its own process group, as a terminal's job is
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # printed before the server starts
    match = re.fullmatch(
        r"Serving triage-tui at (http://127\.0\.0\.1:(\d+)/[A-Za-z0-9_-]{32}/) — open it in a "
        r"browser; ctrl\+c stops\.\n",
        first,
    )
    if match is None:
        process.kill()
        pytest.fail(f"unexpected first line {first!r}; stderr: {process.communicate()[1]}")
    assert int(match.group(2)) == port
    # Read here too: communicate() would not see what readline() buffered.
    return Served(process, port, match.group(1), process.stdout.readline().rstrip("\n"))


@pytest.fixture
def backlog(tmp_path: Path) -> Path:
    # A space in the path: textual-serve runs the app through a shell, so quoting matters.
    target = tmp_path / "team backlogs" / "acme q1.toml"
    target.parent.mkdir()
    shutil.copyfile(SAMPLES / "acme.toml", target)
    return target


@pytest.fixture
def served(backlog: Path) -> Iterator[Served]:
    running = _start(backlog)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(timeout=10)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_printed_address_opens_the_app_the_bare_one_does_not(served: Served) -> None:
    port, secret = served.port, served.secret
    html = _fetch(served.address, time.monotonic() + 20)

    # textual-serve's page: its terminal element, its script, our title, and a
    # websocket address under the secret, pointing back at the address the browser used.
    assert 'class="textual-terminal"' in html
    assert "/static/js/textual.js" in html
    assert "triage-tui: acme q1.toml" in html
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/{secret}/ws"' in html
    # Opened under another name, the page points back at that name (not a fixed URL).
    by_name = _fetch(f"http://localhost:{port}/{secret}/", time.monotonic() + 5)
    assert f'data-session-websocket-url="ws://localhost:{port}/{secret}/ws"' in by_name

    with urllib.request.urlopen(served.address, timeout=5) as response:
        assert response.headers["Referrer-Policy"] == "no-referrer"  # the key stays here
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Frame-Options"] == "DENY"

    # The bare address, a wrong key, the old websocket path: 403, no page.
    # A wrong key: the last character changed (to "y" when the secret ends with "x").
    wrong = secret[:-1] + ("y" if secret.endswith("x") else "x")
    for path in ("/", "/ws", f"/{wrong}/", f"/{secret}x/", f"/x/{secret}/", "/static/"):
        assert _status(f"http://127.0.0.1:{port}{path}") == 403, path
    # The scripts the page loads stay public (they are textual-serve's own files).
    assert _status(f"http://127.0.0.1:{port}/static/js/textual.js") == 200

    out, err = served.stop()
    assert served.process.returncode == 0, err
    assert served.folder_line == f"Files the app writes stay in {served_folder(served)}."
    assert secret not in err  # nothing logs the key
    assert secret not in out
    assert "Traceback" not in out + err
    assert "warning" not in err  # loopback: no warning


def served_folder(served: Served) -> Path:
    args = served.process.args
    assert isinstance(args, list)
    return Path(str(args[4])).resolve().parent


async def _first_screen_bytes(url: str, origin: str | None, enough: int = 4000) -> bytes:
    """Connect as the browser page does and collect what the served app draws."""
    import asyncio

    import aiohttp  # textual-serve's own web stack, so always installed with it

    received = b""
    headers = {"Origin": origin} if origin else {}
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{url}?width=100&height=30", headers=headers) as websocket,
    ):
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


async def _handshake_status(url: str, origin: str | None) -> int:
    import aiohttp

    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(url, headers=headers):
                return 101
        except aiohttp.WSServerHandshakeError as error:
            return error.status


async def test_a_foreign_origin_is_refused_the_served_one_runs_the_app(served: Served) -> None:
    """The websocket starts `python -m triage_tui FILE` in a shell: only for the served page."""
    port, secret = served.port, served.secret
    _fetch(served.address, time.monotonic() + 20)
    ws = f"ws://127.0.0.1:{port}/{secret}/ws"
    # Any web page the facilitator visits can open a websocket to loopback: refused.
    assert await _handshake_status(ws, "http://evil.example") == 403
    assert await _handshake_status(ws, f"http://127.0.0.1:{port}.evil.example") == 403
    assert await _handshake_status(ws, f"http://localhost:{port}") == 403  # not this address
    assert await _handshake_status(ws, None) == 403  # no Origin: not a browser page
    # The right origin without the key, or with a wrong one: refused too.
    origin = f"http://127.0.0.1:{port}"
    assert await _handshake_status(f"ws://127.0.0.1:{port}/ws", origin) == 403
    assert await _handshake_status(f"ws://127.0.0.1:{port}/{secret}x/ws", origin) == 403

    screen = await _first_screen_bytes(ws, origin)
    # A Textual app switching to the alternate screen and drawing in truecolour.
    assert b"\x1b[?1049h" in screen
    assert b"38;2;" in screen
    served.stop()
    assert served.process.returncode == 0


def test_the_page_loads_nothing_from_outside_and_asks_for_no_icon(served: Served) -> None:
    """Offline (a room's LAN, a train) the page must still draw: its font comes from the
    served static folder, not Google's servers; /favicon.ico is no 403 in the console."""
    port = served.port
    html = _fetch(served.address, time.monotonic() + 20)
    external = [
        url
        for url in re.findall(r"""(?:href|src)=["']([^"']+)""", html)
        + re.findall(r"url\('([^']+)", html)
        if not url.startswith((f"http://127.0.0.1:{port}/", "data:"))
    ]
    assert external == []
    assert "googleapis" not in html
    assert '<link rel="icon" href="data:,">' in html
    font = re.search(r"url\('http://127\.0\.0\.1:\d+(/static/fonts/[^']+)'\)", html)
    assert font is not None and _status(f"http://127.0.0.1:{port}{font.group(1)}") == 200
    assert _status(f"http://127.0.0.1:{port}/favicon.ico") == 204
    served.stop()


@pytest.mark.parametrize("between", [0.02, 0.3])
async def test_ctrl_c_twice_while_an_app_runs_still_exits_0(backlog: Path, between: float) -> None:
    """ctrl+c in a terminal reaches serve and the apps it runs (one process group); a
    second one while they close must not turn a clean stop into exit 1 or 130."""
    import asyncio

    import aiohttp

    served = _start(backlog, new_session=True)
    try:
        port, secret = served.port, served.secret
        url = f"ws://127.0.0.1:{port}/{secret}/ws?width=100&height=30"
        _fetch(served.address, time.monotonic() + 20)  # listening
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(url, headers={"Origin": f"http://127.0.0.1:{port}"}) as websocket,
        ):
            async with asyncio.timeout(20):
                async for message in websocket:  # the app is up and drawing
                    if message.type == aiohttp.WSMsgType.BINARY:
                        break
            os.killpg(served.process.pid, signal.SIGINT)
            await asyncio.sleep(between)
            os.killpg(served.process.pid, signal.SIGINT)
            async with asyncio.timeout(15):
                async for _message in websocket:  # as a browser does: read on, answer the close
                    pass
            for _ in range(150):
                if served.process.poll() is not None:
                    break
                await asyncio.sleep(0.1)
        assert served.process.returncode == 0, served.process.communicate()[1]
    finally:
        # The whole group: serve and the app it runs (a failed run left the app behind).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(served.process.pid, signal.SIGKILL)
        served.process.wait(timeout=10)


def test_a_non_loopback_host_is_warned_about(backlog: Path) -> None:
    # 192.0.2.2 (TEST-NET-1): the warning comes before the bind, whether or not it works.
    command = [sys.executable, "-m", "triage_tui", "serve", str(backlog), "--host", "192.0.2.2"]
    process = subprocess.Popen(
        [*command, "--port", str(_free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        cwd=ROOT,
    )
    try:
        assert process.stderr is not None
        warning = process.stderr.readline()
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
    assert warning.startswith(
        "triage-tui serve: warning: --host 192.0.2.2 is not loopback: anyone who can reach "
        "this machine"
    )
    assert "has the address can drive the app" in warning


def test_serve_refuses_an_out_folder_that_does_not_exist(backlog: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "triage_tui", "serve", str(backlog), "--out", str(tmp_path / "no")],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "no such folder" in result.stderr


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


def test_origin_must_be_the_address_the_request_was_sent_to() -> None:
    loopback = allowed_hosts("127.0.0.1", 8000)
    assert loopback == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert origin_allowed("http://127.0.0.1:8000", "127.0.0.1:8000", loopback)
    assert origin_allowed("http://localhost:8000", "localhost:8000", loopback)
    assert not origin_allowed("http://evil.example", "127.0.0.1:8000", loopback)
    assert not origin_allowed(None, "127.0.0.1:8000", loopback)
    assert not origin_allowed("null", "127.0.0.1:8000", loopback)  # a sandboxed iframe
    # DNS rebinding: evil.example resolved to 127.0.0.1 sends its own name as Host.
    assert not origin_allowed("http://evil.example:8000", "evil.example:8000", loopback)
    # Every interface: the LAN name is not known, the Origin must still match the Host.
    assert allowed_hosts("0.0.0.0", 8000) is None
    assert origin_allowed("http://192.168.1.5:8000", "192.168.1.5:8000", None)
    assert not origin_allowed("http://evil.example", "192.168.1.5:8000", None)
    assert allowed_hosts("::1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert allowed_hosts("192.0.2.2", 80) == {"192.0.2.2:80"}


def test_loopback_hosts() -> None:
    for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "", "192.0.2.2", "example.com", "10.0.0.1"):
        assert not is_loopback(host), host


def test_the_served_app_writes_to_the_backlog_folder_by_default(tmp_path: Path) -> None:
    backlog = tmp_path / "b.toml"
    assert _default_out(["--theme", "light", str(backlog)]) == tmp_path.resolve()
    assert _default_out(["--fresh"]) == Path.cwd()
    assert _without_out(["--out", "x", "b.toml", "--out=y", "--", "--out"]) == [
        "b.toml",
        "--",
        "--out",
    ]


def test_from_takes_its_value_so_the_backlog_is_the_file_served() -> None:
    from triage_tui.serve import _backlog_name, _default_out

    argv = ["--from", "old/q1.plan.toml", "new/backlog.csv"]
    assert _backlog_name(argv) == "backlog.csv"
    assert _default_out(argv) == Path("new").resolve()
