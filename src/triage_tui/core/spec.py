"""Finding a spec's own sections in a description: acceptance criteria, done, contract, ...

A description says what it means in the tracker's own markup: Markdown headings and
`**bold:**` labels (GitHub, Linear, TOML backlogs), Jira wiki headings (`h3.`), `#`/`*`
lists and `{code}`/`{noformat}` blocks, task lists (`- [ ]`), Given/When/Then lines,
and plain `Label: text` lines. `find_spec` reads all of them and returns each part as
written (list markers and heading markup removed, inline markup kept: the formats
convert it for display), so the handoff carries what the spec says instead of the room
retyping it. Pure: no I/O, no UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

#: Section kinds, in the order a handoff reads them.
KINDS = ("context", "scope", "contract", "acceptance", "done", "out_of_scope", "reviewer")

# A section's name (heading or label text, lower-cased, markup stripped) -> kind.
_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "acceptance",
        re.compile(
            r"(?:acceptance criteria|acceptance tests?|acceptance|success criteria|a/?cs?|"
            r"requirements)"
        ),
    ),
    ("done", re.compile(r"(?:definition of done|dod|done|done when|ships? when)")),
    ("out_of_scope", re.compile(r"(?:out of scope|not in scope|non[- ]?goals|won'?t do|excluded)")),
    (
        "contract",
        re.compile(
            r"(?:(?:api|io|i/o) contracts?|contracts?|api|apis|endpoints?|interface|"
            r"inputs? (?:and|/|&) outputs?|inputs?/outputs?|request(?: and response)?|"
            r"responses?|payloads?|schema|events?)"
        ),
    ),
    (
        "context",
        re.compile(
            r"(?:system context|context|background|overview|architecture|problem|"
            r"current state|adjacent systems|why|summary|goal|goals)"
        ),
    ),
    ("scope", re.compile(r"(?:scope|in scope|approach|milestones?|plan)")),
    ("reviewer", re.compile(r"(?:reviewers?|review|reviewed by|code review)")),
)

_JIRA = re.compile(r"^h[1-6]\.\s|\{code(?::[^}]*)?\}|\{noformat\}|\[[^\]|\n]+\|[^\]\n]+\]", re.M)
# {{monospace}} is Jira's too, but a Markdown text may hold a "{{template}}": it counts only
# where nothing says Markdown (a backtick, a "## heading", **bold**, a [link](url)).
_JIRA_MONO = re.compile(r"\{\{[^{}\n]+\}\}")
_MARKDOWN = re.compile(r"`|^#{1,6}[ \t]|\*\*|\]\(", re.M)
_MD_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_JIRA_HEADING = re.compile(r"^[ \t]*h([1-6])\.[ \t]*(.+?)[ \t]*$")
# A line that is only bold (or underlined) text: "**Acceptance criteria**", Jira "*Scope*".
_BOLD_LINE = re.compile(r"^[ \t]*(\*\*|__|\*|_)([^*_\n]{2,60}?)[ \t]*:?[ \t]*\1[ \t]*:?[ \t]*$")
# A label at the start of a line: "Acceptance criteria:", "**DoD:** ...", "*Done when* ...".
_LABEL = re.compile(
    r"^[ \t]*(?P<open>\*\*|__|\*|_)?(?P<name>[A-Za-z][A-Za-z /'&-]{1,40}?)[ \t]*"
    r"(?:(?P<colon>:)[ \t]*(?P=open)|(?P=open)[ \t]*(?P<colon2>:)?|(?P<colon3>:))"
    r"[ \t]*(?P<rest>.*)$"
)
_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+•]+|\d{1,3}[.)])[ \t]+(?P<text>.*)$")
_JIRA_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[#*]+|-+)[ \t]+(?P<text>.*)$")
_TASK = re.compile(r"^\[[ xX]\][ \t]+")
# A Jira panel: "{panel:title=Acceptance criteria|borderStyle=solid}" opens a section.
_PANEL = re.compile(r"^[ \t]*\{panel(?::(?P<params>[^}]*))?\}[ \t]*$")
_PANEL_TITLE = re.compile(r"(?:^|\|)[ \t]*title[ \t]*=[ \t]*(?P<title>[^|]*)")
# A Markdown setext underline ("Acceptance criteria" over "---" or "==="); a Jira rule.
_UNDERLINE = re.compile(r"^[ \t]{0,3}(?:=+|-+)[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_JIRA_BLOCK = re.compile(r"\{(?:code|noformat)(?::[^}]*)?\}")
_ENDPOINT = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)[ \t]+/[\w/{}:.\-?=&]*")
_JSON_LINE = re.compile(r"^[ \t]*[{\[][ \t]*\"[^\"\n]+\"[ \t]*:")
# What the readiness evidence takes for a contract wherever it stands (core.readiness,
# criterion 3, "met"): an endpoint, a JSON payload or fence, an API description's name.
_JSON_FENCE = re.compile(r"^[ \t]*```[ \t]*json\b", re.I | re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])[ \t]+(?=\S)")
_API_DOC = re.compile(r"\b(?:openapi|swagger|protobuf|\.proto|json schema|graphql schema)\b", re.I)
_GIVEN = re.compile(r"^(?:\*\*|\*|_)?given\b", re.I)
_THEN = re.compile(r"\bthen\b", re.I)
_DONE_WHEN = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=^\*)|(?<=\s\*))(?:\*\*|\*|_)?(?:done|shipped|finished) when\b"
    r"(?:\*\*|\*|_)?[^.!?\n]*(?:[.!?]|$)",
    re.I | re.M,
)
_NAME = r"(?P<who>@[\w.\-]+|\[~(?!accountid:)[^\]\s|]+\]|[A-Z][\w'\-]+(?:[ \t]+[A-Z][\w'\-]+)?)"
_REVIEWER = re.compile(
    r"\b(?i:reviewers?|review(?:ed)?[ \t]+by|code review by|review)(?:\*\*|\*)?[ \t]*[:=\-–(]?"
    r"(?:\*\*|\*)?[ \t]*" + _NAME
)
_REVIEWS = re.compile(r"(?P<who>@[\w.\-]+)[ \t]+(?:to[ \t]+)?reviews?\b")
# Words a capitalised "name" after "Reviewed by" must not be (a sentence goes on).
_NOT_NAMES = frozenset(
    {"The", "A", "An", "Our", "Someone", "Anyone", "Team", "Us", "We", "Them", "TBD", "Tbd", "See"}
)
_LIMIT = 4000
# Labels that open a section even as a list item; "- Response: 200" stays an item.
_LISTED_KINDS = frozenset({"acceptance", "done", "out_of_scope", "reviewer"})
# A line that says something of its own after a label's sentence: a reviewer, a label.
_OWN_LINE = re.compile(
    r"(?:\*\*|\*|_)?(?i:reviewed by|review by|reviewers?\b)"
    r"|(?:\*\*|\*)?[A-Z][\w /'-]{1,30}:(?:\*\*|\*)?(?:[ \t]|$)"
)
# "Design: https://...", "Input message:": a paragraph of its own, not a section's.
_OTHER_LABEL = re.compile(r"^(?:\*\*|\*)?[A-Z][\w /'-]{1,30}:(?:\*\*|\*)?(?:[ \t]|$)")


@dataclass(frozen=True, slots=True)
class Spec:
    """What a description already says, part by part, as written.

    Attributes:
        context: the system context (a context/background section, else the opening
            paragraph), "" when none.
        scope: a scope/approach section, "" when none.
        contract: API contract / input-output text, code blocks included, "" when none.
        acceptance: the acceptance criteria, one entry per criterion (a list item, a
            Given/When/Then scenario or a task-list line).
        done: the definition of done, one entry per part.
        out_of_scope: what is out of scope / the non-goals, one entry per part.
        reviewer: the person named to review ("@priya", "Priya"), "" when nobody is.
        found: kind -> the line of the description that showed it (readiness evidence).
    """

    context: str = ""
    scope: str = ""
    contract: str = ""
    acceptance: tuple[str, ...] = ()
    done: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    reviewer: str = ""
    found: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Line:
    raw: str
    kind: str  # blank, code, heading, label, item, text
    text: str = ""  # content: heading/label name, item text, the line stripped
    section: str = ""  # for heading/label: the section kind ("" = unknown heading)
    rest: str = ""  # for label: the text after the colon
    indent: int = 0
    listed: bool = False  # a label written as a list item ("- Done when: ...")


def section_kind(name: str) -> str:
    """The section kind a heading or label names ("" when it names none of KINDS).

    >>> section_kind("Acceptance Criteria")
    'acceptance'
    """
    key = re.sub(r"[*_`:]+", "", name).strip().casefold()
    key = re.sub(r"\s+", " ", key)
    for kind, pattern in _NAMES:
        if pattern.fullmatch(key):
            return kind
    return ""


def looks_like_jira(text: str) -> bool:
    """True when `text` shows Jira wiki markup (`h3.`, `{code}`, `{{mono}}`, `[a|url]`).

    A guess from the text alone, for a source that does not say its dialect (see
    `is_jira`): a Jira export's text is Jira markup whatever it looks like.
    """
    if _JIRA.search(text):
        return True
    return bool(_JIRA_MONO.search(text)) and not _MARKDOWN.search(text)


def is_jira(text: str, markup: str = "") -> bool:
    """Whether `text` is Jira wiki markup: as its source says (`markup`, an
    `Item.markup`: "jira" or "markdown"), else (markup "") as it looks."""
    if markup:
        return markup == "jira"
    return looks_like_jira(text)


def dialect(description: str, markup: str = "") -> str:
    """An item's dialect for its parts: its source's (`markup`), else "jira" when the
    whole description looks like Jira (a lone part may not: `*Given*` alone), else ""."""
    if markup:
        return markup
    return "jira" if looks_like_jira(description) else ""


def _classify(text: str, jira: bool) -> list[_Line]:
    lines: list[_Line] = []
    fence = ""
    in_jira_block = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        raw = raw.rstrip()
        if fence:
            lines.append(_Line(raw, "code", raw))
            if raw.strip().startswith(fence):
                fence = ""
            continue
        blocks = len(_JIRA_BLOCK.findall(raw))
        if in_jira_block or blocks:
            lines.append(_Line(raw, "code", raw))
            if blocks % 2:
                in_jira_block = not in_jira_block
            continue
        opening = _FENCE.match(raw)
        if opening:
            fence = opening.group(1)
            lines.append(_Line(raw, "code", raw))
            continue
        if not raw.strip():
            lines.append(_Line(raw, "blank"))
            continue
        panel = _PANEL.match(raw) if jira else None
        if panel is not None:
            # The panel's title names its section; a panel's end (or an untitled one)
            # ends the section before it.
            title = _PANEL_TITLE.search(panel.group("params") or "")
            name = title.group("title").strip() if title else ""
            lines.append(_Line(raw, "heading", name, section_kind(name) if name else ""))
            continue
        if _UNDERLINE.match(raw) and not (jira and raw.strip().count("-") < 4):
            previous = lines[-1] if lines else None
            if not jira and previous is not None and previous.kind in ("text", "label"):
                # Setext: the line above is a heading ("Acceptance criteria" over "---").
                name = previous.text.rstrip(":")
                lines[-1] = _Line(previous.raw, "heading", name, section_kind(name))
                lines.append(_Line("", "blank"))  # the underline is the heading's
            else:
                lines.append(_Line(raw, "blank"))  # a rule: Markdown "---", Jira "----"
            continue
        if raw.lstrip().startswith("|"):
            lines.append(_row(raw, jira, lines))
            continue
        heading = _JIRA_HEADING.match(raw) if jira else _MD_HEADING.match(raw)
        if heading is None and not jira:
            heading = _JIRA_HEADING.match(raw)
        if heading is not None:
            name = heading.group(2)
            lines.append(_Line(raw, "heading", name, section_kind(name)))
            continue
        bold = _BOLD_LINE.match(raw)
        if bold is not None:
            name = bold.group(2)
            lines.append(_Line(raw, "heading", name, section_kind(name)))
            continue
        item = (_JIRA_ITEM if jira else _ITEM).match(raw)
        if item is not None:
            body = _TASK.sub("", item.group("text")).strip()
            indent = (
                len(item.group("indent").expandtabs(4))
                + (len(item.group("marker")) - 1 if jira else 0) * 2
            )
            label = _label(body)
            if label is not None and label[0] in _LISTED_KINDS:
                # "- Definition of done: behind a flag": a one-item section inside a list.
                lines.append(_Line(raw, "label", body, label[0], label[1], indent, listed=True))
            else:
                lines.append(_Line(raw, "item", body, indent=indent))
            continue
        label = _label(raw.strip())
        if label is not None and label[0]:
            lines.append(_Line(raw, "label", raw.strip(), label[0], label[1]))
            continue
        lines.append(_Line(raw, "text", raw.strip(), indent=len(raw) - len(raw.lstrip())))
    return _named_lists(lines)


_TABLE_RULE = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?$")
_NUMBERING = re.compile(r"#|\d{1,3}[.)]?")


def _row(raw: str, jira: bool, lines: list[_Line]) -> _Line:
    """A table row: a "row" (its cells as one entry: a criterion per row), or a "head"
    (a header row, Jira `||h||`, or a Markdown one above its `|---|` rule)."""
    if _TABLE_RULE.match(raw):
        if lines and lines[-1].kind == "row":
            lines[-1] = _Line(lines[-1].raw, "head")
        return _Line(raw, "head")
    if jira and raw.lstrip().startswith("||"):
        return _Line(raw, "head")
    cells = [cell.strip() for cell in _cells(raw.strip()) if cell.strip()]
    # A numbering column ("1", "#") is the table's, not the criterion's.
    kept = [cell for cell in cells if not _NUMBERING.fullmatch(cell)]
    if not kept and len(cells) > 1:
        kept = cells[1:]  # "|1|24|": the criterion itself is a number
    return _Line(raw, "row", "; ".join(kept))


def _cells(row: str) -> list[str]:
    """A table row's cells: split at each `|` outside code (`{{a|b}}`, `` `a|b` ``) and
    not escaped (`\\|`)."""
    cells: list[str] = []
    current: list[str] = []
    index = 0
    code = ""  # the closing of the code span we are in
    while index < len(row):
        char = row[index]
        if code:
            if row.startswith(code, index):
                current.append(code)
                index += len(code)
                code = ""
                continue
        elif char == "\\" and row.startswith("\\|", index):
            current.append("|")
            index += 2
            continue
        elif row.startswith("{{", index):
            code = "}}"
        elif char == "`":
            code = "`"
            current.append(char)
            index += 1
            continue
        elif char == "|":
            cells.append("".join(current))
            current = []
            index += 1
            continue
        current.append(char)
        index += 1
    cells.append("".join(current))
    return cells


def _named_lists(lines: list[_Line]) -> list[_Line]:
    """A line that is only a section's name, right above a list ("Acceptance criteria"
    then "# one"), labels that list as "Acceptance criteria:" would."""
    for number, line in enumerate(lines[:-1]):
        if (
            line.kind == "text"
            and not line.indent
            and lines[number + 1].kind == "item"
            and section_kind(line.text) in _LISTED_KINDS
        ):
            lines[number] = _Line(line.raw, "label", line.text, section_kind(line.text))
    return lines


def _label(text: str) -> tuple[str, str] | None:
    """(kind, rest) when `text` starts with a known section label, else None."""
    match = _LABEL.match(text)
    if match is None:
        return None
    has_colon = bool(match.group("colon") or match.group("colon2") or match.group("colon3"))
    opened = bool(match.group("open"))
    if not (has_colon or opened):
        return None
    kind = section_kind(match.group("name"))
    if not kind:
        return None
    rest = match.group("rest").strip()
    if not has_colon and kind != "done":
        # "*Given* a valid event": bold words that are not a label; only "*Done when* ..."
        # reads as one without a colon.
        return None
    if kind == "done" and not has_colon:
        name = match.group("name").strip().casefold()
        if not name.endswith("when"):
            return None
        rest = f"{match.group('name').strip()} {rest}".strip()
    return kind, rest


def _past_blanks(lines: list[_Line], blank: int) -> int:
    """The index of the first line after `lines[blank]` that is not blank (or the end).
    Callers ask once per run of blank lines (a run of thousands stays linear)."""
    after = blank + 1
    while after < len(lines) and lines[after].kind == "blank":
        after += 1
    return after


def _list_goes_on(lines: list[_Line], blank: int, indent: int) -> bool:
    """Whether a list goes on after the blank line `lines[blank]`: another item (or code
    inside an item) follows, or a paragraph indented under the items (past `indent`, the
    items' own) that more items follow (an item's second paragraph). Any other paragraph
    (prose, a label) ends the list: "See the runbook" after a definition of done is the
    notes', not a line of it."""
    after = _past_blanks(lines, blank)
    if after == len(lines):
        return False
    first = lines[after]
    if first.kind in ("item", "code", "row", "head") or (first.kind == "label" and first.listed):
        return True  # (a table after the list: its rows are criteria too, as before)
    if first.indent <= indent or first.kind not in ("text", "label"):
        return False
    # The indented paragraph's end: an item right after it keeps the list going.
    end = after
    while end < len(lines) and lines[end].kind in ("text", "label"):
        end += 1
    while end < len(lines) and lines[end].kind == "blank":
        end += 1
    return end < len(lines) and lines[end].kind == "item"


def _items(lines: list[_Line]) -> list[str]:
    """A section body as entries: list items (with their continuation lines), else
    paragraphs. A list ends at a blank line that a paragraph of its own follows
    (`_list_goes_on`)."""
    entries: list[str] = []
    has_items = any(line.kind in ("item", "row") for line in lines)
    current: list[str] = []
    base_indent: int | None = None
    decided_until = 0  # blank lines before this index: the list goes on past them
    for number, line in enumerate(lines):
        if line.kind == "label" and line.listed:
            line = _Line(line.raw, "item", line.text, indent=line.indent)
        elif line.kind == "row":
            line = _Line(line.raw, "item", line.text)  # a table row: one entry
        if line.kind == "item":
            if base_indent is None:
                base_indent = line.indent
            if line.indent > base_indent and current:
                current.append(line.text)  # a nested item belongs to its parent criterion
                continue
            if current:
                entries.append(" ".join(current))
            current = [line.text] if line.text else []
        elif line.kind == "blank":
            if not has_items and current:
                entries.append(" ".join(current))
                current = []
            elif has_items and current and number >= decided_until:
                if not _list_goes_on(lines, number, base_indent or 0):
                    break  # prose after the list: not part of its last entry
                decided_until = _past_blanks(lines, number)  # (the same for the whole run)
        elif line.kind == "code":
            continue
        elif line.kind in ("text", "label"):
            if has_items and not current:
                continue  # prose before the list: an intro line, not a criterion
            starts = number == 0 or lines[number - 1].kind == "blank"
            if entries and starts and _OTHER_LABEL.match(line.text):
                break  # "Design: https://...": a paragraph of its own after the section
            current.append(line.text)
    if current:
        entries.append(" ".join(current))
    kept = (" ".join(entry.split()) for entry in entries)
    return [entry for entry in kept if entry and not _placeholder(entry)]


# What a form writes in a section nobody filled in (GitHub issue forms: "_No response_").
_PLACEHOLDERS = frozenset(
    {"none", "n/a", "na", "tbd", "tbc", "todo", "-", "--", "...", "…", "?", "no response"}
)


def _placeholder(text: str) -> bool:
    """True for a section left unfilled: "_No response_", "N/A", "TBD", "-"."""
    return text.strip().strip("*_`").strip().rstrip(".").casefold() in _PLACEHOLDERS


def _block_text(lines: list[_Line]) -> str:
    """A section body as written, blank lines at the ends trimmed."""
    text = "\n".join(line.raw for line in lines).strip("\n")
    return "" if _placeholder(text) else text[:_LIMIT]


def _gwt(lines: list[_Line]) -> list[str]:
    """Given/When/Then scenarios outside any section, one entry each."""
    scenarios: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        text = line.text if line.kind in ("item", "text") else ""
        if text and _GIVEN.match(text):
            current = [text]
            scenarios.append(current)
        elif (current is not None and line.kind == "text" and text) or (
            current is not None
            and line.kind == "item"
            and re.match(r"(?:\*\*|\*)?(?:when|then|and)\b", text, re.I)
        ):
            current.append(text)
        else:
            current = None
    joined = [" ".join(" ".join(parts).split()) for parts in scenarios]
    return [scenario for scenario in joined if _THEN.search(scenario)]


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    blocks: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        if line.kind == "blank":
            if current:
                blocks.append(current)
                current = []
            continue
        if current and (line.kind == "code") != (current[-1].kind == "code"):
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _contract_lines(lines: list[_Line]) -> str:
    """The contract where it stands under another section ("Context: ... exposes
    `GET /invoices.csv?month=`"), when the spec has no section and no paragraph of its own
    for it: the lines the readiness evidence marks "met" for the contract (an endpoint, a
    JSON line, an API description named), and the code blocks holding one, in order. So
    the handoff shows the contract the room saw found."""
    parts: list[str] = []
    for paragraph in _paragraphs(lines):
        raws = "\n".join(line.raw for line in paragraph)
        if paragraph[0].kind == "code":
            if _ENDPOINT.search(raws) or _JSON_LINE.search(raws) or _JSON_FENCE.search(raws):
                parts.append(raws.strip("\n"))
            continue
        for line in paragraph:
            if line.kind == "heading":
                continue
            # A label's sentence without its label, a list item without its marker (the
            # same in every dialect: "# x" in Jira, "- x" in Markdown).
            text = {"label": line.rest, "item": line.text, "row": line.text}.get(
                line.kind, line.raw
            )
            if _JSON_LINE.search(text):
                parts.append(text.strip())
            elif _ENDPOINT.search(text) or _API_DOC.search(text):
                # Only the sentences that state it: the rest is the context's prose.
                sentences = _SENTENCE_END.split(text.strip())
                parts.append(
                    " ".join(
                        sentence
                        for sentence in sentences
                        if _ENDPOINT.search(sentence) or _API_DOC.search(sentence)
                    )
                )
    return "\n\n".join(parts)[:_LIMIT]


def _reviewer(text: str) -> tuple[str, str]:
    """(who, the line naming them) for a named reviewer, else ("", "")."""
    if "review" not in text.casefold():
        return "", ""
    for pattern in (_REVIEWER, _REVIEWS):
        for match in pattern.finditer(text):
            who = match.group("who").strip()
            first = who.split()[0]
            if first in _NOT_NAMES:
                continue
            if " " in who and who.split()[1] in _NOT_NAMES:
                who = first
            if who.startswith("[~"):
                who = "@" + who[2:-1]
            if who.startswith("@"):
                who = who.rstrip(".")  # "reviewed by @priyar." ends a sentence
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            return who, text[start : end if end != -1 else len(text)].strip()
    return "", ""


@lru_cache(maxsize=4096)
def find_spec(description: str, markup: str = "") -> Spec:
    """Every part of a spec that `description` already writes down.

    Args:
        description: the item's description in its tracker's markup.
        markup: that markup, as the source says it (`Item.markup`: "jira" or
            "markdown"); "" judges the text by its looks (`looks_like_jira`).

    Returns:
        The parts found (empty ones are "" or ()); cached, as descriptions repeat
        across the plan writer, the screens and the exports.
    """
    if not description.strip():
        return Spec()
    lines = _classify(description, is_jira(description, markup))
    sections: dict[str, list[list[_Line]]] = {}
    found: dict[str, str] = {}
    outside: list[_Line] = []  # lines under no known section
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.kind == "heading":
            end = index + 1
            while end < len(lines) and lines[end].kind != "heading":
                nxt = lines[end]
                if (
                    nxt.kind == "label"
                    and nxt.section != line.section
                    and (not nxt.listed or not line.section)
                ):
                    break  # a known label opens its section (under an unknown heading
                    # even as a list item: "## Details" then "- Acceptance criteria:")
                end += 1
            body = lines[index + 1 : end]
            if line.section:
                sections.setdefault(line.section, []).append(body)
                found.setdefault(line.section, line.raw.strip())
            else:
                outside.extend(body)
            index = end
            continue
        if line.kind == "label" and line.section:
            body = [_Line(line.rest, "text", line.rest)] if line.rest else []
            end = index + 1
            if line.listed and not line.rest:
                # "- **Acceptance criteria:**" then its own nested list.
                while end < len(lines):
                    nxt = lines[end]
                    if nxt.kind == "blank":
                        after = next((x for x in lines[end + 1 :] if x.kind != "blank"), None)
                        if after is None or after.indent <= line.indent:
                            break
                    elif nxt.kind == "heading" or nxt.indent <= line.indent:
                        break
                    body.append(nxt)
                    end += 1
            elif line.rest:
                # The label's own sentence and the lines that continue it (not a line
                # of its own: "Reviewed by @mchen", "Design: https://...").
                while (
                    end < len(lines)
                    and lines[end].kind == "text"
                    and (not line.indent or lines[end].indent)
                    and not _OWN_LINE.match(lines[end].text)
                ):
                    body.append(lines[end])
                    end += 1
                # "Definition of done: all of" right above its list: the list is the
                # section's (its sentence an intro line), up to the list's end.
                if not line.listed and end < len(lines) and lines[end].kind == "item":
                    list_indent = lines[end].indent
                    while end < len(lines):
                        nxt = lines[end]
                        if nxt.kind == "heading" or (nxt.kind == "label" and nxt.section):
                            break
                        if nxt.kind == "blank":
                            if not _list_goes_on(lines, end, list_indent):
                                break
                            past = _past_blanks(lines, end)  # the run at once
                            body.extend(lines[end:past])
                            end = past
                            continue
                        body.append(nxt)
                        end += 1
            else:
                # "Acceptance criteria:" then its list: up to a blank line before prose.
                while end < len(lines):
                    nxt = lines[end]
                    if nxt.kind == "heading" or (nxt.kind == "label" and nxt.section):
                        break
                    if nxt.kind == "blank":
                        listed = next((x for x in body if x.kind in ("item", "row")), None)
                        past = _past_blanks(lines, end)  # the run at once
                        if listed is not None:
                            # The list so far goes on, or a paragraph of its own ends it.
                            if not _list_goes_on(lines, end, listed.indent):
                                break
                        elif past == len(lines) or lines[past].kind not in (
                            "item",
                            "code",
                            "row",
                            "head",
                        ):
                            break
                        body.extend(lines[end:past])
                        end = past
                        continue
                    body.append(nxt)
                    end += 1
            sections.setdefault(line.section, []).append(body)
            found.setdefault(line.section, line.raw.strip())
            index = end
            continue
        outside.append(line)
        index += 1

    def entries(kind: str) -> list[str]:
        result: list[str] = []
        for body in sections.get(kind, []):
            result.extend(_items(body))
        return result

    def block(kind: str) -> str:
        return "\n\n".join(text for body in sections.get(kind, []) if (text := _block_text(body)))

    acceptance = entries("acceptance")
    if not acceptance:
        acceptance = _gwt(outside)
        if acceptance:
            opening = acceptance[0].split()[:2]
            found["acceptance"] = next(
                (line.raw.strip() for line in outside if line.text.split()[:2] == opening),
                acceptance[0],
            )
    if not acceptance:
        tasks = [
            line
            for line in outside
            if line.kind == "item" and _TASK.match(line.raw.lstrip("-*+ \t"))
        ]
        acceptance = _items(tasks)
        if acceptance:
            found["acceptance"] = tasks[0].raw.strip()
    done = entries("done")
    if not done:
        match = None
        for paragraph in _paragraphs(outside):
            prose = " ".join(line.text for line in paragraph if line.kind in ("text", "item"))
            match = _DONE_WHEN.search(prose)
            if match is not None:
                break
        if match is not None:
            sentence = re.sub(
                r"(?:\*\*|\*|_)(done|shipped|finished) when(?:\*\*|\*|_)",
                r"\1 when",
                match.group(0).strip(),
                flags=re.I,
            )
            done = [sentence]
            found["done"] = sentence
    contract = block("contract")
    if not contract:
        parts: list[str] = []
        for paragraph in _paragraphs(outside):
            raws = "\n".join(line.raw for line in paragraph)
            if paragraph[0].kind == "code" or _ENDPOINT.search(raws) or _JSON_LINE.search(raws):
                parts.append(raws.strip("\n"))
        contract = "\n\n".join(parts)[:_LIMIT]
        if not contract:
            contract = _contract_lines(lines)
        if contract:
            found["contract"] = contract.splitlines()[0].strip()
    context = block("context")
    if not context:
        first = next(
            (p for p in _paragraphs(lines) if all(line.kind == "text" for line in p)), None
        )
        # The opening paragraph, when it opens the description (not prose under "Options"),
        # says something (not "Input message:") and is not the contract itself.
        if (
            first is not None
            and first[0] is next(x for x in lines if x.kind != "blank")
            and not (len(first) == 1 and first[0].text.endswith(":"))
            and not _ENDPOINT.search(" ".join(line.text for line in first))
        ):
            context = " ".join(line.text for line in first)
    reviewer = ""
    for body in sections.get("reviewer", []):
        names = _items(body)
        if names:
            who, _ = _reviewer("Reviewer: " + names[0])
            reviewer = who or ""
            if reviewer:
                break
    if not reviewer:
        reviewer, line_found = _reviewer(description)
        if reviewer:
            found["reviewer"] = line_found
    else:
        found.setdefault("reviewer", reviewer)
    return Spec(
        context=context[:_LIMIT],
        scope=block("scope"),
        contract=contract,
        acceptance=tuple(acceptance),
        done=tuple(done),
        out_of_scope=tuple(entries("out_of_scope")),
        reviewer=reviewer,
        found=found,
    )
