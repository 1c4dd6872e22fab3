"""Hiring problem or project delivery: the DOMAIN.md signals as questions, and a suggestion engine."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

from triage_tui.core.model import Item
from triage_tui.core.sanitize import clean_line
from triage_tui.core.session import Category
from triage_tui.core.suggest_data import (
    HIRING_TERMS,
    PARK_TERMS,
    PARK_TITLE_STARTS,
    PROJECT_TERMS,
    PROJECT_TITLE_STARTS,
    VAGUE_TITLE_WORDS,
)


@dataclass(frozen=True, slots=True)
class Question:
    """One signal from DOMAIN.md, asked of an item as a yes/no question.

    Attributes:
        key: stable id, stored in `Decision.signals` when the room answers yes.
        text: the question as the room reads it.
        points_to: the category a "yes" argues for.
    """

    key: str
    text: str
    points_to: Category


#: DOMAIN.md, "Hiring problem: needs long-term embedded ownership".
OWNERSHIP_QUESTIONS: tuple[Question, ...] = (
    Question(
        "compounding_architecture",
        "Does it involve architecture decisions that compound over years?",
        Category.HIRING,
    ),
    Question(
        "institutional_knowledge",
        "Does it need institutional knowledge that only builds up by being deep in "
        "one codebase for a long time?",
        Category.HIRING,
    ),
    Question(
        "production_accountability",
        "Does someone have to be accountable for its production behaviour day to day "
        "(on-call, reliability ownership)?",
        Category.HIRING,
    ),
)

#: DOMAIN.md, "Project-delivery problem: a defined scope and a finish line".
SCOPE_QUESTIONS: tuple[Question, ...] = (
    Question(
        "finish_line",
        "Does it have a beginning, a middle and an end?",
        Category.PROJECT,
    ),
    Question(
        "deliverable_kind",
        "Is it a service to build, an integration on the roadmap, a migration that needs "
        "to happen, or a component blocking other items?",
        Category.PROJECT,
    ),
    Question(
        "no_payroll",
        "Can it succeed without anyone on the payroll for it in three years?",
        Category.PROJECT,
    ),
)

#: Every question, ownership first (the order the categorize screen shows them).
ALL_QUESTIONS: tuple[Question, ...] = OWNERSHIP_QUESTIONS + SCOPE_QUESTIONS

QUESTIONS_BY_KEY: dict[str, Question] = {question.key: question for question in ALL_QUESTIONS}

#: The question keys in screen order (a suggestion lists the room's ticks in this order).
ALL_KEYS: tuple[str, ...] = tuple(QUESTIONS_BY_KEY)


def lean_from_signals(keys: Iterable[str]) -> Category:
    """The category the room's ticked signals lean to (UNDECIDED on a tie or none).

    Args:
        keys: question keys the room answered yes (`Decision.signals`); unknown keys
            are ignored.
    """
    hiring = project = 0
    for key in keys:
        question = QUESTIONS_BY_KEY.get(key)
        if question is None:
            continue
        if question.points_to is Category.HIRING:
            hiring += 1
        else:
            project += 1
    if hiring > project:
        return Category.HIRING
    if project > hiring:
        return Category.PROJECT
    return Category.UNDECIDED


#: Short names of the six questions, for a reason that says what the room ticked.
SIGNAL_NAMES: dict[str, str] = {
    "compounding_architecture": "architecture that compounds",
    "institutional_knowledge": "institutional knowledge",
    "production_accountability": "accountable for production",
    "finish_line": "a beginning, middle and end",
    "deliverable_kind": "a service, integration, migration or blocker",
    "no_payroll": "no payroll needed in three years",
}


class Hit(NamedTuple):
    """One word or phrase that moved the suggestion.

    Attributes:
        word: the text as it appears in the item (first occurrence).
        points_to: HIRING, PROJECT or PARKED.
        where: "title", "labels", "description", "type" or "room" (the strongest field
            it was found in; "room" for a signal question the room ticked).
    """

    word: str
    points_to: Category
    where: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Advice for the room: a category and the words that led to it.

    Attributes:
        category: HIRING, PROJECT, PARKED (vague, a question, exploratory) or UNDECIDED
            (nothing to go on, or signals that conflict).
        reason: one readable sentence quoting the deciding words.
        hits: every matched word, strongest first (deciding side first).
        project_score: weighted evidence for a project.
        hiring_score: weighted evidence for ownership.
        park_score: weighted evidence that the item is not yet decidable.
        open_question: for PARKED (and conflicting) items, a drafted open question the
            room can keep or edit; "" otherwise.
        conflict: the text argues both ways strongly enough that the engine will not pick.
        ignored: hits found only in text the engine does not read as the item's scope
            (an out-of-scope / non-goals section, quoted code), for the reason to name.
        signals: the room's ticked question keys this suggestion took into account.
    """

    category: Category
    reason: str
    hits: tuple[Hit, ...] = ()
    project_score: int = 0
    hiring_score: int = 0
    park_score: int = 0
    open_question: str = ""
    conflict: bool = False
    ignored: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()


#: How much a word counts in each field: the title is what the room reads first.
FIELD_WEIGHTS: dict[str, int] = {"title": 3, "labels": 2, "description": 1}

#: A reason names at most this many words per side; the rest are counted.
MAX_NAMED = 4

#: Points one ticked signal question adds to its side: the room outweighs the text.
ROOM_WEIGHT = 8

#: Text evidence this strong on the other side is not overturned by a single tick.
STRONG_TEXT = 12


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation factored as a trie: the engine tries one branch per letter
    instead of every phrase in turn (the title's opening words)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        end = "" in node
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(root)


#: Punctuation read as a space between words ("-" and "'" stay: "on-call", "don't").
_PUNCTUATION = str.maketrans(
    {char: " " for char in '!"#$%&()*+,./:;<=>?@[\\]^_`{|}~“”«»—–…•·→←|'} | {"’": "'"}
)
_ASCII_PUNCTUATION = b'!"#$%&()*+,./:;<=>?@[\\]^_`{|}~'
#: `_PUNCTUATION` for ASCII text, as bytes: five times faster than str.translate's dict.
# "\x1c".."\x1f" too: str.split() breaks on them, bytes.split() does not.
_ASCII_SPACES = bytes.maketrans(
    _ASCII_PUNCTUATION + b"\x1c\x1d\x1e\x1f", b" " * (len(_ASCII_PUNCTUATION) + 4)
)

# The three sides a word argues for, as list positions: a dict keyed by a Category (an
# Enum, hashed by a Python-level __hash__) costs a call per lookup, many per item.
_P, _H, _K = 0, 1, 2
_SIDES = (Category.PROJECT, Category.HIRING, Category.PARKED)
_SIDE_OF = {category: side for side, category in enumerate(_SIDES)}


def _stem(term: str) -> str:
    """The form a term counts once under per field ("webhooks" and "webhook" are one)."""
    return term[:-1] if len(term) > 3 and term[-1] == "s" else term


class _Lexicon:
    """Every term of suggest_data, looked up by word.

    A text is lowercased, its punctuation turned to spaces and split (all in C); one set
    intersection finds the words that are a term or a phrase's key word. Only then are
    phrases confirmed, longest first, so "long-term owner" counts once, not also as
    "long-term".
    """

    def __init__(self) -> None:
        #: term -> (side: _P, _H or _K, weight).
        self.terms: dict[str, tuple[int, int]] = {}
        for side, table in ((_P, PROJECT_TERMS), (_H, HIRING_TERMS), (_K, PARK_TERMS)):
            for weight, words in table.items():
                for word in words:
                    self.terms[word] = (side, weight)
        self.single = {term: entry for term, entry in self.terms.items() if " " not in term}
        phrases: dict[str, list[str]] = {}
        for term in self.terms:
            if " " in term:
                # Keyed by its longest word, the rarest in prose: "for years" is looked
                # for only where "years" is, not wherever "for" is.
                phrases.setdefault(max(term.split(), key=len), []).append(term)
        #: key word -> its phrases, longest first, each with the spaces it is found between.
        self.phrases = {
            first: tuple((phrase, f" {phrase} ") for phrase in sorted(found, key=len, reverse=True))
            for first, found in phrases.items()
        }
        self.starts = frozenset(self.single) | frozenset(self.phrases)
        #: term -> (its stem: one per field, "webhooks" is "webhook"; side; weight).
        self.info = {
            term: (_stem(term), side, weight) for term, (side, weight) in self.terms.items()
        }


_LEXICON = _Lexicon()
_STARTS, _SINGLE, _PHRASES, _INFO = (
    _LEXICON.starts,
    _LEXICON.single,
    _LEXICON.phrases,
    _LEXICON.info,
)


def _key_table(encode: bool) -> dict[Any, tuple[str, tuple[tuple[str, str], ...] | None, bool]]:
    """Each word a lexicon lookup starts from (a term, or a phrase's key word), as a
    split gives it (bytes for ASCII text, `encode`), -> (the word, its phrases longest
    first each with the spaced form looked for in the joined words, or None; whether
    the word alone is a term)."""
    return {
        word.encode() if encode else word: (word, _PHRASES.get(word), word in _SINGLE)
        for word in _STARTS
    }


#: `_key_table` for ASCII text split as bytes (no str per word: a third cheaper) and for
#: the rest split as str.
_ASCII_KEYS = _key_table(encode=True)
_TEXT_KEYS = _key_table(encode=False)
_ASCII_STARTS = frozenset(_ASCII_KEYS)
_TEXT_STARTS = frozenset(_TEXT_KEYS)

# A named technology with a version is a migration or upgrade target ("Postgres 16").
_VERSIONED = re.compile(
    r"(?<![\w-])(?:postgres(?:ql)?|mysql|python|node(?:\.js)?|django|rails|ruby|java|php|go|"
    r"kubernetes|k8s|elasticsearch|opensearch|redis|kafka|terraform|ubuntu|debian|react|"
    r"spring boot|laravel|\.net|mongodb|angular|vue|next\.js)\s?v?\d+(?:\.\d+)*"
)  # matched against lowercased text
_DIGIT = re.compile(r"\d")
# What every _VERSIONED match ends with (each name ends in an ASCII letter): a title with
# digits but none right after a letter ("Split the importer (12)") skips the alternation.
# `[a-z]\s?v?\d` ("v" is a letter too), written to start at a digit: the regex engine
# then skips to digits instead of trying every letter (twice as fast on a title).
_VERSION_HINT = re.compile(r"\d(?:(?<=[a-z]\d)|(?<=[a-z]\s\d))")
#: For ASCII text, cheaper than _VERSION_HINT's search: a-z read as "a", digits as "0",
#: what `\s` matches as " ", the rest as "."; the text so read holds "a0" or "a 0"
#: exactly where _VERSION_HINT finds a match.
_HINT_CLASSES = bytes(
    ord(
        "a"
        if 0x61 <= byte <= 0x7A
        else "0"
        if 0x30 <= byte <= 0x39
        else " "
        if byte in b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
        else "."
    )
    for byte in range(256)
)
# "3.2 -> 4.2", "12 to 16", "v1 → v2": moving from one version to another.
_VERSION_STEP = re.compile(r"\bv?\d+(?:\.\d+)*\s*(?:->|→|to)\s*v?\d+(?:\.\d+)*\b")
# An HTTP verb and a path is an endpoint to build; case-sensitive so prose "get" is not.
_HTTP = re.compile(r"(?<![\w-])(?:GET|POST|PUT|PATCH|DELETE) /[\w/{}:.\-]*")
# "keep the SDKs current", "keeps it secure": the recurring care DOMAIN.md calls ownership.
_KEEP = re.compile(
    r"(?<![\w-])keep(?:s|ing)?\s+(?:[\w'-]+\s+){0,5}?"
    r"(?:current|healthy|patched|coherent|secure|up to date|up-to-date|in check|running)\b",
    re.IGNORECASE,
)
# "maintain the health of ...": ownership whatever the object.
_MAINTAIN_HEALTH = re.compile(r"\bmaintain\w*\s+(?:the\s+)?health\b", re.IGNORECASE)

# Quoted code: a reason never comes from a log line or a config file.
_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_JIRA_BLOCK = re.compile(r"\{(code|noformat|quote)(?::[^}]*)?\}.*?(?:\{\1\}|\Z)", re.S | re.I)
_INLINE_CODE = re.compile(r"\{\{.*?\}\}|`[^`\n]*`")

# "## Out of scope", "h2. Non-goals", "**Not in scope**", "Out of scope:": a section that
# says what the item is NOT; its words must not decide what the item is.
_OUT_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*|h[1-6]\.[ \t]*|\*\*|\*|__)?"
    r"(?:out[ -]of[ -]scope|not in scope|non[- ]goals?|not (?:part of|doing|included)|"
    r"won'?t do|excluded|explicitly not)\b[^\n]*",
    re.I | re.M,
)
# A heading (Markdown, Jira wiki, a bold line, or a "Label:" line) ends the section.
_ANY_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+\S|h[1-6]\.[ \t]|\*\*[^*\n]+\*\*[ \t]*:?[ \t]*$|"
    r"[A-Z][\w /-]{1,40}:[ \t]*$)",
    re.M,
)


# The heading forms (or a bare "Out of scope:" label) whose section runs to the next heading.
_HEADING_LINE = re.compile(r"^(?:#{1,6}|h[1-6]\.|\*\*|__|\*)|:$")


_JIRA_HEADING = re.compile(r"^[ \t]*h[1-6]\.[ \t]", re.M)
_MARKDOWN_HEADINGS = {
    level: re.compile(rf"^[ \t]*#{{1,{level}}}[ \t]+\S", re.M) for level in range(1, 7)
}


def _section_end(heading: str) -> re.Pattern[str]:
    """What ends the section `heading` opens: in Jira wiki the next `hN.` ("#" is a
    numbered list there), in Markdown the next heading as high or higher, else any."""
    if heading[:1] in "hH" and heading[1:2].isdigit():
        return _JIRA_HEADING
    if heading.startswith("#"):
        return _MARKDOWN_HEADINGS[min(6, len(heading) - len(heading.lstrip("#")))]
    return _ANY_HEADING


def _set_aside(pattern: re.Pattern[str], text: str, aside: list[str]) -> str:
    """`pattern.sub("\\n", text)`, each match appended to `aside`: one pass of the regex
    (its matches never empty, so they are the ones `sub` replaces)."""
    parts: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        aside.append(match.group())
        parts.append(text[position : match.start()])
        parts.append("\n")
        position = match.end()
    if not parts:
        return text
    parts.append(text[position:])
    return "".join(parts)


def _prose(description: str) -> tuple[str, str, str]:
    """(text that states the item, text set aside: out-of-scope sections and code, the
    first text lowercased).

    Cheap when there is nothing to strip: each rule runs only if its marker is present.
    """
    text = description
    aside: list[str] = []
    # Each marker is looked for only where its first character is (one memchr): most
    # descriptions hold no backtick, tilde or brace at all.
    if ("`" in text and "```" in text) or ("~" in text and "~~~" in text):
        text = _set_aside(_FENCE, text, aside)
    if "{" in text and ("{code" in text or "{noformat" in text or "{quote" in text):
        text = _set_aside(_JIRA_BLOCK, text, aside)
    if "`" in text or ("{" in text and "{{" in text):
        text = _INLINE_CODE.sub(" ", text)
    lowered = text.lower()
    # Cheap test first: most descriptions name no out-of-scope section at all ("not in",
    # "not part", "not doing" and "not included" all hold "not ").
    if (
        "scope" in lowered
        or "goal" in lowered
        or (
            "not " in lowered
            and ("not in" in lowered or "not part" in lowered or "not doing" in lowered)
        )
        or "won" in lowered
        or "exclu" in lowered
        or "explicitly" in lowered
    ):
        parts: list[str] = []
        position = 0
        for heading in _OUT_HEADING.finditer(text):
            if heading.start() < position:
                continue
            parts.append(text[position : heading.start()])
            line = heading.group().strip()
            following = _section_end(line).search(text, heading.end())
            end = following.start() if following else len(text)
            if not _HEADING_LINE.search(line):
                # "Out of scope: the admin UI." says it on its line: the section is that
                # paragraph, not the rest of the description.
                blank = text.find("\n\n", heading.end())
                if blank != -1:
                    end = min(end, blank)
            aside.append(text[heading.start() : end])
            position = end
        if position:
            parts.append(text[position:])
            text = "".join(parts)
            lowered = text.lower()
    return text, "\n".join(aside), lowered


#: How a word the item wrote is quoted in a reason, by the text as written (a small
#: vocabulary: the lexicon's words in the cases items write them). Cleared when full.
_QUOTED: dict[str, str] = {}
_QUOTED_MAX = 8192


def _quoted(written: str) -> str:
    word = _QUOTED.get(written)
    if word is None:
        word = written
        if not word.isprintable() or "  " in word:
            word = clean_line(" ".join(word.split()))
        if word[:1].isupper() and word[1:].islower() and word.replace("-", "").isalpha():
            word = word.lower()  # "Migrate" opening a title reads better as 'migrate'
        if len(_QUOTED) >= _QUOTED_MAX:
            _QUOTED.clear()
        _QUOTED[written] = word
    return word


#: Hit((word, points_to, where)) without the Python-level NamedTuple.__new__.
_hit = partial(tuple.__new__, Hit)


class _Tally:
    """Scores and first-seen words for one item (Hits are made only for the reason).

    Fields are read strongest first (room, title, type, labels, description), so each
    side's words are already in the order a reason names them.
    """

    __slots__ = ("found", "made", "score", "seen")

    def __init__(self) -> None:
        self.score = [0, 0, 0]  # by side: _P, _H, _K
        self.found: tuple[dict[str, tuple[str, str]], ...] = ({}, {}, {})
        self.seen: set[tuple[str, str]] = set()
        self.made: list[list[tuple[str, str]] | None] = [None, None, None]

    def add(self, term: str, written: str, side: int, points: int, where: str) -> None:
        # Each term counts once per field: a description repeating "migrate" ten times is
        # no more a project than one that says it once. "webhooks" and "webhook" are one.
        stem = term[:-1] if len(term) > 3 and term[-1] == "s" else term  # _stem, inlined
        key = (stem, where)
        if key in self.seen:
            return
        self.seen.add(key)
        self.score[side] += points
        found = self.found[side]
        if stem not in found:
            found[stem] = (written, where)

    def hits(self, side: int) -> list[Hit]:
        """The side's words as Hits, strongest field first, as the item writes them."""
        category = _SIDES[side]
        return [_hit((word, category, where)) for word, where in self.named(side)]

    def named(self, side: int) -> list[tuple[str, str]]:
        """The side's words as (word as quoted, field), strongest field first: what a
        reason names (made once, when a reason first asks; not to be changed)."""
        made = self.made[side]
        if made is None:
            made = self.made[side] = self._named(side)
        return made

    def _named(self, side: int) -> list[tuple[str, str]]:
        found = self.found[side]
        if not found:
            return []
        quoted = _QUOTED.get
        named = []
        spaced = False
        for written, where in found.values():
            word = quoted(written) or _quoted(written)
            if " " in word:
                spaced = True
            named.append((word, where))
        if not spaced or len(named) == 1:
            return named
        # 'maintain' and 'health' add nothing beside 'Maintain the health'.
        phrases = [f" {word.lower()} " for word, _ in named if " " in word]
        if len(phrases) == 1:  # the usual case: no generator per word
            phrase = phrases[0]
            return [
                (word, where)
                for word, where in named
                if " " in word or f" {word.lower()} " not in phrase
            ]
        return [
            (word, where)
            for word, where in named
            if " " in word or not any(f" {word.lower()} " in phrase for phrase in phrases)
        ]


_TITLE_PREFIX = re.compile(
    r"^(?:[^\w\[(]+|\[[^\]]*\]\s*|\([^)]*\)\s*|"
    r"(?:bug|hotfix|fix|feature|feat|chore|task|story|epic|tech debt|security|"
    r"perf|p[0-3])\s*[:/-]\s*)+",
    re.I,
)
_PARK_START = re.compile(r"(?:" + _trie_pattern(PARK_TITLE_STARTS) + r")(?![\w])")
_PROJECT_START = re.compile(r"(?:" + _trie_pattern(PROJECT_TITLE_STARTS) + r")(?![\w])")


def _read_title(title: str, tally: _Tally) -> str:
    """Score what only a title can say; returns how it reads: "question", "explore",
    "vague" or ""."""
    stripped = title.strip()
    if not stripped[:1].isalnum() or ":" in stripped[:24] or "/" in stripped[:24]:
        prefix = _TITLE_PREFIX.match(stripped)
        if prefix and prefix.end() < len(stripped):
            stripped = stripped[prefix.end() :]
    lowered = stripped.lower()
    reads = ""
    weight = FIELD_WEIGHTS["title"]
    if stripped.rstrip().endswith("?"):
        tally.add("?", "?", _K, 4 * weight, "title")
        reads = "question"
    found = _PARK_START.match(lowered)
    park = found.group() if found else ""
    if park:
        explore = park not in ("improve", "better", "make", "faster", "speed up", "revamp")
        tally.add(park, stripped[: len(park)], _K, 3 * weight, "title")
        reads = reads or ("explore" if explore else "vague")
    else:
        # "Customer portal: let customers download ...": the verb after an area prefix.
        after, after_lowered = stripped, lowered
        if ": " in stripped:
            after = stripped.split(": ", 1)[1].lstrip()
            after_lowered = after.lower()
        found = _PROJECT_START.match(after_lowered)
        start = found.group() if found else ""
        if start:
            tally.add(start, after[: len(start)], _P, 3 * weight, "title")
    words = lowered.replace("?", " ").split()
    if 0 < len(words) <= 3 and words[-1] in VAGUE_TITLE_WORDS:
        # "Payments v2", "Notifications v2": a name and a version, nothing to finish.
        tally.add(words[-1], stripped.split()[-1], _K, 3 * weight, "title")
        reads = reads or "vague"
    # A hint implies a digit; a step needs one (lowercasing changes no digit).
    if lowered.isascii():
        classes = lowered.encode().translate(_HINT_CLASSES).decode()
        hint = "a0" in classes or "a 0" in classes
    else:
        hint = _VERSION_HINT.search(lowered) is not None
    step = "->" in lowered or "→" in lowered or " to " in lowered
    if hint or (step and _DIGIT.search(stripped)):
        patterns = [_VERSIONED] if hint else []
        if step:
            patterns.append(_VERSION_STEP)
        same = len(lowered) == len(stripped)
        for pattern in patterns:
            for match in pattern.finditer(lowered):
                written = stripped[match.start() : match.end()] if same else match.group()
                tally.add(match.group(), written, _P, 3 * weight, "title")
    if "/" in title:
        for match in _HTTP.finditer(title):
            tally.add(match.group(), match.group(), _P, 2 * weight, "title")
    return reads


def _read_text(text: str, lowered: str, where: str, tally: _Tally) -> None:
    """Score the lexicon's words in `text` (`lowered`: text.lower()) for field `where`."""
    weight = FIELD_WEIGHTS[where]
    # The hot path of `check --json` over a big export: C-level split and set lookups;
    # Python runs only for the few words that are in the lexicon (tally.add inlined).
    # ASCII text (nearly all) is split as bytes: no str object per word.
    if lowered.isascii():
        words: list[Any] = lowered.encode().translate(_ASCII_SPACES).split()
        present = _ASCII_STARTS.intersection(words)
        keys = _ASCII_KEYS
    else:
        words = lowered.translate(_PUNCTUATION).split()
        present = _TEXT_STARTS.intersection(words)
        keys = _TEXT_KEYS
    if present:
        joined = ""
        end = len(lowered)
        found: list[tuple[int, str]] = []
        for key in present:
            word, phrases, single = keys[key]
            if phrases is not None:
                if not joined:
                    # Phrases are looked for in str (`in` on bytes costs three times more).
                    joined = (
                        f" {' '.join(words)} "
                        if keys is _TEXT_KEYS
                        else (b" " + b" ".join(words) + b" ").decode()
                    )
                for phrase, spaced in phrases:
                    if spaced in joined:
                        word = phrase
                        break
                else:
                    if not single:
                        continue
            at = lowered.find(word)
            found.append((at if at >= 0 else end, word))
        # In text order (a set's order changes from run to run): the reason quotes the
        # words as the item reads, and the same item always gets the same reason.
        if len(found) > 1:
            found.sort()
        same = end == len(text)
        seen, score, sides = tally.seen, tally.score, tally.found
        for at, term in found:
            stem, side, points = _INFO[term]
            seen_key = (stem, where)
            if seen_key in seen:
                continue
            seen.add(seen_key)
            score[side] += points * weight
            side_found = sides[side]
            if stem not in side_found:
                # Quoted as the item writes it ('SSO', 'Acceptance criteria') where found as is.
                side_found[stem] = (text[at : at + len(term)] if same and at < end else term, where)
    add = tally.add
    if "keep" in lowered:
        for match in _KEEP.finditer(text):
            add("keep current", match.group(), _H, 4 * weight, where)
    if "health" in lowered:
        for match in _MAINTAIN_HEALTH.finditer(text):
            add("maintain health", match.group(), _H, 4 * weight, where)
    if where == "description" and "/" in text:
        for match in _HTTP.finditer(text):
            add(match.group(), match.group(), _P, 2, where)


def _read_labels(labels: Sequence[str], tally: _Tally) -> None:
    # Most labels are one word ("payments", "on-call"): a dict lookup each, no scan.
    single, weight = _LEXICON.single, FIELD_WEIGHTS["labels"]
    rest = []
    for label in labels:
        lowered = label.lower()
        entry = single.get(lowered)
        if entry is not None:
            tally.add(lowered, label, entry[0], entry[1] * weight, "labels")
        elif not lowered.isalpha():
            rest.append(label)
    if rest:
        joined = " ; ".join(rest)
        _read_text(joined, joined.lower(), "labels", tally)


#: A word a reason names: a Hit, or (word, field) (`_Tally.named`).
_Named = Sequence[tuple[Any, ...]]


def _quote(hits: _Named) -> str:
    named = "'" + "', '".join([hit[0] for hit in hits[:MAX_NAMED]]) + "'"
    more = len(hits) - MAX_NAMED
    return f"{named} and {more} more" if more > 0 else named


def _verb(hits: _Named) -> str:
    return "points" if len(hits) == 1 else "point"


def _suggests(hits: _Named) -> str:
    return "suggests" if len(hits) == 1 else "suggest"


def _open_question(title: str, reads: str, category: Category) -> str:
    """A drafted open question for a parked or conflicting item (the room edits it)."""
    name = clean_line(title).strip().rstrip("?").strip() or "this item"
    if category is not Category.PARKED:
        return (
            f"Is '{name}' a project with a finish line we can specify, or an area someone "
            "must own for years?"
        )
    if reads == "explore":
        return (
            f"What must we find out about '{name}' before we can decide, and who finds out by when?"
        )
    if reads == "question":
        return f"'{name}': do we want it, and what would done look like?"
    if reads == "vague":
        return f"What does '{name}' mean concretely: which outcome, measured how?"
    return f"What decision is missing for '{name}', and who makes it?"


def suggest(item: Item, signals: Iterable[str] = ()) -> Suggestion:
    """Suggest hiring / project / parked / undecided for one item, with the deciding words.

    The title counts three times, labels twice, the description once (FIELD_WEIGHTS);
    quoted code and out-of-scope / non-goals sections are not read as the item's scope.
    A project needs its evidence to outweigh ownership clearly (an ownership item is
    never worth handing to a contractor by mistake); vague, question-like or exploratory
    items are parked with a drafted open question; strong evidence both ways is a
    conflict the room settles. Each signal question the room ticked (`signals`, keys of
    QUESTIONS_BY_KEY) adds ROOM_WEIGHT to its side and the reason says so.

    Args:
        item: the backlog item.
        signals: question keys the room answered yes (`Decision.signals`).

    Returns:
        The suggestion; `reason` is one sentence naming the words.
    """
    tally, reads, ignored, ticked = _read(
        item.title, item.description, item.labels, item.type, signals
    )
    category, reason, conflict, reads_as = _decided(item.description, tally, reads, ignored, ticked)
    if category is Category.HIRING:
        order = (_H, _P, _K)
    elif category is Category.PARKED:
        order = (_K, _P, _H)
    else:
        order = (_P, _H, _K)
    score = tally.score
    return Suggestion(
        category,
        reason,
        tuple(hit for side in order for hit in tally.hits(side)),
        score[_P],
        score[_H],
        score[_K],
        _open_question(item.title, reads_as, category)
        if category is Category.PARKED or conflict
        else "",
        conflict,
        tuple(dict.fromkeys(hit[0] for hits in ignored.values() for hit in hits)),
        ticked,
    )


def suggest_reason(
    title: str, description: str = "", labels: Sequence[str] = (), kind: str = ""
) -> tuple[Category, str]:
    """`suggest(item)`'s category and reason alone, for `check` over a big export: the
    same engine on the four fields it reads (`kind`: the item's type), without building
    the item, nor the hits, scores and open question a reason does not name."""
    tally, reads, ignored, ticked = _read(title, description, labels, kind, ())
    category, reason, _conflict, _reads_as = _decided(description, tally, reads, ignored, ticked)
    return category, reason


#: `_decide`'s answers by what it reads (`_decided`); cleared when full: about 1 KB a
#: key, so at most ~4 MB. On the bench's 50,000-row exports 80-90% of the records find
#: their answer here; on the hand-written samples and fixtures, ~25%.
_DECIDED: dict[tuple[Any, ...], tuple[Category, str, bool, str]] = {}
_DECIDED_MAX = 4096


def _decided(
    description: str,
    tally: _Tally,
    reads: str,
    ignored: dict[Category, list[tuple[str, str]]],
    ticked: tuple[str, ...],
) -> tuple[Category, str, bool, str]:
    """`_decide(...)`, remembered by all it reads of its arguments: the scores, each side's
    words as written with their fields, how the title reads, the words set aside, the
    ticks, and whether the description is blank (read only when nothing else scored).

    Keyed by the words found, never by the item's text: two items with the same words in
    the same fields get the same sentence, which `_decide` would build again."""
    score, found = tally.score, tally.found
    project, hiring, park = score
    key = (
        reads,
        project,
        hiring,
        park,
        tuple(found[0].values()),
        tuple(found[1].values()),
        tuple(found[2].values()),
        ticked,
        not (project or hiring or park or reads or description.strip()),
        tuple(ignored.get(Category.HIRING, ())),
        tuple(ignored.get(Category.PROJECT, ())),
    )
    answer = _DECIDED.get(key)
    if answer is None:
        if len(_DECIDED) >= _DECIDED_MAX:
            _DECIDED.clear()
        answer = _DECIDED[key] = _decide(description, tally, reads, ignored, ticked)
    return answer


def _read(
    title: str, description: str, labels: Sequence[str], kind: str, signals: Iterable[str]
) -> tuple[_Tally, str, dict[Category, list[tuple[str, str]]], tuple[str, ...]]:
    """Every field scored: (tally, how the title reads, words set aside by side, the
    room's ticked keys in screen order)."""
    tally = _Tally()
    ticked: tuple[str, ...] = ()
    if signals:
        chosen = set(signals)
        ticked = tuple(key for key in ALL_KEYS if key in chosen)
    # Strongest field first (room, title, type, labels, description): each side's words
    # come out in the order a reason names them, with no sort.
    for key in ticked:
        question = QUESTIONS_BY_KEY[key]
        tally.add(key, SIGNAL_NAMES[key], _SIDE_OF[question.points_to], ROOM_WEIGHT, "room")
    reads = _read_title(title, tally)
    _read_text(title, title.lower(), "title", tally)
    if kind and kind.strip().lower() in ("bug", "defect", "incident fix"):
        tally.add("type bug", f"issue type {kind.strip()}", _P, 6, "type")
    if labels:
        _read_labels(labels, tally)
    ignored: dict[Category, list[tuple[str, str]]] = {}
    if description:
        prose, aside, lowered = _prose(description)
        _read_text(prose, lowered, "description", tally)
        if aside:
            aside_tally = _Tally()
            _read_text(aside, aside.lower(), "description", aside_tally)
            ignored = {
                Category.HIRING: aside_tally.named(_H),
                Category.PROJECT: aside_tally.named(_P),
            }
    return tally, reads, ignored, ticked


def _not_counted(
    category: Category, reason: str, ignored: dict[Category, list[tuple[str, str]]]
) -> str:
    """The reason, naming the words set aside that would have argued against it: "on-call"
    in a project's Out of scope section, "fix" in a hiring item's log."""
    if not ignored:
        return reason
    if category is Category.PROJECT:
        against = ignored.get(Category.HIRING, [])
    elif category is Category.HIRING:
        against = ignored.get(Category.PROJECT, [])
    else:
        against = [hit for hits in ignored.values() for hit in hits]
    if against:
        reason += f" Not counted (out of scope or quoted code): {_quote(against)}."
    return reason


def _decide(
    description: str,
    tally: _Tally,
    reads: str,
    ignored: dict[Category, list[tuple[str, str]]],
    ticked: tuple[str, ...],
) -> tuple[Category, str, bool, str]:
    """(category, reason, conflict, how the title reads for the open question); each
    side's hits are made only when the reason names them."""
    score = tally.score
    project, hiring, park = score[_P], score[_H], score[_K]
    hits = tally.named

    def made(
        category: Category, reason: str, *, conflict: bool = False, reads_as: str = reads
    ) -> tuple[Category, str, bool, str]:
        return category, _not_counted(category, reason, ignored), conflict, reads_as

    # The room's answers lead: once anything is ticked, the text only adds colour.
    if ticked:
        lean = lean_from_signals(ticked)
        names = ", ".join(f"'{SIGNAL_NAMES[key]}'" for key in ticked)
        if lean is Category.UNDECIDED:
            return made(
                Category.UNDECIDED,
                f"The room ticked: {names}; its answers point both ways, the room decides.",
                conflict=True,
            )
        text_for = [hit for hit in hits(_P if lean is Category.PROJECT else _H) if hit[1] != "room"]
        text_against = [
            hit for hit in hits(_H if lean is Category.PROJECT else _P) if hit[1] != "room"
        ]
        what = (
            "a project with a finish line"
            if lean is Category.PROJECT
            else "long-term ownership (a hiring problem)"
        )
        ticks_for = sum(QUESTIONS_BY_KEY[key].points_to is lean for key in ticked)
        ticks_against = len(ticked) - ticks_for
        against_score = (hiring if lean is Category.PROJECT else project) - (
            ROOM_WEIGHT * ticks_against
        )
        if not text_for and against_score >= STRONG_TEXT and ticks_for - ticks_against < 2:
            # One tick against a text that says the opposite loudly: say so, don't flip.
            return made(
                Category.UNDECIDED,
                f"The room ticked: {names}, which points to {what}, but the text's "
                f"{_quote(text_against)} {_verb(text_against)} the other way: the signals "
                "conflict; the room decides.",
                conflict=True,
            )
        reason = f"The room ticked: {names}, which points to {what}"
        if text_for:
            reason += f"; the text agrees ({_quote(text_for)})"
        if text_against:
            reason += f"; the text's {_quote(text_against)} {_verb(text_against)} the other way"
        return made(lean, reason + ".")

    if project == 0 and hiring == 0 and park == 0:
        if reads == "" and not description.strip():
            return made(
                Category.PARKED,
                "Too little to go on: a title with no verb, no signal words and no "
                "description; park it until someone writes what done means.",
                reads_as="vague",
            )
        return made(
            Category.UNDECIDED,
            "No signals found in the title, description or labels: the room decides.",
        )

    strongest_text = max(project, hiring)
    # Exploratory, question-like or undecided wording parks the item unless the text says
    # far more about a deliverable or an owner than about the open question.
    if park > 0 and park * 2 >= strongest_text:
        reads_as = {
            "question": "a question",
            "explore": "exploratory",
            "vague": "vague",
        }.get(reads, "unsettled")
        reason = f"{_quote(hits(_K))}: reads as {reads_as}, not yet a decision"
        other = hits(_P) if project >= hiring else hits(_H)
        if other:
            reason += f" ({_quote(other)} {_verb(other)} further, more weakly)"
        return made(Category.PARKED, reason + ": park it with the question written down.")

    if (
        project > 0
        and hiring > 0
        and min(project, hiring) * 2 > max(project, hiring)
        and hiring >= 6
    ):
        return made(Category.UNDECIDED, _both_ways(hits(_P), hits(_H)), conflict=True)
    if project > 2 * hiring and project >= 3:
        project_hits, hiring_hits = hits(_P), hits(_H)
        reason = f"{_quote(project_hits)} {_verb(project_hits)} to a project with a finish line"
        if hiring_hits:
            reason += f"; {_quote(hiring_hits)} {_verb(hiring_hits)} the other way, more weakly"
        return made(Category.PROJECT, reason + ".")
    if hiring > project and hiring >= 3:
        project_hits, hiring_hits = hits(_P), hits(_H)
        reason = (
            f"{_quote(hiring_hits)} {_verb(hiring_hits)} to long-term ownership (a hiring problem)"
        )
        if project_hits:
            reason += f"; {_quote(project_hits)} {_verb(project_hits)} the other way, more weakly"
        return made(Category.HIRING, reason + ".")
    if project and hiring:
        return made(Category.UNDECIDED, _both_ways(hits(_P), hits(_H)), conflict=True)
    winner = hits(_P) or hits(_H) or hits(_K)
    return made(
        Category.UNDECIDED,
        f"Too little to go on: only {_quote(winner)}, in the {winner[0][1]}, "
        f"{_verb(winner)} to {'a project' if project else 'ownership'}; the room decides.",
    )


def _both_ways(project_hits: _Named, hiring_hits: _Named) -> str:
    return (
        f"Signals point both ways: {_quote(project_hits)} {_suggests(project_hits)} a "
        f"project, {_quote(hiring_hits)} {_suggests(hiring_hits)} ownership; the room decides."
    )
