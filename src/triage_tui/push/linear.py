"""Linear, GraphQL: `issueUpdate` with `addedLabelIds`/`removedLabelIds` (each label's id
looked up, or created in the issue's team, first), `commentCreate`/`commentUpdate`.

Auth as Linear's own tools do: `LINEAR_API_KEY` (a personal API key), sent in the
Authorization header and nowhere else. `LINEAR_API_URL` points elsewhere (a proxy, a test).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from triage_tui.core.sanitize import clean_line
from triage_tui.formats.push import Change, Current, PushItem, find_marker
from triage_tui.push.http import JsonHttp, Sleep, TrackerError

API_URL = "https://api.linear.app"
LABEL_COLOR = "#5e6ad2"

HINTS = {
    401: "check LINEAR_API_KEY (Settings > Security & access > Personal API keys)",
    403: "this API key may not edit the issue: check its permissions and the team's access",
    404: "no such issue, or this API key cannot see it: check the id",
}

ISSUE = """query PushIssue($id: String!, $after: String) {
  issue(id: $id) {
    id identifier team { id }
    labels(first: 250) { nodes { id name } }
    comments(first: 100, after: $after) { nodes { id body } pageInfo { hasNextPage endCursor } }
  }
}"""
LABELS = """query PushLabels($names: [String!]!) {
  issueLabels(first: 250, filter: { name: { in: $names } }) { nodes { id name team { id } } }
}"""
LABEL_CREATE = """mutation PushLabelCreate($input: IssueLabelCreateInput!) {
  issueLabelCreate(input: $input) { success issueLabel { id name } }
}"""
ISSUE_UPDATE = """mutation PushIssueUpdate($id: String!, $input: IssueUpdateInput!) {
  issueUpdate(id: $id, input: $input) { success }
}"""
COMMENT_CREATE = """mutation PushCommentCreate($input: CommentCreateInput!) {
  commentCreate(input: $input) { success comment { id } }
}"""
COMMENT_UPDATE = """mutation PushCommentUpdate($id: String!, $input: CommentUpdateInput!) {
  commentUpdate(id: $id, input: $input) { success }
}"""

_CODES = {
    "AUTHENTICATION_ERROR": 401,
    "FORBIDDEN": 403,
    "ENTITY_NOT_FOUND": 404,
    "RATELIMITED": 429,
}


class LinearClient:
    """One push's conversation with Linear's GraphQL API."""

    tracker = "linear"

    def __init__(self, env: Mapping[str, str], *, sleep: Sleep | None = None) -> None:
        headers = {"Authorization": env["LINEAR_API_KEY"].strip(), "Accept": "application/json"}
        options: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        base = env.get("LINEAR_API_URL", "").strip() or API_URL
        self.http = JsonHttp(base, headers, tracker="Linear", hints=HINTS, **options)
        self._issues: dict[str, tuple[str, str, dict[str, str]]] = {}  # key -> uuid, team, labels
        self._team_labels: dict[str, dict[str, str]] = {}  # team -> name -> id

    async def __aenter__(self) -> LinearClient:
        await self.http.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.__aexit__(*exc)

    async def query(self, document: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """Run one GraphQL operation; its `data`.

        Raises:
            TrackerError: an HTTP refusal, or an error in the answer (its code mapped to
                the matching HTTP status: authentication 401, forbidden 403, not found 404).
        """
        name = document.split("(", 1)[0].split()[-1]
        answer = await self.http.request(
            "POST",
            "/graphql",
            json={"query": document, "variables": dict(variables), "operationName": name},
            answer_on=frozenset({400, 401, 403}),
        )
        if not isinstance(answer, dict):
            raise TrackerError("Linear answered with something that is not GraphQL")
        errors = answer.get("errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and errors else {}
            code = (
                str(first.get("extensions", {}).get("code", "")) if isinstance(first, dict) else ""
            )
            status = _CODES.get(code.upper(), 0)
            message = (
                clean_line(str(first.get("message", "")))[:160] if isinstance(first, dict) else ""
            )
            if status == 429:
                raise TrackerError(
                    "Linear is rate limiting this push; run the same command again later: it "
                    "resumes where it stopped",
                    429,
                )
            if status:
                words = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}[status]
                raise TrackerError(f"Linear said {status} {words}: {HINTS[status]}", status)
            raise TrackerError(f"Linear said: {message or 'an error'}")
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    async def prepare(self, items: Sequence[PushItem]) -> None:
        """Labels are looked up per team, when the first issue of that team needs one."""

    async def current(self, item: PushItem) -> Current:
        after: str | None = None
        comment_id, sha = "", ""
        labels: dict[str, str] = {}
        while True:
            data = await self.query(ISSUE, {"id": item.ref.key, "after": after})
            issue = data.get("issue")
            if not isinstance(issue, dict):
                raise TrackerError(f"Linear said 404 Not Found: {HINTS[404]}", 404)
            labels = {n["name"]: n["id"] for n in issue.get("labels", {}).get("nodes", [])}
            self._issues[item.ref.key] = (str(issue["id"]), str(issue["team"]["id"]), labels)
            comments = issue.get("comments", {})
            for node in comments.get("nodes", []):
                found = find_marker(str(node.get("body", "")), item.ref)
                if found is not None:
                    comment_id, sha = str(node["id"]), found
                    break
            page = comments.get("pageInfo", {})
            if comment_id or not page.get("hasNextPage"):
                break
            after = page.get("endCursor")
        return Current(tuple(labels), comment_id, sha)

    async def _label_ids(self, team: str, names: Sequence[str]) -> list[str]:
        known = self._team_labels.setdefault(team, {})
        wanted = [name for name in names if name not in known]
        if wanted:
            data = await self.query(LABELS, {"names": list(wanted)})
            nodes = data.get("issueLabels", {}).get("nodes", [])
            for node in nodes:  # the team's own label first, else the workspace's
                owner = (node.get("team") or {}).get("id")
                if owner == team or (owner is None and node["name"] not in known):
                    known[node["name"]] = str(node["id"])
            for name in wanted:
                if name not in known:
                    created = await self.query(
                        LABEL_CREATE,
                        {"input": {"name": name, "teamId": team, "color": LABEL_COLOR}},
                    )
                    known[name] = str(created["issueLabelCreate"]["issueLabel"]["id"])
        return [known[name] for name in names]

    async def apply(self, item: PushItem, change: Change) -> None:
        uuid, team, present = self._issues[item.ref.key]
        if change.add or change.remove:
            added = await self._label_ids(team, change.add)
            removed = [present[name] for name in change.remove if name in present]
            await self.query(
                ISSUE_UPDATE,
                {"id": uuid, "input": {"addedLabelIds": added, "removedLabelIds": removed}},
            )
        body = item.markdown_shown()
        if change.comment == "create":
            await self.query(COMMENT_CREATE, {"input": {"issueId": uuid, "body": body}})
        elif change.comment == "update":
            await self.query(COMMENT_UPDATE, {"id": change.comment_id, "input": {"body": body}})
