"""First paint in a browser through `triage-tui serve`, against the floor app served the
same way (bench/floor_app.py --serve): from `page.goto` until the frame showing the
marker is drawn, in headless Debian Chromium driven by playwright (never downloaded).

textual-serve streams the app's terminal output over a WebSocket into xterm.js, which
draws on a canvas (no text in the DOM). A script added before the page's own wraps the
page's WebSocket: it decodes what arrives, and once the marker is in it, waits for the
page's handler to write it to the terminal and for the next two animation frames (the
one that draws it, then the one after): `drawn`. `received` is when the marker arrived.
Both are `performance.now()`: milliseconds since the navigation started.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Debian's Chromium (`apt-get install chromium`); TRIAGE_TUI_CHROMIUM overrides, as in
#: tests/functional/test_room_browser.py.
CHROMIUM = Path(os.environ.get("TRIAGE_TUI_CHROMIUM", "/usr/bin/chromium"))
#: The flags of issue 24's measurement (a fresh --user-data-dir is made for every load).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Big enough for a 120x36 terminal or more in textual-serve's font.
VIEWPORT = {"width": 1400, "height": 900}

_HOOK = r"""
(() => {
  const marker = MARKER;
  const state = window.__paint = {raw: "", received: null, drawn: null};
  const Original = window.WebSocket;
  const decoder = new TextDecoder();
  const strip = (text) => text.replace(
    /\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]/g, "");
  function Watched(url, protocols) {
    const socket = protocols === undefined ? new Original(url) : new Original(url, protocols);
    socket.addEventListener("message", (event) => {
      if (state.received !== null || typeof event.data === "string") return;
      state.raw += decoder.decode(event.data, {stream: true});
      if (!strip(state.raw).includes(marker)) return;
      state.received = performance.now();
      // Ours runs first: after this turn the page's handler has written the bytes to the
      // terminal, which draws them on its next animation frame.
      setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => {
        state.drawn = performance.now();
      })));
    });
    return socket;
  }
  Watched.prototype = Original.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Watched[name] = Original[name];
  window.WebSocket = Watched;
})();
"""


def missing() -> str | None:
    """Why the browser figure cannot be measured here, or None when it can."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; TRIAGE_TUI_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (the Python package) is not installed"
    return None


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """A running server (`triage-tui serve` or the floor's), and the address it printed."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=os.environ | env,
            cwd=cwd,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]+/)", first)
        if found is None:
            self.stop()
            raise RuntimeError(f"the server did not print its address: {first!r}")
        self.url = found.group(1)

    def wait_for_apps_gone(self, timeout: float = 15.0) -> None:
        """Until the apps the server started (a page each) have exited."""
        deadline = time.monotonic() + timeout
        while _children(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (and so its apps)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def paint_once(playwright: Any, url: str, marker: str) -> tuple[float, float]:
    """Open `url` in a fresh Chromium profile; (received, drawn) in seconds after goto."""
    with tempfile.TemporaryDirectory(prefix="triage-bench-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.add_init_script(_HOOK.replace("MARKER", json.dumps(marker)))
            page.goto(url)
            page.wait_for_function("window.__paint.drawn !== null", timeout=120_000)
            received, drawn = page.evaluate("[window.__paint.received, window.__paint.drawn]")
        finally:
            context.close()
    return received / 1000, drawn / 1000


def measure(
    repeats: int,
    floor_argv: list[str],
    app_argv: list[str],
    env: Callable[[], dict[str, str]],
    cwd: Path,
    log: Callable[[str], None],
) -> dict[str, list[tuple[float, float]]]:
    """Interleaved page loads of the floor and the app: {"floor"|"app": [(received, drawn)]}.

    Args:
        repeats: loads of each.
        floor_argv, app_argv: the servers' commands (each given ``--port N`` here).
        env: the servers' environment; called before each load of the app, it empties the
            state folder (no load resumes another's autosave).
        cwd: where the servers run.
        log: progress.
    """
    from playwright.sync_api import sync_playwright

    state = env()
    floor = Served([*floor_argv, str(free_port())], state, cwd)
    try:
        app = Served([*app_argv, "--port", str(free_port())], state, cwd)
    except BaseException:
        floor.stop()
        raise
    results: dict[str, list[tuple[float, float]]] = {"floor": [], "app": []}
    try:
        with sync_playwright() as playwright:
            for index in range(repeats):
                log(f"serve: page loads {index + 1}/{repeats}")
                for name, served, marker in (
                    ("floor", floor, "Floor app ready"),
                    ("app", app, "toml, 25 items"),
                ):
                    env()  # the state folder emptied
                    results[name].append(paint_once(playwright, served.url, marker))
                    served.wait_for_apps_gone()
    finally:
        floor.stop()
        app.stop()
    return results
