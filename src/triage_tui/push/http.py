"""JSON over HTTP for the trackers' APIs (aiohttp): rate limits waited out, errors as one line.

No header, URL query or body is ever put into an error message: the token travels only
in the Authorization header this module is given, and never leaves it.
"""

from __future__ import annotations

import asyncio
import email.utils
import json as jsonlib
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from triage_tui.core.sanitize import clean_line

#: Never wait longer than this for one Retry-After, nor more often than RETRIES times.
MAX_WAIT = 60.0
RETRIES = 5
TIMEOUT = 30.0

Sleep = Callable[[float], Awaitable[None]]


class TrackerError(Exception):
    """The tracker refused or could not be reached; the message is one line for the user.

    Attributes:
        status: the HTTP status (0 when none came back).
    """

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def host_of(url: str) -> str:
    """The host (and port) of a URL, without any user or password in it."""
    try:  # a bad port or bracket ("https://x:abc", "https://[bad") raises on reading it
        parts = urlsplit(url)
        return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else ""
    except ValueError:
        return ""  # no host: the caller's own one line says what to fix


class JsonHttp:
    """One tracker's HTTP API: JSON in and out, one session for the whole push.

    Args:
        base_url: the API's root ("https://acme.atlassian.net").
        headers: sent with every request (the Authorization header among them).
        tracker: the tracker's name for messages ("Jira").
        hints: status -> what the user should fix (401: "check JIRA_API_TOKEN").
        sleep: how to wait (tests pass a recorder).
        max_wait, retries: the bounds on waiting out rate limits.
    """

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        *,
        tracker: str,
        hints: Mapping[int, str],
        sleep: Sleep = asyncio.sleep,
        max_wait: float = MAX_WAIT,
        retries: int = RETRIES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = dict(headers)
        self.tracker = tracker
        self.hints = dict(hints)
        self.sleep = sleep
        self.max_wait = max_wait
        self.retries = retries
        self._session: aiohttp.ClientSession | None = None
        self.waited: list[float] = []

    async def __aenter__(self) -> JsonHttp:
        self._session = aiohttp.ClientSession(
            headers=self._headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        answer_on: frozenset[int] = frozenset(),
    ) -> Any:
        """Send one request; the decoded JSON answer (None for an empty one).

        `answer_on`: error statuses whose JSON body is returned rather than raised (a
        GraphQL API says what went wrong in its body).

        Raises:
            TrackerError: a refusal (401, 403, 404...), a rate limit longer than
                `max_wait` or more than `retries` times, or no connection.
        """
        assert self._session is not None, "use `async with`"
        url = self.base_url + path
        for attempt in range(self.retries + 1):
            try:
                async with self._session.request(method, url, json=json, params=params) as response:
                    if response.status == 429:
                        wait = retry_after(response.headers.get("Retry-After"))
                        wait = 1.0 if wait is None else wait
                        if wait > self.max_wait or attempt == self.retries:
                            raise TrackerError(
                                f"{self.tracker} is rate limiting this push (asked to wait "
                                f"{wait:.0f} s); run the same command again later: it "
                                "resumes where it stopped",
                                429,
                            )
                        self.waited.append(wait)
                        await self.sleep(wait)
                        continue
                    if response.status >= 400 and response.status not in answer_on:
                        raise TrackerError(
                            self._refusal(response.status, response.reason), response.status
                        )
                    if response.status == 204:
                        return None
                    text = await response.text()
                    if not text.strip():
                        return None
                    try:
                        return jsonlib.loads(text)
                    except ValueError:
                        raise TrackerError(
                            f"{self.tracker} answered {method} with something that is not JSON"
                        ) from None
            except aiohttp.ClientError as error:
                raise TrackerError(
                    f"cannot reach {self.tracker} at {host_of(self.base_url)} "
                    f"({type(error).__name__}); check the network and run again"
                ) from None
            except TimeoutError:
                raise TrackerError(
                    f"{self.tracker} at {host_of(self.base_url)} did not answer in "
                    f"{TIMEOUT:.0f} s; run again (the push resumes)"
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _refusal(self, status: int, reason: str | None) -> str:
        said = f"{self.tracker} said {status} {clean_line(reason or '')}".rstrip()
        hint = self.hints.get(status)
        return f"{said}: {hint}" if hint else said
