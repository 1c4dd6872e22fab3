"""`triage-tui push`: the room's decisions back into the tracker (services; no UI).

`prepare` reads a plan and decides what each item gets (the rules are in
``triage_tui.formats.push``); `render` gives the dry run and the script; `apply` talks
to the tracker through one of the clients (Jira and Linear over HTTP with aiohttp,
GitHub through the `gh` command), reading each issue back first, so a push stopped
half-way resumes and a finished one, run again, changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from triage_tui.core.errors import InputError
from triage_tui.core.sanitize import clean_data
from triage_tui.formats.push import (
    DEFAULT_PREFIX,
    TRACKER_NAMES,
    Change,
    Current,
    PushItem,
    PushRefused,
    Selection,
    Votes,
    change_for,
    check_source,
    push_items,
    render_dry_run,
    render_script,
    votes_from_table,
)
from triage_tui.push.http import TrackerError

if TYPE_CHECKING:
    from triage_tui.push.ledger import Ledger

__all__ = [
    "Client",
    "Prepared",
    "PushRefused",
    "Summary",
    "TrackerError",
    "apply",
    "client_for",
    "missing_variables",
    "prepare",
    "tracker_of_session",
]


class Client(Protocol):
    """What a tracker client does (see jira.JiraClient, linear.LinearClient, github.GhClient)."""

    tracker: str

    async def __aenter__(self) -> Any: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def prepare(self, items: Sequence[PushItem]) -> None: ...

    async def current(self, item: PushItem) -> Current: ...

    async def apply(self, item: PushItem, change: Change) -> None: ...


@dataclass(frozen=True)
class Prepared:
    """A push, decided and not yet sent.

    Attributes:
        plan: the plan file.
        tracker: one of TRACKERS.
        selection: the items, the refused ones and the undecided ones.
        repo: `--repo`, for GitHub.
        site: the tracker instance, as the push ledger keys it (`ledger.site_of`).
    """

    plan: Path
    tracker: str
    selection: Selection
    repo: str = ""
    site: str = ""

    def dry_run(self, env: Mapping[str, str] | None = None) -> str:
        return render_dry_run(self.selection, self.tracker, destination(self, env))

    def script(self) -> str:
        return render_script(self.selection, self.tracker, self.plan.name)


def destination(prepared: Prepared, env: Mapping[str, str] | None = None) -> str:
    """Where the push goes, for messages (never a credential)."""
    env = os.environ if env is None else env
    if prepared.tracker == "jira":
        from triage_tui.push.http import host_of

        return host_of(env.get("JIRA_BASE_URL", ""))
    if prepared.tracker == "github":
        return ", ".join(sorted({item.ref.repo for item in prepared.selection.items}))
    return ""


# -- reading the plan -----------------------------------------------------------------
def _raw_items(plan: Path) -> list[dict[str, Any]]:
    try:
        document = tomllib.loads(plan.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # read_plan already named what is wrong
        return []
    items = document.get("items", [])
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def read_votes(plan: Path) -> dict[str, Votes]:
    """Item id -> the room's votes ([items.votes]), for the items that have them."""
    found: dict[str, Votes] = {}
    for raw in _raw_items(plan):
        votes = votes_from_table(clean_data(raw.get("votes")))
        if votes is not None and isinstance(raw.get("id"), str):
            found[raw["id"]] = votes
    return found


def _backlog_format(plan: Path, meta: Mapping[str, Any]) -> str:
    """[meta] backlog_format; for a plan written before it existed, its backlog's format
    when that file is still beside the plan."""
    recorded = meta.get("backlog_format")
    if isinstance(recorded, str) and recorded:
        return recorded
    backlog = meta.get("backlog")
    if isinstance(backlog, str) and backlog:
        source = plan.parent / backlog
        if source.is_file():
            from triage_tui.formats.loaders import scan

            try:
                return scan(source).format
            except InputError:
                return ""
    return ""


def _git_root(folder: Path) -> Path | None:
    for parent in (folder, *folder.parents):
        if (parent / ".git").exists():
            return parent
    return None


def handoff_paths(plan: Path, session: Any, folder: Path | None = None) -> dict[str, str]:
    """Item id -> its handoff's path in the repository: the Export screen's folder
    (`<plan>.handoffs/` beside the plan) unless `folder` says otherwise, relative to the
    git work tree holding it (else to the plan's folder)."""
    from triage_tui.formats.handoff_doc import handoff_filenames

    plan = plan.resolve()
    if folder is None:
        base = plan.name.removesuffix(".plan.toml").removesuffix(".toml")
        folder = plan.with_name(f"{base}.handoffs")
    folder = folder.resolve()
    root = _git_root(plan.parent) or plan.parent
    try:
        shown = Path(os.path.relpath(folder, root)).as_posix()
    except ValueError:
        shown = folder.as_posix()
    return {item_id: f"{shown}/{name}" for item_id, name in handoff_filenames(session).items()}


def tracker_of_session(session: Any) -> str:
    """The tracker a session's items came from ("" when none: a TOML backlog, a sheet)."""
    from triage_tui.formats.push import tracker_of

    backlog_format = session.backlog.format
    if backlog_format == "plan":
        backlog_format = str(session.plan_meta.get("backlog_format", ""))
    return tracker_of(backlog_format)


def prepare(
    plan: Path,
    tracker: str,
    *,
    ids: Sequence[str] = (),
    repo: str = "",
    prefix: str = DEFAULT_PREFIX,
    handoffs: Path | None = None,
    env: Mapping[str, str] | None = None,
    ledger: Ledger | None = None,
) -> Prepared:
    """Read the plan and decide what each item gets in `tracker`.

    An undecided item is in the push (its `triage:` labels taken off) where the push
    ledger (`ledger`, default the state folder's) says an earlier push labelled it, as
    well as where the plan says so (see `push_items`).

    Raises:
        InputError: the plan cannot be read.
        PushRefused: the plan's items came from another tracker, a named id cannot be
            pushed, or the prefix is unusable.
    """
    from triage_tui.formats.plan import read_plan
    from triage_tui.push.ledger import Ledger, site_of

    session = read_plan(plan)
    check_source(tracker, _backlog_format(plan, session.plan_meta), plan.name)
    site = site_of(tracker, env)
    pushed = (ledger or Ledger()).labelled(tracker, site)
    selection = push_items(
        session,
        tracker,
        ids=ids,
        repo=repo,
        prefix=prefix,
        votes=read_votes(plan),
        handoff_paths=handoff_paths(plan, session, handoffs),
        plan_name=plan.name,
        pushed=pushed,
    )
    return Prepared(plan, tracker, selection, repo, site)


# -- sending ----------------------------------------------------------------------------
def missing_variables(tracker: str, env: Mapping[str, str]) -> list[str]:
    """The environment variables `tracker` needs that are not set."""
    needed = {
        "jira": ("JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN"),
        "linear": ("LINEAR_API_KEY",),
    }
    return [name for name in needed.get(tracker, ()) if not env.get(name, "").strip()]


def client_for(tracker: str, env: Mapping[str, str]) -> Client:
    """The client for `tracker`, its credentials from `env`.

    Raises:
        PushRefused: a variable is missing or unusable.
    """
    missing = missing_variables(tracker, env)
    if missing:
        name = TRACKER_NAMES[tracker]
        raise PushRefused(
            f"{', '.join(missing)} not set: {name} needs "
            + (
                "JIRA_BASE_URL (https://YOUR-SITE.atlassian.net), JIRA_EMAIL and JIRA_API_TOKEN"
                if tracker == "jira"
                else "LINEAR_API_KEY (Settings > Security & access > Personal API keys)"
            )
        )
    if tracker == "jira":
        from triage_tui.push.http import host_of
        from triage_tui.push.jira import JiraClient

        base = env["JIRA_BASE_URL"].strip()
        if not base.startswith(("https://", "http://")) or not host_of(base):
            raise PushRefused(
                "JIRA_BASE_URL must be your site's address, like https://acme.atlassian.net"
            )
        return JiraClient(env)
    if tracker == "linear":
        from triage_tui.push.linear import LinearClient

        return LinearClient(env)
    from triage_tui.push.github import GhClient

    return GhClient(env)


@dataclass
class Summary:
    """How a push went.

    Attributes:
        changed: decided items that needed a change (and got it).
        unchanged: decided items already as they should be.
        total: the decided items the push covers.
        cleared: undecided items whose triage labels (an earlier push's) were taken off.
    """

    changed: int = 0
    unchanged: int = 0
    total: int = 0
    cleared: int = 0

    def line(self, tracker: str, selection: Selection) -> str:
        name = TRACKER_NAMES[tracker]
        parts = [f"{self.changed} changed", f"{self.unchanged} already up to date"]
        if selection.undecided:
            undecided = len(selection.undecided)
            parts.append(
                f"{undecided} undecided, triage labels taken off {self.cleared}"
                if self.cleared
                else f"{undecided} undecided, no triage label on them"
            )
        if selection.refused:
            parts.append(f"{len(selection.refused)} refused")
        return (
            f"Pushed {self.changed + self.unchanged} of {self.total} items to {name}: "
            + ", ".join(parts)
            + "."
        )


Progress = Callable[[int, int, PushItem, Change], None]


#: Items between two writes of the ledger's confirmations (a crash loses none: until
#: confirmed, a row says "about to be labelled", which a later push treats the same).
SETTLE_EVERY = 50


async def apply(
    prepared: Prepared,
    client: Client,
    progress: Progress | None = None,
    ledger: Ledger | None = None,
) -> Summary:
    """Bring each item's issue to what it should have, one item at a time.

    Each issue is read back first (its labels, the comment carrying its marker), so only
    what is missing is sent: a push stopped half-way resumes, a finished one changes
    nothing. The push ledger (`ledger`, default the state folder's) records every decided
    item as about to be labelled before the first change, then as labelled once the
    tracker answered; an undecided item leaves it once its labels are off.

    Raises:
        TrackerError: the tracker refused (naming the item), or could not be reached; or
            the ledger cannot be written (before anything was sent).
    """
    from triage_tui.push.ledger import Ledger, LedgerError, site_of

    items = prepared.selection.items
    summary = Summary(total=sum(1 for item in items if item.writes_comment))
    ledger = ledger or Ledger()
    tracker = prepared.tracker
    site = prepared.site or site_of(tracker)  # (a dry run prepared with no site set)
    done: list[PushItem] = []
    cleared: list[PushItem] = []

    def settle() -> None:
        try:
            ledger.settle(tracker, site, done, cleared)
        finally:
            done.clear()
            cleared.clear()

    try:
        async with client:
            # The ledger first: one it cannot write stops the push before any change
            # (GitHub's `prepare` creates the repository's labels).
            try:
                ledger.intend(tracker, site, items, str(prepared.plan.resolve()))
            except LedgerError as error:
                raise TrackerError(str(error)) from None
            await client.prepare(items)
            try:
                for index, item in enumerate(items, start=1):
                    try:
                        change = change_for(item, await client.current(item))
                        if not change.empty:
                            await client.apply(item, change)
                    except TrackerError as error:
                        raise TrackerError(f"{item.ref}: {error}", error.status) from None
                    if not item.writes_comment:
                        summary.cleared += not change.empty
                        cleared.append(item)
                    else:
                        summary.unchanged += change.empty
                        summary.changed += not change.empty
                        done.append(item)
                    if len(done) + len(cleared) >= SETTLE_EVERY:
                        settle()
                    if progress is not None:
                        progress(index, len(items), item, change)
            finally:
                with contextlib.suppress(LedgerError):  # unconfirmed rows err on the safe side
                    settle()
    finally:
        ledger.close()
    return summary
