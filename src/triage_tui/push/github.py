"""GitHub through the `gh` command and its own login: `gh issue edit --add-label/--remove-label`,
`gh issue comment`, and `gh api` to read an issue back and edit the marked comment.

No token passes through triage-tui: `gh` reads its own login (`gh auth login`, or GH_TOKEN
in its environment). Its error output is reduced to one line naming the HTTP status.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from triage_tui.core.sanitize import clean_line
from triage_tui.formats.push import CATEGORY_SUFFIX, Change, Current, PushItem, find_marker
from triage_tui.push.http import TrackerError

PAGE = 100
#: How long to wait when GitHub rate limits (gh does not pass Retry-After on): bounded.
BACKOFF = (5.0, 15.0, 45.0)
TIMEOUT = 120.0
LABEL_COLORS = {"hiring": "d93f0b", "project": "0e8a16", "parked": "fbca04"}
DEFAULT_COLOR = "c5def5"

HINTS = {
    401: "gh is not logged in to GitHub: run gh auth login",
    403: "this GitHub account may not edit the issue (or its labels): check its access to the repository",
    404: "no such issue, or this GitHub account cannot see it: check the repository (--repo) and the number",
    422: "GitHub refused the change: check the label names",
}

_STATUS = re.compile(r"HTTP (\d{3})")

Runner = Callable[[Sequence[str], bytes | None], Awaitable[tuple[int, bytes, bytes]]]


async def run_gh(args: Sequence[str], stdin: bytes | None) -> tuple[int, bytes, bytes]:
    """Run `gh ARGS`; (exit code, stdout, stderr)."""
    try:
        process = await asyncio.create_subprocess_exec(
            "gh",
            *args,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except FileNotFoundError:
        raise TrackerError(
            "gh not found: install the GitHub CLI (https://cli.github.com) and run gh auth login"
        ) from None
    try:
        out, err = await asyncio.wait_for(process.communicate(stdin), TIMEOUT)
    except TimeoutError:
        process.kill()
        raise TrackerError(
            f"gh did not finish in {TIMEOUT:.0f} s; run again (the push resumes)"
        ) from None
    return process.returncode or 0, out, err


def _refusal(err: bytes) -> TrackerError:
    text = err.decode("utf-8", "replace")
    found = _STATUS.search(text)
    status = int(found.group(1)) if found else 0
    if not status and ("gh auth login" in text or "authentication" in text.lower()):
        status = 401
    if status == 0 and "rate limit" in text.lower():
        status = 429
    if status in HINTS:
        words = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 422: "Unprocessable"}
        return TrackerError(f"GitHub said {status} {words[status]}: {HINTS[status]}", status)
    if status == 429:
        return TrackerError("GitHub is rate limiting this push", 429)
    first = next((line for line in text.splitlines() if line.strip()), "gh failed")
    return TrackerError(f"gh: {clean_line(first)[:200]}", status)


class GhClient:
    """One push's use of the `gh` command."""

    tracker = "github"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        run: Runner = run_gh,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        backoff: Sequence[float] = BACKOFF,
    ) -> None:
        self.run = run
        self.sleep = sleep
        self.backoff = tuple(backoff)

    async def __aenter__(self) -> GhClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def gh(self, *args: str, stdin: bytes | None = None) -> bytes:
        """`gh ARGS`, its output; a rate limit waited out (bounded), a refusal raised."""
        for wait in (*self.backoff, None):
            code, out, err = await self.run(list(args), stdin)
            if code == 0:
                return out
            error = _refusal(err)
            if error.status != 429:
                raise error
            if wait is None:
                raise TrackerError(
                    "GitHub is rate limiting this push; run the same command again later: it "
                    "resumes where it stopped",
                    429,
                )
            await self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def api(self, path: str) -> Any:
        out = await self.gh("api", path)
        try:
            return json.loads(out.decode("utf-8") or "null")
        except ValueError:
            raise TrackerError("gh api answered with something that is not JSON") from None

    async def prepare(self, items: Sequence[PushItem]) -> None:
        """Each repository gets the labels it lacks (an issue takes only labels that exist)."""
        for repo in sorted({item.ref.repo for item in items}):
            managed = next(item.managed for item in items if item.ref.repo == repo)
            try:
                await self._labels(repo, managed)
            except TrackerError as error:
                raise TrackerError(f"{repo}: {error}", error.status) from None

    async def _labels(self, repo: str, managed: Sequence[str]) -> None:
        have: set[str] = set()
        page = 1
        while True:
            labels = await self.api(f"repos/{repo}/labels?per_page={PAGE}&page={page}")
            names = [str(label.get("name", "")) for label in labels or []]
            have |= {name.casefold() for name in names}
            if len(names) < PAGE:
                break
            page += 1
        for label in managed:
            if label.casefold() in have:
                continue
            kind = next((k for k in CATEGORY_SUFFIX.values() if label.endswith(k)), "")
            await self.gh(
                "label", "create", label, "--repo", repo,
                "--color", LABEL_COLORS.get(kind, DEFAULT_COLOR),
                "--description", "set by triage-tui push",
            )  # fmt: skip

    async def current(self, item: PushItem) -> Current:
        repo, number = item.ref.repo, item.ref.key
        issue = await self.api(f"repos/{repo}/issues/{number}")
        labels = tuple(str(label.get("name", "")) for label in (issue or {}).get("labels", []))
        if not item.writes_comment:
            return Current(labels)  # an undecided item: only its labels matter
        page = 1
        while True:
            comments = await self.api(
                f"repos/{repo}/issues/{number}/comments?per_page={PAGE}&page={page}"
            )
            for comment in comments or []:
                sha = find_marker(str(comment.get("body", "")), item.ref)
                if sha is not None:
                    return Current(labels, str(comment.get("id", "")), sha)
            if len(comments or []) < PAGE:
                return Current(labels)
            page += 1

    async def apply(self, item: PushItem, change: Change) -> None:
        repo, number = item.ref.repo, item.ref.key
        if change.add or change.remove:
            args = ["issue", "edit", number, "--repo", repo]
            if change.add:
                args += ["--add-label", ",".join(change.add)]
            if change.remove:
                args += ["--remove-label", ",".join(change.remove)]
            await self.gh(*args)
        body = item.markdown()
        if change.comment == "create":
            await self.gh(
                "issue", "comment", number, "--repo", repo, "--body-file", "-",
                stdin=body.encode("utf-8"),
            )  # fmt: skip
        elif change.comment == "update":
            await self.gh(
                "api", "--method", "PATCH", f"repos/{repo}/issues/comments/{change.comment_id}",
                "--input", "-",
                stdin=json.dumps({"body": body}).encode("utf-8"),
            )  # fmt: skip
