"""`triage-tui push`: what each item gets in its tracker, as pure rules (no I/O).

The room's decision becomes labels (``triage:hiring``, ``triage:project``,
``triage:parked``, and a project item's readiness ``triage:ready`` /
``triage:needs-work`` / ``triage:not-ready``; the prefix is configurable) and one
comment (the reason or open question, the readiness score and gaps, the room's
votes, the handoff's path). The comment carries a marker,
``triage-tui:ID sha:FINGERPRINT``, so a second push finds it and edits it (or, when
the fingerprint is the same, leaves it alone) instead of adding another.

This module decides: which items may go to which tracker (`push_items`), the labels
and the comment of each (`PushItem`), the change against what the tracker already
has (`change_for`), the dry run (`render_dry_run`) and the reviewable script
(`render_script`). The services in ``triage_tui.push`` do the talking.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from triage_tui.core.handoff import assess_item
from triage_tui.core.model import Item
from triage_tui.core.readiness import CRITERIA_BY_KEY, Assessment, Level
from triage_tui.core.sanitize import clean_line, clean_text, clip, md_text
from triage_tui.core.session import Category, Session
from triage_tui.formats.loaders.common import GENERATED_PREFIX

#: The trackers `push --to` knows, as the command line spells them.
TRACKERS = ("github", "jira", "linear")
TRACKER_NAMES = {"github": "GitHub", "jira": "Jira", "linear": "Linear"}
#: Backlog format (`check`'s names) -> the tracker its ids belong to.
FORMAT_TRACKER = {
    "jira-csv": "jira",
    "github-csv": "github",
    "github-tsv": "github",
    "linear-csv": "linear",
}
FORMAT_NAMES = {
    "toml": "a TOML backlog",
    "csv": "a plain CSV sheet",
    "asana-csv": "an Asana export",
    "jira-csv": "a Jira export",
    "github-csv": "a GitHub export",
    "github-tsv": "a GitHub Projects export",
    "linear-csv": "a Linear export",
}
DEFAULT_PREFIX = "triage:"
#: What a label prefix may hold: Jira labels have no spaces, none of the trackers a comma.
PREFIX_PATTERN = re.compile(r"[^\s,]{0,40}")

CATEGORY_SUFFIX = {
    Category.HIRING: "hiring",
    Category.PROJECT: "project",
    Category.PARKED: "parked",
}
LEVEL_SUFFIX = {
    Level.READY: "ready",
    Level.NEEDS_WORK: "needs-work",
    Level.NOT_READY: "not-ready",
}
CATEGORY_WORDS = {
    Category.HIRING: "a hiring problem",
    Category.PROJECT: "project delivery",
    Category.PARKED: "parked",
}

# Ids as each tracker gives them.
_JIRA_KEY = re.compile(r"[A-Z][A-Z0-9_]*-[1-9][0-9]*")
_LINEAR_ID = re.compile(r"[A-Z][A-Z0-9]*-[1-9][0-9]*")
_GITHUB_ID = re.compile(r"(?:(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+))?#?(?P<number>[1-9][0-9]*)")
_GITHUB_URL = re.compile(
    r"https?://github\.com/(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/(?:issues|pull)/(?P<number>[1-9][0-9]*)"
)
REPO_PATTERN = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_GENERATED = re.compile(re.escape(GENERATED_PREFIX) + r"[0-9]+")

#: The marker's shape in a comment (any tracker, hidden or shown).
MARKER = re.compile(r"triage-tui:(?P<ref>[^\s>]+) sha:(?P<sha>[0-9a-f]{12})")

# Bounds: a tracker refuses a comment over its limit (Jira 32,767 characters).
_MAX_TEXT = 4000
_MAX_REASON = 300
_MAX_REASONS = 20
_MAX_GAPS = 12


class PushRefused(Exception):
    """A plan, an id or a setting that cannot be pushed: one line saying what to fix."""


# -- where an item goes ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Ref:
    """An issue in a tracker.

    Attributes:
        tracker: one of TRACKERS.
        key: the Jira key, the Linear identifier, or the GitHub issue number.
        repo: "OWNER/NAME" for GitHub, "" otherwise.
    """

    tracker: str
    key: str
    repo: str = ""

    def __str__(self) -> str:
        return f"{self.repo}#{self.key}" if self.tracker == "github" else self.key


@dataclass(frozen=True, slots=True)
class Pushed:
    """What the push ledger (``triage_tui.push.ledger``) says an earlier push labelled.

    Attributes:
        labels: the labels it set (or was about to set).
        at: when (ISO time).
        confirmed: the tracker confirmed them; False: the push was about to send them
            (it may have stopped before, or after, the tracker stored them).
    """

    labels: tuple[str, ...]
    at: str
    confirmed: bool = True

    def words(self) -> str:
        """For the dry run: "an earlier push labelled it triage:project (2026-12-07)"."""
        labels = ", ".join(clean_line(str(label)) for label in self.labels) or "its labels"
        verb = "labelled it" if self.confirmed else "was labelling it"
        day = clean_line(self.at[:10])
        return f"an earlier push {verb} {labels}" + (f" ({day})" if day else "")


def _was_pushed(session: Session, item: Item, managed: set[str]) -> bool:
    """An undecided item an earlier push may have labelled: the tracker's export of it
    carries one of push's labels, or `--from` carried last quarter's decision of it
    (changed since, so the room decides it again). (The push ledger, what a push from
    this machine labelled, is the third source: `push_items`' `pushed`.)"""
    if any(label.casefold() in managed for label in item.labels):
        return True
    from triage_tui.core.carry import previous

    return previous(session, item.id) is not None


def label_names(prefix: str) -> tuple[str, ...]:
    """Every label push manages, in a fixed order."""
    suffixes = (*CATEGORY_SUFFIX.values(), *LEVEL_SUFFIX.values())
    return tuple(f"{prefix}{suffix}" for suffix in suffixes)


def check_prefix(prefix: str) -> str:
    """The prefix, or PushRefused when a tracker would not take it in a label."""
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise PushRefused(
            f"label prefix {clean_line(prefix)!r}: up to 40 characters, no space or comma "
            f"(default {DEFAULT_PREFIX!r})"
        )
    return prefix


def _extra_urls(extra: Mapping[str, Any]) -> Iterable[str]:
    for name, value in extra.items():
        if str(name).casefold() in {"url", "issue url", "link"} and isinstance(value, str):
            yield value


def github_ref(item_id: str, extra: Mapping[str, Any], repo: str) -> Ref | None:
    """The GitHub issue of an item: `OWNER/NAME#N`, or `#N`/`N` in `repo` (`--repo`) or in
    the repository of its URL column; None when it names none."""
    found = _GITHUB_ID.fullmatch(item_id)
    urls = [m for url in _extra_urls(extra) if (m := _GITHUB_URL.fullmatch(url.strip()))]
    if found is not None:
        number = found.group("number")
        own = found.group("repo") or ""
        if own:
            return Ref("github", number, own)
        for match in urls:
            if match.group("number") == number:
                return Ref("github", number, repo or match.group("repo"))
        return Ref("github", number, repo) if repo else None
    return None


def ref_for(tracker: str, item_id: str, extra: Mapping[str, Any], repo: str = "") -> Ref | None:
    """Where `item_id` lives in `tracker`, or None when the id is not one of its ids."""
    if _GENERATED.fullmatch(item_id):
        return None
    if tracker == "jira":
        return Ref("jira", item_id) if _JIRA_KEY.fullmatch(item_id) else None
    if tracker == "linear":
        return Ref("linear", item_id) if _LINEAR_ID.fullmatch(item_id) else None
    return github_ref(item_id, extra, repo)


def why_not(tracker: str, item_id: str, repo: str) -> str:
    """One line: why `item_id` cannot go to `tracker`."""
    name = TRACKER_NAMES[tracker]
    shown = clean_line(item_id)
    if _GENERATED.fullmatch(item_id):
        return (
            f"{shown}: refused: triage-tui generated this id (its row had none), so no "
            f"{name} issue is known; give the item its {name} id in the backlog"
        )
    if tracker == "github" and _GITHUB_ID.fullmatch(item_id) and not repo:
        return f"{shown}: no repository for this issue number: give --repo OWNER/NAME"
    shape = {
        "jira": "a Jira key like ABC-123",
        "linear": "a Linear id like ENG-12",
        "github": "a GitHub issue (OWNER/NAME#12, or #12 with --repo)",
    }[tracker]
    return f"{shown}: refused: not {shape}"


def tracker_of(backlog_format: str) -> str:
    """The tracker a backlog format's ids belong to, or ""."""
    return FORMAT_TRACKER.get(backlog_format, "")


def check_source(tracker: str, backlog_format: str, plan_name: str) -> None:
    """PushRefused unless the plan's items came from `tracker`."""
    source = tracker_of(backlog_format)
    if source == tracker:
        return
    name = TRACKER_NAMES[tracker]
    if not backlog_format:
        raise PushRefused(
            f"{plan_name}: the plan does not say which tracker its items came from; "
            f"push a plan made from a {name} export"
        )
    what = FORMAT_NAMES.get(backlog_format, f"a {backlog_format} file")
    hint = f" (use --to {source})" if source else ""
    raise PushRefused(
        f"{plan_name}: its items came from {what}, not from {name}: only ids from "
        f"{name} are pushed there{hint}"
    )


# -- votes ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Votes:
    """The room's votes on one item ([items.votes] of a plan).

    Attributes:
        counts: category -> votes, in the order hiring, project, parked.
        reasons: the one-line reasons voters gave.
        against_majority: the room's decision went against the majority.
        readiness: criterion key -> {met, partial, missing} counts.
    """

    counts: Mapping[str, int]
    reasons: tuple[str, ...] = ()
    against_majority: bool = False
    readiness: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def votes_from_table(table: Any) -> Votes | None:
    """An [items.votes] table as Votes (leniently: a wrong value counts as none), or None
    when the room did not vote on the item."""
    if not isinstance(table, Mapping):
        return None
    counts = {key: _count(table.get(key)) for key in ("hiring", "project", "parked")}
    raw_reasons = table.get("reasons", [])
    reasons: list[str] = []
    if isinstance(raw_reasons, list):
        for reason in raw_reasons:
            # The room writes {vote, text, name?}; a hand-written plan may hold plain text.
            text = reason.get("text", "") if isinstance(reason, Mapping) else reason
            if not isinstance(text, str) or not text.strip():
                continue
            text = clean_line(text).strip()[:_MAX_REASON]
            if isinstance(reason, Mapping):
                vote, name = reason.get("vote"), reason.get("name")
                who = clean_line(name).strip() if isinstance(name, str) else ""
                said = f"{vote}" if isinstance(vote, str) and vote in counts else ""
                lead = f"{who} ({said})" if who and said else who or said
                text = f"{lead}: {text}" if lead else text
            reasons.append(text)
    readiness: dict[str, dict[str, int]] = {}
    raw_readiness = table.get("readiness", {})
    if isinstance(raw_readiness, Mapping):
        for key, marks in raw_readiness.items():
            if key in CRITERIA_BY_KEY and isinstance(marks, Mapping):
                tally = {mark: _count(marks.get(mark)) for mark in ("met", "partial", "missing")}
                if any(tally.values()):
                    readiness[key] = tally
    if not any(counts.values()) and not readiness and not reasons:
        return None
    return Votes(
        counts=counts,
        reasons=tuple(reasons[:_MAX_REASONS]),
        against_majority=table.get("against_majority") is True,
        readiness=readiness,
    )


# -- the comment ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Block:
    """One part of a comment, rendered as Markdown or as Jira's document format.

    Attributes:
        lead: bold words that start the paragraph ("Open question:"), or "".
        text: the paragraph's text (plain: each renderer escapes it its own way).
        bullets: list entries under the paragraph.
        code: a path shown as code after the text.
    """

    lead: str = ""
    text: str = ""
    bullets: tuple[str, ...] = ()
    code: str = ""


def _clip(text: str, limit: int = _MAX_TEXT) -> str:
    return clip(clean_text(text).strip(), limit)


def _tally(votes: Votes) -> str:
    parts = [f"{key} {votes.counts[key]}" for key in ("hiring", "project", "parked")]
    return ", ".join(parts)


def comment_blocks(
    category: Category,
    rationale: str,
    assessment: Assessment | None,
    votes: Votes | None,
    handoff_path: str,
    plan_name: str,
    scored: bool = True,
    note: str = "",
) -> tuple[Block, ...]:
    """The comment of one decided item, as blocks (see `render_markdown`, `render_adf`).

    `rationale` is a parked item's open question; `note` the room's note on any item
    (a parked item's comes after its question; another item's reads as the "Why").

    `scored` is False for a project item the room never scored for readiness: it counts
    as not ready, but "0/100" and seven gaps would claim the room found every criterion
    missing, so the comment says it was not scored instead.
    """
    heading = f"The triage workshop decided: {CATEGORY_WORDS[category]}"
    if assessment is not None:
        heading += f", {_level_words(assessment.level, assessment.score, scored)}"
    blocks = [Block(lead=heading + ".")]
    note = _clip(note)
    if category is Category.PARKED:
        blocks.append(Block("Open question:", _clip(rationale) or "none written down yet"))
        if note:
            blocks.append(Block("The room's note:", note))
    elif note:
        blocks.append(Block("Why:", note))
    if assessment is not None and not scored:
        blocks.append(
            Block(
                "Spec readiness:",
                "not scored in the workshop yet; score the seven criteria before handing it off.",
            )
        )
    elif assessment is not None and assessment.gaps:
        gaps = tuple(_clip(gap, 400) for gap in assessment.gaps[:_MAX_GAPS])
        blocks.append(Block("Gaps to close before handing it off:", bullets=gaps))
    if votes is not None and votes.total:
        against = " The decision went against the majority." if votes.against_majority else ""
        blocks.append(Block("The room voted:", f"{_tally(votes)}.{against}", bullets=votes.reasons))
    if votes is not None and votes.readiness:
        lines = tuple(
            f"{CRITERIA_BY_KEY[key].name}: met {t['met']}, partial {t['partial']}, "
            f"missing {t['missing']}"
            for key, t in votes.readiness.items()
        )
        blocks.append(Block("Readiness votes:", bullets=lines))
    if handoff_path:
        blocks.append(Block("Handoff:", code=handoff_path))
    blocks.append(Block(text=f"Written by triage-tui push from {clean_line(plan_name)}."))
    return tuple(blocks)


# What starts a Markdown block at the start of a line (a heading, a quote, a list, a
# setext underline, a table, a fence) and would interrupt the comment's paragraph.
_BLOCK_START = re.compile(r"^([ \t]*)(?:([#>+\-*=_|]|`{3}|~{3})|([0-9]{1,9})([.)]))", re.MULTILINE)


def _no_block(match: re.Match[str]) -> str:
    indent, mark, number, dot = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{dot}"


def _md_inline(text: str) -> str:
    # One paragraph's text: no raw HTML, no image (md_text), and no line that starts a
    # heading, a list, a quote or a fence: backlog text stays the paragraph it is.
    return _BLOCK_START.sub(_no_block, md_text(text)).replace("\n", "  \n")


def _md_code(text: str) -> str:
    text = clean_line(text)
    run = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_markdown(blocks: Sequence[Block]) -> str:
    """The comment's body as Markdown (GitHub, Linear), without its marker."""
    out: list[str] = []
    for block in blocks:
        parts = []
        if block.lead:
            parts.append(f"**{md_text(block.lead)}**")
        if block.text:
            parts.append(_md_inline(block.text))
        if block.code:
            parts.append(_md_code(block.code))
        paragraph = " ".join(parts)
        if block.bullets:
            paragraph += "\n" + "\n".join(f"- {_md_inline(b)}" for b in block.bullets)
        out.append(paragraph)
    return "\n\n".join(out) + "\n"


def render_plain(blocks: Sequence[Block], marker: str) -> str:
    """The comment as Jira shows its document: plain lines, bullets, the marker last."""
    out: list[str] = []
    for block in blocks:
        parts = [clean_line(part) for part in (block.lead,) if part]
        if block.text:
            parts.append(clean_text(block.text))
        if block.code:
            parts.append(clean_line(block.code))
        out.append(" ".join(parts))
        out += [f"  • {clean_line(bullet)}" for bullet in block.bullets]
    out.append(marker)
    return "\n".join(out) + "\n"


def _adf_text(text: str, marks: Sequence[str] = ()) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    if marks:
        node["marks"] = [{"type": mark} for mark in marks]
    return node


def _adf_paragraph(block: Block) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if block.lead:
        content.append(_adf_text(clean_line(block.lead), ("strong",)))
    if block.text:
        if content:
            content.append(_adf_text(" "))
        lines = clean_text(block.text).split("\n")
        for index, line in enumerate(lines):
            if index:
                content.append({"type": "hardBreak"})
            if line:
                content.append(_adf_text(line))
    if block.code:
        if content:
            content.append(_adf_text(" "))
        content.append(_adf_text(clean_line(block.code), ("code",)))
    return {"type": "paragraph", "content": content}


def render_adf(blocks: Sequence[Block], marker: str) -> dict[str, Any]:
    """The comment's body in Atlassian Document Format (Jira REST v3), marker last.

    Jira shows no hidden text: the marker is the last line, in small code type."""
    content: list[dict[str, Any]] = []
    for block in blocks:
        content.append(_adf_paragraph(block))
        if block.bullets:
            content.append(
                {
                    "type": "bulletList",
                    "content": [
                        {
                            "type": "listItem",
                            "content": [
                                {"type": "paragraph", "content": [_adf_text(clean_line(b))]}
                            ],
                        }
                        for b in block.bullets
                    ],
                }
            )
    content.append({"type": "paragraph", "content": [_adf_text(marker, ("code",))]})
    return {"type": "doc", "version": 1, "content": content}


def adf_plain_text(node: Any) -> str:
    """Every text node of an ADF document, joined (to find a marker in a comment)."""
    if isinstance(node, Mapping):
        own = node.get("text", "") if node.get("type") == "text" else ""
        inner = node.get("content", [])
        parts = [own if isinstance(own, str) else ""]
        if isinstance(inner, list):
            parts += [adf_plain_text(child) for child in inner]
        return "\n".join(part for part in parts if part)
    if isinstance(node, str):
        return node
    return ""


def fingerprint(text: str) -> str:
    """12 hex digits that change whenever the comment's text does."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def find_marker(body: str, ref: Ref) -> str | None:
    """The fingerprint in `body`'s marker for `ref`, or None when it has none."""
    for match in MARKER.finditer(body):
        if match.group("ref") == str(ref):
            return match.group("sha")
    return None


def _level_words(level: Level, score: int, scored: bool) -> str:
    if not scored:
        return f"not scored yet (counts as {Level.NOT_READY.label})"
    return f"{level.label} ({score}/100)"


# -- one item -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PushItem:
    """What one item gets.

    Attributes:
        item_id: the plan's id.
        title: the item's title (one clean line).
        ref: its issue in the tracker.
        category, level, score: the room's decision (level/score for project items).
        labels: the labels it should carry.
        managed: every label push manages (the others among them are removed).
        blocks: the comment.
        sha: the comment's fingerprint.
        scored: False for a project item the room never scored for readiness.
        pushed: for an undecided item, what the push ledger says an earlier push
            labelled (None when something else says so, or nothing).
    """

    item_id: str
    title: str
    ref: Ref
    category: Category
    level: Level | None
    score: int | None
    labels: tuple[str, ...]
    managed: tuple[str, ...]
    blocks: tuple[Block, ...]
    sha: str
    scored: bool = True
    pushed: Pushed | None = None

    @property
    def marker(self) -> str:
        return f"triage-tui:{self.ref} sha:{self.sha}"

    @property
    def writes_comment(self) -> bool:
        """False for an undecided item: push only takes its triage labels off (a decision
        the room took back, or one `--from` found changed), and leaves any comment an
        earlier push wrote as it is."""
        return self.category is not Category.UNDECIDED

    @property
    def unwanted(self) -> tuple[str, ...]:
        wanted = {label.casefold() for label in self.labels}
        return tuple(label for label in self.managed if label.casefold() not in wanted)

    def markdown(self) -> str:
        """The comment as Markdown, the marker hidden in an HTML comment on top."""
        return f"<!-- {self.marker} -->\n{render_markdown(self.blocks)}"

    def markdown_shown(self) -> str:
        """The comment as Markdown, the marker on its last line (Linear shows every line)."""
        return f"{render_markdown(self.blocks)}\n`{self.marker}`\n"

    def adf(self) -> dict[str, Any]:
        return render_adf(self.blocks, self.marker)

    def comment_text(self) -> str:
        """The comment as the dry run shows it (the tracker's own rendering aside)."""
        if self.ref.tracker == "jira":
            return render_plain(self.blocks, self.marker)
        if self.ref.tracker == "linear":
            return self.markdown_shown()
        return self.markdown()


def _labels_for(category: Category, level: Level | None, prefix: str) -> tuple[str, ...]:
    if category is Category.UNDECIDED:
        return ()  # every managed label comes off
    labels = [f"{prefix}{CATEGORY_SUFFIX[category]}"]
    if level is not None:
        labels.append(f"{prefix}{LEVEL_SUFFIX[level]}")
    return tuple(labels)


@dataclass(frozen=True, slots=True)
class Selection:
    """The items a push covers.

    Attributes:
        items: those it writes to, in plan order; an undecided item is among them with no
            label and no comment (`PushItem.writes_comment`): a push takes its triage
            labels off where an earlier push put them.
        refused: one line per item it will not write (a generated id, a foreign id).
        undecided: ids of the undecided items among `items`.
    """

    items: tuple[PushItem, ...]
    refused: tuple[str, ...]
    undecided: tuple[str, ...]


def push_items(
    session: Session,
    tracker: str,
    *,
    ids: Sequence[str] = (),
    repo: str = "",
    prefix: str = DEFAULT_PREFIX,
    votes: Mapping[str, Votes] | None = None,
    handoff_paths: Mapping[str, str] | None = None,
    plan_name: str = "the plan",
    pushed: Mapping[str, Pushed] | None = None,
) -> Selection:
    """What each decided item of `session` gets in `tracker`.

    Args:
        session: the plan, reopened.
        tracker: one of TRACKERS.
        ids: only these items (an id not in the plan, or one `tracker` does not know,
            raises PushRefused); default every item.
        repo: GitHub's OWNER/NAME for bare issue numbers (`--repo`).
        prefix: the labels' prefix.
        votes: item id -> the room's votes.
        handoff_paths: item id -> its handoff's path in the repository.
        plan_name: the plan's file name, quoted in each comment.
        pushed: issue ref (`str(Ref)`) -> what an earlier push labelled there (the push
            ledger): an undecided item among them gets its labels taken off.

    Raises:
        PushRefused: a named id that cannot be pushed, or a bad prefix.
    """
    check_prefix(prefix)
    votes = votes or {}
    handoff_paths = handoff_paths or {}
    pushed = pushed or {}
    by_id = {item.id: item for item in session.backlog.items}
    if ids:
        for item_id in ids:
            if item_id not in by_id:
                raise PushRefused(f"{clean_line(item_id)}: no such item in {plan_name}")
        wanted = set(ids)
        chosen = [item for item in session.backlog.items if item.id in wanted]
    else:
        chosen = list(session.backlog.items)
    managed = label_names(prefix)
    managed_folded = {label.casefold() for label in managed}
    items: list[PushItem] = []
    refused: list[str] = []
    undecided: list[str] = []
    for item in chosen:
        decision = session.decision(item.id)
        ref = ref_for(tracker, item.id, item.extra, repo)
        if ref is None:
            if ids:
                raise PushRefused(why_not(tracker, item.id, repo))
            refused.append(why_not(tracker, item.id, repo))
            continue
        if decision.category is Category.UNDECIDED:
            # Pushed earlier and taken back (or changed since, under --from): its labels
            # would tell the board a decision the room no longer holds (PRODUCT.md: "a
            # decision that changed removes the old label"). No comment is written.
            # Only where something says it was pushed: the push ledger (what a push from
            # here labelled), the export's labels carry one of push's, `--from` carried a
            # decision, or the item is named. The rest of a big backlog the hour never
            # reached costs no read (a tracker's rate limit).
            earlier = pushed.get(str(ref))
            if not (ids or earlier or _was_pushed(session, item, managed_folded)):
                continue
            undecided.append(item.id)
            items.append(
                PushItem(
                    item_id=item.id,
                    title=clean_line(item.title),
                    ref=ref,
                    category=Category.UNDECIDED,
                    level=None,
                    score=None,
                    labels=(),
                    managed=managed,
                    blocks=(),
                    sha="",
                    pushed=earlier,
                )
            )
            continue
        assessment = assess_item(item, decision) if decision.category is Category.PROJECT else None
        level = assessment.level if assessment is not None else None
        scored = assessment is None or bool(decision.marks)
        blocks = comment_blocks(
            decision.category,
            decision.rationale,
            assessment,
            votes.get(item.id),
            handoff_paths.get(item.id, "") if level is Level.READY else "",
            plan_name,
            scored,
            decision.note,
        )
        items.append(
            PushItem(
                item_id=item.id,
                title=clean_line(item.title),
                ref=ref,
                category=decision.category,
                level=level,
                score=assessment.score if assessment is not None else None,
                labels=_labels_for(decision.category, level, prefix),
                managed=managed,
                blocks=blocks,
                sha=fingerprint(render_markdown(blocks)),
                scored=scored,
            )
        )
    return Selection(tuple(items), tuple(refused), tuple(undecided))


# -- against what the tracker has -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Current:
    """What the tracker has for one issue.

    Attributes:
        labels: its labels, as the tracker spells them.
        comment_id: the id of the comment carrying this item's marker, or "".
        comment_sha: that comment's fingerprint, or "".
    """

    labels: tuple[str, ...] = ()
    comment_id: str = ""
    comment_sha: str = ""


@dataclass(frozen=True, slots=True)
class Change:
    """What one item still needs.

    Attributes:
        add: labels to add.
        remove: labels to remove (the tracker's spelling).
        comment: "create", "update" or "" (the comment is as it should be).
        comment_id: the comment to update.
    """

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    comment: str = ""
    comment_id: str = ""

    @property
    def empty(self) -> bool:
        return not (self.add or self.remove or self.comment)


def change_for(item: PushItem, current: Current) -> Change:
    """The change that brings `current` to what `item` should have (empty: nothing)."""
    have = {label.casefold() for label in current.labels}
    add = tuple(label for label in item.labels if label.casefold() not in have)
    unwanted = {label.casefold() for label in item.unwanted}
    remove = tuple(label for label in current.labels if label.casefold() in unwanted)
    if not item.writes_comment:
        comment = ""
    elif not current.comment_id:
        comment = "create"
    elif current.comment_sha != item.sha:
        comment = "update"
    else:
        comment = ""
    return Change(add, remove, comment, current.comment_id)


def describe_change(change: Change) -> str:
    """One line for the progress output: what was done to an item."""
    parts = []
    if change.add:
        parts.append("added " + ", ".join(change.add))
    if change.remove:
        parts.append("removed " + ", ".join(change.remove))
    if change.comment == "create":
        parts.append("comment written")
    elif change.comment == "update":
        parts.append("comment updated")
    return "; ".join(parts) or "already up to date"


# -- the dry run and the script -------------------------------------------------------
def _decision_words(item: PushItem) -> str:
    words = CATEGORY_WORDS[item.category]
    if item.level is not None:
        words += f", {_level_words(item.level, item.score or 0, item.scored)}"
    return words


def render_dry_run(selection: Selection, tracker: str, destination: str) -> str:
    """What a push would do, item by item: plain text for a terminal or a review."""
    name = TRACKER_NAMES[tracker]
    out = [
        f"Dry run: nothing is sent. triage-tui push --apply writes this to {name}"
        + (f" ({clean_line(destination)})" if destination else "")
        + ".",
        "Labels are added where missing and removed where present; the comment is written "
        "once and edited (never repeated) by the next push.",
        "",
    ]
    decided = [item for item in selection.items if item.writes_comment]
    for item in decided:
        out.append(f"{item.ref}  {item.title}")
        out.append(f"  decision: {_decision_words(item)}")
        out.append("  labels:   + " + "  + ".join(item.labels))
        out.append("            - " + "  - ".join(item.unwanted) + "  (where present)")
        out.append("  comment:")
        out += [f"    | {line}" if line else "    |" for line in item.comment_text().splitlines()]
        out.append("")
    undecided = [item for item in selection.items if not item.writes_comment]
    if undecided:
        managed = undecided[0].managed
        out.append(
            "Undecided (no decision to write; an earlier push's labels come off, its "
            "comment is left as it is):"
        )
        out.append("  labels:   - " + "  - ".join(managed) + "  (where present)")
        out += [
            f"  {item.ref}  {item.title}"
            + (f"  ({item.pushed.words()})" if item.pushed is not None else "")
            for item in undecided
        ]
        out.append("")
    counts: dict[str, int] = {}
    for item in decided:
        counts[item.category.value] = counts.get(item.category.value, 0) + 1
    summary = ", ".join(f"{n} {category}" for category, n in counts.items()) or "none"
    if decided or not undecided:
        out.append(f"{len(decided)} items to push ({summary}).")
    if undecided:
        out.append(
            f"{len(undecided)} undecided items: their triage labels are removed where present."
        )
    for line in selection.refused:
        out.append(line)
    return "\n".join(out) + "\n"


def _heredoc(body: str) -> str:
    """A here-document delimiter that no line of `body` equals (so backlog text can never
    end the document early and run as a command)."""
    lines = set(body.splitlines())
    delimiter, count = "TRIAGE_TUI_EOF", 1
    while delimiter in lines:
        count += 1
        delimiter = f"TRIAGE_TUI_EOF_{count}"
    return delimiter


def _shell_header(tracker: str, plan_name: str) -> list[str]:
    name = TRACKER_NAMES[tracker]
    return [
        "#!/bin/sh",
        f"# triage-tui push to {name}, from {clean_line(plan_name)}: review this in a pull request.",
        "# `triage-tui push PLAN --to "
        + tracker
        + " --apply` makes the same changes once: it adds only missing labels,",
        "# removes only present ones, and edits the comment carrying the item's marker instead",
        "# of adding another. Running this script by hand adds a comment every time.",
        "# No token is in this file: the tools read their own login or environment.",
        "set -eu",
        "",
    ]


def label_names_in(selection: Selection, repo: str) -> tuple[str, ...]:
    """The managed labels (a repository needs them to exist before an issue takes them)."""
    for item in selection.items:
        if item.ref.repo == repo:
            return item.managed
    return ()


def _github_script(selection: Selection, plan_name: str) -> str:
    out = _shell_header("github", plan_name)
    repos = sorted({item.ref.repo for item in selection.items})
    for repo in repos:
        for label in label_names_in(selection, repo):
            out.append(f"gh label create {shlex.quote(label)} --repo {shlex.quote(repo)} --force")
    if repos:
        out.append("")
    for item in selection.items:
        repo = shlex.quote(item.ref.repo)
        out.append(f"# {item.ref}: {item.title}")
        if not item.writes_comment:
            out.append("# undecided: its triage labels come off, any comment stays")
            out.append(
                f"gh issue edit {item.ref.key} --repo {repo} "
                f"--remove-label {shlex.quote(','.join(item.unwanted))}"
            )
            out.append("")
            continue
        out.append(
            f"gh issue edit {item.ref.key} --repo {repo} "
            f"--add-label {shlex.quote(','.join(item.labels))} "
            f"--remove-label {shlex.quote(','.join(item.unwanted))}"
        )
        body = item.markdown()
        delimiter = _heredoc(body)
        out.append(f"gh issue comment {item.ref.key} --repo {repo} --body-file - <<'{delimiter}'")
        out.append(body.rstrip("\n"))
        out.append(delimiter)
        out.append("")
    return "\n".join(out) + "\n"


def jira_label_update(add: Sequence[str], remove: Sequence[str]) -> dict[str, Any]:
    """The body of `PUT /rest/api/3/issue/{key}` that adds and removes labels."""
    verbs = [{"add": label} for label in add] + [{"remove": label} for label in remove]
    return {"update": {"labels": verbs}}


def _jira_script(selection: Selection, plan_name: str) -> str:
    out = _shell_header("jira", plan_name)
    out += [
        ': "${JIRA_BASE_URL:?}" "${JIRA_EMAIL:?}" "${JIRA_API_TOKEN:?}"',
        "jira() {  # METHOD PATH, the JSON body on stdin",
        '  curl --fail --silent --show-error -X "$1" -u "$JIRA_EMAIL:$JIRA_API_TOKEN" \\',
        "    -H 'Content-Type: application/json' -H 'Accept: application/json' \\",
        '    --data-binary @- "${JIRA_BASE_URL%/}$2"',
        "}",
        "",
    ]
    for item in selection.items:
        key = item.ref.key
        out.append(f"# {item.ref}: {item.title}")
        body = json.dumps(jira_label_update(item.labels, item.unwanted), ensure_ascii=False)
        delimiter = _heredoc(body)
        out += [f"jira PUT /rest/api/3/issue/{key} <<'{delimiter}'", body, delimiter]
        if not item.writes_comment:
            out += ["# undecided: its triage labels come off, any comment stays", ""]
            continue
        comment = json.dumps({"body": item.adf()}, ensure_ascii=False)
        delimiter = _heredoc(comment)
        out += [
            f"jira POST /rest/api/3/issue/{key}/comment <<'{delimiter}'",
            comment,
            delimiter,
            "",
        ]
    return "\n".join(out) + "\n"


def _linear_script(selection: Selection, plan_name: str) -> str:
    out = [
        f"# triage-tui push to Linear, from {clean_line(plan_name)}: the GraphQL requests, "
        "for review.",
        "# `triage-tui push PLAN --to linear --apply` sends them once, with LINEAR_API_KEY:",
        "# it looks up (or creates) each label's id in the issue's team first, adds only",
        "# missing labels, removes only present ones, and edits the comment carrying the",
        "# item's marker instead of adding another. No key is in this file.",
        "",
    ]
    for item in selection.items:
        added = ", ".join(f"id of {json.dumps(label)}" for label in item.labels)
        removed = ", ".join(f"id of {json.dumps(label)}" for label in item.unwanted)
        out += [
            f"# {item.ref}: {item.title}",
            f'mutation {{ issueUpdate(id: "{item.ref.key}", input: {{',
            f"  addedLabelIds: [{added}]",
            f"  removedLabelIds: [{removed}]  # those the issue has",
            "}) { success } }",
        ]
        if not item.writes_comment:
            out += ["# undecided: its triage labels come off, any comment stays", ""]
            continue
        out += [
            f'mutation {{ commentCreate(input: {{ issueId: "{item.ref.key}", body: """',
        ]
        body = item.markdown_shown().replace('"""', '\\"""')
        out += [body.rstrip("\n"), '""" }) { success } }', ""]
    return "\n".join(out) + "\n"


def render_script(selection: Selection, tracker: str, plan_name: str) -> str:
    """The reviewable script of a push: `gh` calls (GitHub), `curl` calls (Jira), or the
    GraphQL requests (Linear). It holds no token."""
    if tracker == "github":
        return _github_script(selection, plan_name)
    if tracker == "jira":
        return _jira_script(selection, plan_name)
    return _linear_script(selection, plan_name)
