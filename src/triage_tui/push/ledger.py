"""What `push --apply` labelled, per tracker and issue: a small SQLite ledger in the state
folder (``state_dir()/push.sqlite3``), so a later push takes the `triage:` labels off an
item the room has since set back to undecided (decide, push, undo, push), even when
nothing in the plan or the tracker's export says it was ever pushed.

Crash safety by intent first, confirmation after:

- before the first change is sent, every decided item of the push gets a row in state
  ``intent`` with the labels it is about to carry (one transaction);
- once the tracker answered for an item, its row becomes ``done`` (with the time);
- an undecided item's row is deleted only once the tracker confirmed that its labels are
  off (removed, or none there).

A process killed anywhere in between leaves a row that says "may carry push's labels",
which is all a later push needs: it reads that issue's labels and takes push's off. The
ledger holds issue references, label names, times and the plan's path: never a token.

Schema, version 1 in ``PRAGMA user_version``::

    labelled(tracker, site, ref, labels, state, at, plan)
      -- site: the Jira host, "github.com", or "" (Linear: ids are the workspace's own)
      -- ref: the issue as push names it (ACME-220, OWNER/NAME#12, ENG-3)
      -- labels: JSON list; state: 'intent' | 'done'
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from triage_tui.core.session import now_iso
from triage_tui.formats.push import Pushed, PushItem
from triage_tui.store import paths
from triage_tui.store.sql import transaction as _transaction

VERSION = 1
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS labelled (
        tracker TEXT NOT NULL,
        site TEXT NOT NULL,
        ref TEXT NOT NULL,
        labels TEXT NOT NULL,
        state TEXT NOT NULL,
        at TEXT NOT NULL,
        plan TEXT NOT NULL,
        PRIMARY KEY (tracker, site, ref)
    ) WITHOUT ROWID""",
    f"PRAGMA user_version = {VERSION}",
)


class LedgerError(OSError):
    """The ledger cannot be written: push stops before it changes anything it could not
    record (one line, naming the file)."""


def ledger_path() -> Path:
    """``state_dir()/push.sqlite3`` (TRIAGE_TUI_STATE_DIR overrides the folder)."""
    return paths.state_dir() / "push.sqlite3"


def site_of(tracker: str, env: Mapping[str, str] | None = None) -> str:
    """Which tracker instance a push goes to, as the ledger keys it: the Jira site's host,
    "github.com" (a GitHub ref names its repository), "" for Linear. "" for Jira when
    JIRA_BASE_URL is not set (a dry run): then any site's rows count."""
    if tracker == "github":
        return "github.com"
    if tracker == "jira":
        from triage_tui.push.http import host_of

        env = os.environ if env is None else env
        return host_of(env.get("JIRA_BASE_URL", "").strip()).casefold()
    return ""


class Ledger:
    """The push ledger at `path` (default `ledger_path()`); opened on first use."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = ledger_path() if path is None else path
        self._db: sqlite3.Connection | None = None

    # -- reading ----------------------------------------------------------------------
    def labelled(self, tracker: str, site: str) -> dict[str, Pushed]:
        """Ref -> what push labelled there (intent or done) for `tracker` at `site`
        ("" matches every site). Empty when there is no ledger or it cannot be read: a
        dry run never fails for it."""
        if not self.path.is_file():
            return {}
        try:
            db = self._open(create=False)
            try:
                rows = db.execute(
                    "SELECT site, ref, labels, state, at FROM labelled WHERE tracker = ?",
                    (tracker,),
                ).fetchall()
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            return {}
        found: dict[str, Pushed] = {}
        loads = json.loads
        for row_site, ref, labels, state, at in rows:
            if site and row_site != site:
                continue
            try:
                names = tuple(loads(labels))
            except (ValueError, TypeError):
                names = ()  # (a hand-edited row: still "labelled", its labels unknown)
            found[ref] = Pushed(names, at, state == "done")
        return found

    # -- writing ----------------------------------------------------------------------
    def intend(self, tracker: str, site: str, items: Sequence[PushItem], plan: str) -> None:
        """Before any change is sent: every decided item among `items` may carry push's
        labels from now on (its row in state ``intent``, the labels it is to get).

        Raises:
            LedgerError: the ledger cannot be written.
        """
        at = now_iso()
        rows = [
            (tracker, site, str(item.ref), json.dumps(list(item.labels)), at, plan)
            for item in items
            if item.writes_comment
        ]
        if not rows:
            return
        self._write(
            lambda db: db.executemany(
                "INSERT INTO labelled (tracker, site, ref, labels, state, at, plan) "
                "VALUES (?, ?, ?, ?, 'intent', ?, ?) "
                "ON CONFLICT (tracker, site, ref) DO UPDATE SET labels = excluded.labels, "
                "state = 'intent', at = excluded.at, plan = excluded.plan",
                rows,
            )
        )

    def settle(
        self,
        tracker: str,
        site: str,
        done: Iterable[PushItem],
        cleared: Iterable[PushItem],
    ) -> None:
        """After the tracker answered: `done` (decided items) carry their labels; the
        `cleared` (undecided) items carry none of push's any more.

        Raises:
            LedgerError: the ledger cannot be written (the rows stay as they were, which
                errs on the side of looking again).
        """
        at = now_iso()
        confirmed = [
            (tracker, site, str(item.ref), json.dumps(list(item.labels)), at) for item in done
        ]
        gone = [(tracker, site, str(item.ref)) for item in cleared]
        if not (confirmed or gone):
            return

        def write(db: sqlite3.Connection) -> None:
            # An upsert: a row another push removed meanwhile is written again (the
            # tracker has the labels now), never lost.
            db.executemany(
                "INSERT INTO labelled (tracker, site, ref, labels, state, at, plan) "
                "VALUES (?, ?, ?, ?, 'done', ?, '') "
                "ON CONFLICT (tracker, site, ref) DO UPDATE SET labels = excluded.labels, "
                "state = 'done', at = excluded.at",
                confirmed,
            )
            db.executemany("DELETE FROM labelled WHERE tracker = ? AND site = ? AND ref = ?", gone)

        self._write(write)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- internals --------------------------------------------------------------------
    def _write(self, work: Callable[[sqlite3.Connection], object]) -> None:
        try:
            if self._db is None:
                self._db = self._open(create=True)
            with _transaction(self._db):
                work(self._db)
        except (sqlite3.Error, OSError) as error:
            raise LedgerError(
                f"cannot record what push labels in {self.path}: {error} "
                "(push needs it to take labels off later; fix the folder or set "
                "TRIAGE_TUI_STATE_DIR)"
            ) from None

    def _open(self, *, create: bool) -> sqlite3.Connection:
        if create and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        mode = "rw" if create else "ro"
        db = sqlite3.connect(
            f"{self.path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None
        )
        try:
            db.execute("PRAGMA busy_timeout = 5000")
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version > VERSION:
                raise sqlite3.DatabaseError(
                    f"written by a newer triage-tui (ledger format {version})"
                )
            if create:
                db.execute("PRAGMA synchronous = FULL")
                if version == 0:
                    with _transaction(db):
                        for statement in _SCHEMA:
                            db.execute(statement)
        except BaseException:
            db.close()
            raise
        return db
