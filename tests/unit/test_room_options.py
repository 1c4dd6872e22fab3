"""--room-host / --room-port and room_host / room_port in config.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES
from triage_tui.cli import main
from triage_tui.config import load_config
from triage_tui.room.server import is_loopback


@pytest.mark.parametrize("port", ["-1", "65536"])
def test_a_room_port_out_of_range_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(SAMPLES / "acme.toml"), "--room-port", port]) == 2
    assert "--room-port must be between 0 and 65535" in capsys.readouterr().err


def test_a_lan_room_host_warns_and_reaches_the_app(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def run_app(options: Any) -> int:
        seen["options"] = options
        return 0

    monkeypatch.setattr("triage_tui.tui.launch.run_app", run_app)
    argv = [str(SAMPLES / "acme.toml"), "--room-host", "0.0.0.0", "--room-port", "8765"]
    assert main(argv) == 0
    assert "anyone who can reach it and has the link can vote" in capsys.readouterr().err
    assert (seen["options"].room_host, seen["options"].room_port) == ("0.0.0.0", 8765)
    assert main([str(SAMPLES / "acme.toml"), "--room-host", "127.0.0.1"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_room_settings_in_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('room_host = "192.168.1.20"\nroom_port = 8765\n')
    config, message = load_config(path)
    assert message is None and (config.room_host, config.room_port) == ("192.168.1.20", 8765)
    path.write_text("room_host = 3\nroom_port = 70000\n")
    config, message = load_config(path)
    assert (config.room_host, config.room_port) == ("", 0)
    assert message is not None and "room_host" in message and "room_port" in message


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("example.com", False),
    ],
)
def test_loopback_or_not(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
