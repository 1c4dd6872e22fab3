"""`triage-tui serve`: the same app in a browser via textual-serve, for screen-sharing.

textual-serve renders an HTML page and, for each browser that connects, runs
``python -m triage_tui ARGS`` in a subprocess whose screen it streams over a
websocket. Loopback only by default: the app can read and write the user's files.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

# Options of `triage-tui serve` that belong to the server, not to the served app.
_SERVER_OPTIONS = ("--host", "--port")
# Options of the app that take a value (so their value is not mistaken for FILE).
_VALUE_OPTIONS = ("--plan", "--minutes", "--map", "--theme", *_SERVER_OPTIONS)
_ALL_INTERFACES = ("0.0.0.0", "::", "")


def _matches(token: str, options: tuple[str, ...]) -> str | None:
    """The option ``token`` names (argparse accepts unambiguous prefixes), or None."""
    name = token.split("=", 1)[0]
    if not name.startswith("--") or len(name) < 4:
        return None
    hits = [option for option in options if option.startswith(name)]
    return hits[0] if len(hits) == 1 else None


def app_argv(argv: list[str]) -> list[str]:
    """The served app's arguments: ``argv`` without ``--host``/``--port`` and their values.

    Args:
        argv: the arguments given after ``serve``.

    Returns:
        The same arguments, in order, minus the server's own options.
    """
    kept: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            kept.append(token)
            kept.extend(tokens)
            break
        if _matches(token, _SERVER_OPTIONS) is not None:
            if "=" not in token:
                next(tokens, None)
            continue
        kept.append(token)
    return kept


def _backlog_name(argv: list[str]) -> str | None:
    """The FILE argument's name, for the page title, or None when there is none."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            rest = list(tokens)
            return Path(rest[0]).name if rest else None
        if token.startswith("-"):
            if "=" not in token and _matches(token, _VALUE_OPTIONS) is not None:
                next(tokens, None)
            continue
        return Path(token).name
    return None


def _command(args: list[str]) -> str:
    """The shell command textual-serve runs (it uses a shell, so quote every part)."""
    parts = [sys.executable, "-m", "triage_tui", *args]
    return subprocess.list2cmdline(parts) if os.name == "nt" else shlex.join(parts)


def _url(host: str, port: int) -> str:
    """The address a browser on this machine opens."""
    if host in _ALL_INTERFACES:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal needs brackets in a URL
    return f"http://{host}:{port}"


def serve(argv: list[str], host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve the app in a browser until ctrl+c.

    Args:
        argv: the arguments given after ``serve`` (``--host``/``--port`` are dropped
            before they reach the app).
        host: the interface to listen on; loopback unless the user asks otherwise.
        port: the TCP port.

    Returns:
        The exit code: 0 after ctrl+c, 1 when the port cannot be opened.
    """
    from textual_serve.server import Server

    args = app_argv(argv)
    url = _url(host, port)
    name = _backlog_name(args)
    title = f"triage-tui: {name}" if name else "triage-tui"

    class _Server(Server):
        async def on_startup(self, app: object) -> None:
            # textual-serve prints a banner here; we print our own one-line address instead.
            return None

        async def handle_index(self, request: Any) -> Any:
            # The page tells the browser where the websocket and scripts are. Build that
            # from the address the browser used, so a page opened as localhost, by IP or
            # from another machine (--host 0.0.0.0) connects back the same way.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

    server = _Server(_command(args), host=host, port=port, title=title, public_url=url)
    print(f"Serving triage-tui at {url} — open it in a browser; ctrl+c stops.", flush=True)
    if host in _ALL_INTERFACES:
        print(
            "Listening on every network interface: anyone who can reach this machine "
            "can open the app and your files through it.",
            flush=True,
        )
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(
            f"triage-tui serve: cannot listen on {host}:{port}: {error.strerror or error}",
            file=sys.stderr,
        )
        return 1
    return 0
