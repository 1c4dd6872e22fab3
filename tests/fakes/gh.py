#!/usr/bin/env python3
"""A fake `gh` for the push tests: records its arguments (and stdin) to $FAKE_GH_LOG, one
JSON line per call, and keeps issues, labels and comments in $FAKE_GH_STATE (JSON).

It speaks the calls push makes: `gh api PATH` (GET an issue, its comments, the repo's
labels), `gh api --method PATCH repos/R/issues/comments/ID --input -`, `gh label create`,
`gh issue edit N --repo R --add-label A,B --remove-label C`, `gh issue comment N --repo R
--body-file -`. State "fail" = {"status": 401} makes every call fail as gh does;
"rate_limit" = n makes the next n calls fail with HTTP 429.
"""

import json
import os
import re
import sys


def main() -> int:
    args = sys.argv[1:]
    stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"args": args, "stdin": stdin}) + "\n")
    path = os.environ["FAKE_GH_STATE"]
    with open(path, encoding="utf-8") as handle:
        state = json.load(handle)

    def save() -> None:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(state, handle)

    if state.get("rate_limit"):
        state["rate_limit"] -= 1
        save()
        sys.stderr.write("gh: API rate limit exceeded (HTTP 429)\n")
        return 1
    fail = state.get("fail")
    if fail:
        words = {401: "Bad credentials", 403: "Forbidden", 404: "Not Found"}[fail["status"]]
        sys.stderr.write(f"gh: {words} (HTTP {fail['status']})\n")
        return 1

    def issue(repo: str, number: str) -> dict:
        found = state["issues"].get(f"{repo}#{number}")
        if found is None:
            sys.stderr.write("GraphQL: Could not resolve to an issue (HTTP 404)\n")
            raise SystemExit(1)
        return found

    def option(name: str) -> str:
        return args[args.index(name) + 1] if name in args else ""

    if args[0] == "api" and "--method" not in args:
        route = args[1].split("?", 1)[0]
        query = (
            dict(p.split("=") for p in args[1].split("?", 1)[1].split("&"))
            if "?" in args[1]
            else {}
        )
        page, size = int(query.get("page", 1)), int(query.get("per_page", 30))
        if m := re.fullmatch(r"repos/([^/]+/[^/]+)/labels", route):
            names = state["labels"].get(m.group(1), [])
            print(json.dumps([{"name": n} for n in names[(page - 1) * size : page * size]]))
            return 0
        if m := re.fullmatch(r"repos/([^/]+/[^/]+)/issues/(\d+)", route):
            found = issue(m.group(1), m.group(2))
            print(
                json.dumps(
                    {"number": int(m.group(2)), "labels": [{"name": n} for n in found["labels"]]}
                )
            )
            return 0
        if m := re.fullmatch(r"repos/([^/]+/[^/]+)/issues/(\d+)/comments", route):
            found = issue(m.group(1), m.group(2))
            print(json.dumps(found["comments"][(page - 1) * size : page * size]))
            return 0
    if args[0] == "api" and option("--method") == "PATCH":
        m = re.fullmatch(r"repos/([^/]+/[^/]+)/issues/comments/(\d+)", args[3])
        for found in state["issues"].values():
            for comment in found["comments"]:
                if str(comment["id"]) == m.group(2):
                    comment["body"] = json.loads(stdin)["body"]
        save()
        print("{}")
        return 0
    if args[:2] == ["label", "create"]:
        state["labels"].setdefault(option("--repo"), []).append(args[2])
        save()
        return 0
    if args[:2] == ["issue", "edit"]:
        found = issue(option("--repo"), args[2])
        for name in filter(None, option("--add-label").split(",")):
            if name not in state["labels"].get(option("--repo"), []):
                sys.stderr.write(f"'{name}' not found\n")
                return 1
            if name not in found["labels"]:
                found["labels"].append(name)
        for name in filter(None, option("--remove-label").split(",")):
            if name in found["labels"]:
                found["labels"].remove(name)
        save()
        return 0
    if args[:2] == ["issue", "comment"]:
        found = issue(option("--repo"), args[2])
        state["next_id"] = state.get("next_id", 900) + 1
        found["comments"].append({"id": state["next_id"], "body": stdin})
        save()
        print(
            f"https://github.com/{option('--repo')}/issues/{args[2]}#issuecomment-{state['next_id']}"
        )
        return 0
    sys.stderr.write(f"unknown command: {args}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
