"""Local fakes of the trackers' documented APIs, on loopback, recording every request.

`FakeJira` speaks Jira Cloud REST v3 (issue labels by `update.labels`, comments under
`/comment`), `FakeLinear` Linear's GraphQL (`issue`, `issueLabels`, `issueLabelCreate`,
`issueUpdate`, `commentCreate`, `commentUpdate`). Each runs in a thread of its own, so a
test can drive the command line (which runs its own event loop) or a subprocess.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    auth: str


@dataclass
class Issue:
    labels: list[str] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


class _Server:
    """An aiohttp app in a thread of its own, on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None
        self.port = 0
        # Behaviours a test switches on:
        self.status: int | None = None  # answer every request with this status
        self.rate_limit: int = 0  # this many 429s first, with Retry-After: retry_after
        self.retry_after = "1"
        self.hold_after: int | None = None  # do this many changes, then never answer
        self.held = threading.Event()  # set when a request is being held
        self.changes = 0
        self.release: asyncio.Event | None = None

    def app(self) -> web.Application:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> _Server:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    async def _start(self) -> None:
        self.release = asyncio.Event()
        self.runner = web.AppRunner(self.app())
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self.runner is not None and self.release is not None
            self.release.set()  # a held request ends (its client is gone)
            await self.runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def changing(self) -> list[Recorded]:
        """The requests that change something."""
        return [r for r in self.requests if self.is_change(r)]

    def is_change(self, recorded: Recorded) -> bool:
        return recorded.method != "GET"

    async def record(self, request: web.Request) -> tuple[Recorded, web.Response | None]:
        text = await request.text()
        body = json.loads(text) if text else None
        recorded = Recorded(
            request.method,
            request.path,
            dict(request.query),
            body,
            request.headers.get("Authorization", ""),
        )
        self.requests.append(recorded)
        if self.rate_limit:
            self.rate_limit -= 1
            return recorded, web.json_response(
                {"errorMessages": ["rate limited"]},
                status=429,
                headers={"Retry-After": self.retry_after},
            )
        if self.status is not None:
            return recorded, web.json_response({"errorMessages": ["no"]}, status=self.status)
        if self.is_change(recorded):
            if self.hold_after is not None and self.changes >= self.hold_after:
                self.held.set()
                assert self.release is not None
                await self.release.wait()  # the client is killed while it waits
                return recorded, web.Response(status=503)
            self.changes += 1
        return recorded, None


class FakeJira(_Server):
    """Jira Cloud REST v3, the parts push uses."""

    def __init__(self, keys: list[str], *, email: str, token: str) -> None:
        super().__init__()
        self.issues = {key: Issue() for key in keys}
        self.expected = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
        self.next_id = 10000

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        recorded, early = await self.record(request)
        if early is not None:
            return early
        if recorded.auth != self.expected:
            return web.json_response({"errorMessages": ["unauthorized"]}, status=401)
        parts = request.path.strip("/").split("/")
        if parts[:3] != ["rest", "api", "3"] or len(parts) < 5 or parts[3] != "issue":
            return web.json_response({"errorMessages": ["not found"]}, status=404)
        issue = self.issues.get(parts[4])
        if issue is None:
            return web.json_response({"errorMessages": ["Issue does not exist"]}, status=404)
        rest = parts[5:]
        method = request.method
        if not rest and method == "GET":
            return web.json_response({"key": parts[4], "fields": {"labels": list(issue.labels)}})
        if not rest and method == "PUT":
            for verb in recorded.body["update"]["labels"]:
                if "add" in verb and verb["add"] not in issue.labels:
                    issue.labels.append(verb["add"])
                if "remove" in verb and verb["remove"] in issue.labels:
                    issue.labels.remove(verb["remove"])
            return web.Response(status=204)
        if rest == ["comment"] and method == "GET":
            start = int(recorded.query.get("startAt", 0))
            size = int(recorded.query.get("maxResults", 50))
            page = issue.comments[start : start + size]
            return web.json_response(
                {
                    "startAt": start,
                    "maxResults": size,
                    "total": len(issue.comments),
                    "comments": page,
                }
            )
        if rest == ["comment"] and method == "POST":
            self.next_id += 1
            comment = {"id": str(self.next_id), "body": recorded.body["body"]}
            issue.comments.append(comment)
            return web.json_response(comment, status=201)
        if len(rest) == 2 and rest[0] == "comment" and method == "PUT":
            for comment in issue.comments:
                if comment["id"] == rest[1]:
                    comment["body"] = recorded.body["body"]
                    return web.json_response(comment)
            return web.json_response({"errorMessages": ["no comment"]}, status=404)
        return web.json_response({"errorMessages": ["not found"]}, status=404)


@dataclass
class LinearIssue:
    uuid: str
    team: str
    labels: list[str] = field(default_factory=list)  # label ids
    comments: list[dict[str, Any]] = field(default_factory=list)


class FakeLinear(_Server):
    """Linear's GraphQL endpoint, the operations push uses (dispatched by operation name;
    the documents are checked to name the documented fields)."""

    def __init__(self, identifiers: list[str], *, key: str, team: str = "team-1") -> None:
        super().__init__()
        self.key = key
        self.issues = {
            identifier: LinearIssue(f"uuid-{identifier}", team) for identifier in identifiers
        }
        # label id -> (name, team id or None for a workspace label)
        self.labels: dict[str, tuple[str, str | None]] = {"lbl-bug": ("bug", None)}
        self.next_id = 0

    def is_change(self, recorded: Recorded) -> bool:
        body = recorded.body if isinstance(recorded.body, dict) else {}
        return str(body.get("query", "")).lstrip().startswith("mutation")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/graphql", self.handle)
        return app

    def _new(self, prefix: str) -> str:
        self.next_id += 1
        return f"{prefix}-{self.next_id}"

    def label_names(self, identifier: str) -> list[str]:
        return [self.labels[i][0] for i in self.issues[identifier].labels]

    def _issue(self, key: str) -> LinearIssue | None:
        for identifier, issue in self.issues.items():
            if key in (identifier, issue.uuid):
                return issue
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        recorded, early = await self.record(request)
        if early is not None:
            return early
        if recorded.auth != self.key:
            return web.json_response(
                {"errors": [{"message": "Authentication required, not authenticated",
                             "extensions": {"code": "AUTHENTICATION_ERROR"}}]},
                status=400,
            )  # fmt: skip
        body = recorded.body
        name, variables, query = body["operationName"], body["variables"], body["query"]
        data: dict[str, Any]
        if name == "PushIssue":
            assert "comments(first: 100, after: $after)" in query
            issue = self._issue(variables["id"])
            if issue is None:
                return web.json_response(
                    {"errors": [{"message": "Entity not found: Issue",
                                 "extensions": {"code": "ENTITY_NOT_FOUND"}}], "data": None}
                )  # fmt: skip
            data = {
                "issue": {
                    "id": issue.uuid,
                    "identifier": variables["id"],
                    "team": {"id": issue.team},
                    "labels": {
                        "nodes": [{"id": i, "name": self.labels[i][0]} for i in issue.labels]
                    },
                    "comments": {
                        "nodes": list(issue.comments),
                        "pageInfo": {"hasNextPage": False, "endCursor": None},
                    },
                }
            }
        elif name == "PushLabels":
            names = variables["names"]
            data = {
                "issueLabels": {
                    "nodes": [
                        {"id": i, "name": n, "team": {"id": t} if t else None}
                        for i, (n, t) in self.labels.items()
                        if n in names
                    ]
                }
            }
        elif name == "PushLabelCreate":
            label_id = self._new("lbl")
            given = variables["input"]
            self.labels[label_id] = (given["name"], given["teamId"])
            data = {
                "issueLabelCreate": {
                    "success": True,
                    "issueLabel": {"id": label_id, "name": given["name"]},
                }
            }
        elif name == "PushIssueUpdate":
            assert "issueUpdate(id: $id, input: $input)" in query
            issue = self._issue(variables["id"])
            assert issue is not None
            for label_id in variables["input"]["addedLabelIds"]:
                if label_id not in issue.labels:
                    issue.labels.append(label_id)
            for label_id in variables["input"]["removedLabelIds"]:
                if label_id in issue.labels:
                    issue.labels.remove(label_id)
            data = {"issueUpdate": {"success": True}}
        elif name == "PushCommentCreate":
            issue = self._issue(variables["input"]["issueId"])
            assert issue is not None
            comment = {"id": self._new("cmt"), "body": variables["input"]["body"]}
            issue.comments.append(comment)
            data = {"commentCreate": {"success": True, "comment": {"id": comment["id"]}}}
        elif name == "PushCommentUpdate":
            for issue in self.issues.values():
                for comment in issue.comments:
                    if comment["id"] == variables["id"]:
                        comment["body"] = variables["input"]["body"]
            data = {"commentUpdate": {"success": True}}
        else:
            return web.json_response({"errors": [{"message": f"unknown {name}"}]}, status=400)
        return web.json_response({"data": data})
