"""The room's vote server: participants vote from their phones (PRODUCT.md "The room votes").

An aiohttp application run inside the app's own event loop (no thread): `VoteServer`
serves the participant's page, its live updates (Server-Sent Events) and the vote
endpoint; every vote goes through the session (core.votes), so it is autosaved like a
decision. No Textual or rich import: the TUI draws the panel from `VoteServer.status`.
"""

from __future__ import annotations

from triage_tui.room.server import RoomStatus, Seat, VoteServer, is_loopback

__all__ = ["RoomStatus", "Seat", "VoteServer", "is_loopback"]
