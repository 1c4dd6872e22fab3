"""Jira Cloud, REST v3: labels through `update.labels` add/remove, the comment by `/comment`.

Auth as Jira's own tools do: `JIRA_BASE_URL`, `JIRA_EMAIL`, `JIRA_API_TOKEN` (basic auth
with an API token). The token goes into the Authorization header and nowhere else.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from triage_tui.formats.push import (
    Change,
    Current,
    PushItem,
    adf_plain_text,
    find_marker,
    jira_label_update,
)
from triage_tui.push.http import JsonHttp, Sleep, host_of

VARIABLES = ("JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN")
PAGE = 100

HINTS = {
    401: "check JIRA_EMAIL and JIRA_API_TOKEN (an API token from id.atlassian.com)",
    403: "this account may not edit the issue: ask a Jira admin for Edit Issues and Add Comments",
    404: "no such issue at JIRA_BASE_URL, or this account cannot see it: check the key and the site",
}


def destination(env: Mapping[str, str]) -> str:
    """Where the push goes, for messages (the host only)."""
    return host_of(env.get("JIRA_BASE_URL", ""))


class JiraClient:
    """One push's conversation with a Jira Cloud site."""

    tracker = "jira"

    def __init__(self, env: Mapping[str, str], *, sleep: Sleep | None = None) -> None:
        base_url = env["JIRA_BASE_URL"]
        pair = f"{env['JIRA_EMAIL']}:{env['JIRA_API_TOKEN']}".encode()
        headers = {
            "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
            "Accept": "application/json",
        }
        options: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        self.http = JsonHttp(base_url, headers, tracker="Jira", hints=HINTS, **options)

    async def __aenter__(self) -> JiraClient:
        await self.http.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.__aexit__(*exc)

    async def prepare(self, items: Sequence[PushItem]) -> None:
        """Nothing to set up: Jira labels exist as soon as an issue carries them."""

    async def current(self, item: PushItem) -> Current:
        key = quote(item.ref.key)
        issue = await self.http.request(
            "GET", f"/rest/api/3/issue/{key}", params={"fields": "labels"}
        )
        labels = issue.get("fields", {}).get("labels", []) if isinstance(issue, dict) else []
        if not item.writes_comment:
            return Current(tuple(map(str, labels)))  # an undecided item: only its labels
        start = 0
        while True:
            page = await self.http.request(
                "GET",
                f"/rest/api/3/issue/{key}/comment",
                params={"startAt": str(start), "maxResults": str(PAGE)},
            )
            comments = page.get("comments", []) if isinstance(page, dict) else []
            for comment in comments:
                body = comment.get("body")
                text = body if isinstance(body, str) else adf_plain_text(body)
                sha = find_marker(text, item.ref)
                if sha is not None:
                    return Current(tuple(map(str, labels)), str(comment.get("id", "")), sha)
            start += len(comments)
            total = page.get("total", 0) if isinstance(page, dict) else 0
            if not comments or start >= int(total):
                return Current(tuple(map(str, labels)))

    async def apply(self, item: PushItem, change: Change) -> None:
        key = quote(item.ref.key)
        if change.add or change.remove:
            await self.http.request(
                "PUT", f"/rest/api/3/issue/{key}", json=jira_label_update(change.add, change.remove)
            )
        if change.comment == "create":
            await self.http.request(
                "POST", f"/rest/api/3/issue/{key}/comment", json={"body": item.adf()}
            )
        elif change.comment == "update":
            await self.http.request(
                "PUT",
                f"/rest/api/3/issue/{key}/comment/{quote(change.comment_id)}",
                json={"body": item.adf()},
            )
