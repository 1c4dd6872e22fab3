"""Issue 20's property: a spec written in any tracker's form reaches the handoff whole.

Descriptions are generated in Jira wiki markup, Markdown, GitHub's and Linear's forms,
each section (acceptance criteria, definition of done, out of scope, contract) after a
heading, a bold label or a `Label:` line, in every list form, with inline code holding
braces and `<...>`. For each: every criterion reaches the handoff's checklist, no output
holds raw Jira markup or an entity inside a code span, and the same spec written in Jira
and in Markdown gives the same handoff sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Session
from triage_tui.formats.handoff_doc import render_handoff

# -- the spec, independent of its markup ---------------------------------------------------

WORDS = st.sampled_from(
    [
        "retry",
        "ledger",
        "invoice",
        "tenant",
        "quota",
        "header",
        "cache",
        "export",
        "replay",
        "webhook",
        "refund",
        "limit",
        "plan",
        "key",
        "token",
        "request",
        "response",
        "queue",
        "worker",
        "metric",
        "alert",
        "batch",
        "schema",
        "returns",
        "stores",
        "keeps",
        "sends",
        "rejects",
        "logs",
        "counts",
        "shows",
        "within",
        "per",
        "every",
        "each",
        "one",
        "two",
        "24",
        "h",
        "60/min",
        "429",
        "twice",
    ]
)
# What a spec puts in inline code: braces, `<...>`, quotes, colons, dashes, slashes.
CODE = st.one_of(
    st.sampled_from(
        [
            'POST /v1/payments {"amount": 1200}',
            "Idempotency-Key: <uuid v4>",
            '422 {"error": "x"}',
            "X-RateLimit-Limit",
            "GET /v1/items/{id}",
            "<tenant>/<plan>.yaml",
            "{a: {b: 1}}",
            "a & b <= c",
            "Retry-After: <seconds>",
        ]
    ),
    st.builds(
        lambda word, other: f"{{{word}}} <{other}>",
        st.sampled_from(["id", "plan", "key"]),
        st.sampled_from(["uuid", "n", "name"]),
    ),
)


@dataclass(frozen=True)
class Part:
    """One list entry: words, optionally an inline code piece among them."""

    before: tuple[str, ...]
    code: str | None
    after: tuple[str, ...]

    def written(self, code_open: str, code_close: str) -> str:
        middle = [f"{code_open}{self.code}{code_close}"] if self.code is not None else []
        return " ".join([*self.before, *middle, *self.after])

    @property
    def markdown(self) -> str:
        """How the handoff shows it (a code span as Markdown writes one)."""
        return self.written("`", "`")


PARTS = st.builds(
    Part,
    st.lists(WORDS, min_size=1, max_size=4).map(tuple),
    st.one_of(st.none(), CODE),
    st.lists(WORDS, min_size=0, max_size=3).map(tuple),
)


@dataclass(frozen=True)
class Spec:
    context: tuple[str, ...]
    acceptance: tuple[Part, ...]
    done: tuple[Part, ...]
    out_of_scope: tuple[Part, ...]
    contract: bool


SPECS = st.builds(
    Spec,
    st.lists(WORDS, min_size=3, max_size=8).map(tuple),
    st.lists(PARTS, min_size=1, max_size=4).map(tuple),
    st.lists(PARTS, min_size=1, max_size=3).map(tuple),
    st.lists(PARTS, min_size=0, max_size=2).map(tuple),
    st.booleans(),
)

# -- the forms each tracker writes it in ---------------------------------------------------

LABELS = ("heading", "bold", "label", "name")
JIRA_LISTS = ("#", "*", "-", "##", "**", "#*", "table")
MARKDOWN_LISTS = ("-", "*", "+", "1.", "1)", "- [ ]", "* [ ]", "table")
# GitHub issue forms write task lists and headings; Linear bold labels and lists.
DIALECT_LISTS = {
    "jira": JIRA_LISTS,
    "markdown": MARKDOWN_LISTS,
    "github": ("- [ ]", "-", "1."),
    "linear": ("-", "*", "1.", "- [ ]"),
}
DIALECT_LABELS = {
    "jira": (*LABELS, "panel"),
    "markdown": (*LABELS, "setext"),
    "github": ("heading", "label"),
    "linear": ("bold", "label"),
}
NAMES = {
    "acceptance": ("Acceptance criteria", "Acceptance Criteria", "AC"),
    "done": ("Definition of done", "Definition of Done", "DoD"),
    "out_of_scope": ("Out of scope", "Non-goals"),
    "contract": ("Contract", "API contract"),
}
CONTRACT = '{"amount": 1200, "currency": "EUR"}'


@dataclass(frozen=True)
class Form:
    dialect: str  # jira, markdown, github, linear
    label: str  # heading, bold, label
    marker: str  # the list marker
    names: tuple[int, ...]  # which spelling of each section's name
    level: int  # the heading level
    colon: bool  # a bold label or heading ends with a colon
    gap: bool  # a blank line between the label and its list
    underscores: bool  # Markdown bold written __so__


def forms(dialects: tuple[str, ...]) -> st.SearchStrategy[Form]:
    def one(dialect: str) -> st.SearchStrategy[Form]:
        return st.builds(
            Form,
            st.just(dialect),
            st.sampled_from(DIALECT_LABELS[dialect]),
            st.sampled_from(DIALECT_LISTS[dialect]),
            st.tuples(*(st.integers(0, len(NAMES[kind]) - 1) for kind in NAMES)),
            st.integers(2, 4),
            st.booleans(),
            st.booleans(),
            st.booleans(),
        )

    return st.sampled_from(dialects).flatmap(one)


def _label(form: Form, kind: str) -> str:
    name = NAMES[kind][form.names[list(NAMES).index(kind)] % len(NAMES[kind])]
    jira = form.dialect == "jira"
    colon = ":" if form.colon else ""
    if form.label == "panel":
        return f"{{panel:title={name}|borderStyle=solid}}"
    if form.label == "setext":
        return f"{name}{colon}\n{'=' if form.level == 2 else '-' * len(name)}"
    if form.label == "name" and form.marker != "table" and not form.gap:
        return name  # the name alone, right above its list
    if form.label == "heading":
        return f"h{form.level}. {name}{colon}" if jira else f"{'#' * form.level} {name}{colon}"
    if form.label == "bold":
        bold = "*" if jira else "__" if form.underscores else "**"
        return f"{bold}{name}{colon}{bold}"
    return f"{name}:"


def _list(form: Form, parts: tuple[Part, ...]) -> list[str]:
    jira = form.dialect == "jira"
    lines = []
    if form.marker == "table":
        lines.append("||#||Criterion||" if jira else "| # | Criterion |")
        if not jira:
            lines.append("|---|---|")
    for number, part in enumerate(parts, 1):
        text = part.written("{{", "}}") if jira else part.written("`", "`")
        marker = form.marker
        if marker in ("1.", "1)"):
            marker = f"{number}{marker[1]}"
        if marker == "table":
            lines.append(f"|{number}|{text}|" if jira else f"| {number} | {text} |")
        else:
            lines.append(f"{marker} {text}")
    return lines


def write(spec: Spec, form: Form) -> str:
    """The spec as `form`'s tracker writes a description."""
    jira = form.dialect == "jira"
    out = [" ".join(spec.context).capitalize() + ".", ""]
    end = ["{panel}"] if form.label == "panel" else []
    if spec.contract:
        out.append(_label(form, "contract") if form.label != "name" else "Contract:")
        if jira:
            out += ["{code:json}", CONTRACT, "{code}", *end, ""]
        else:
            out += ["```json", CONTRACT, "```", ""]
    for kind, parts in (
        ("acceptance", spec.acceptance),
        ("done", spec.done),
        ("out_of_scope", spec.out_of_scope),
    ):
        if parts:
            gap = [""] if form.gap else []
            out += [_label(form, kind), *gap, *_list(form, parts), *end, ""]
    return "\n".join(out)


def handoff(description: str, dialect: str) -> str:
    markup = "jira" if dialect == "jira" else "markdown"
    item = Item("SPEC-1", "Accept idempotency keys", description, estimate=3, markup=markup)
    session = Session(Backlog((item,), title="Generated"))
    session.decide(item.id, Category.PROJECT)
    return render_handoff(session, item)


def sections(text: str) -> dict[str, str]:
    """The handoff's sections by title, up to the spec as written (which shows each
    tracker's own markup converted, so it differs between dialects on purpose)."""
    head = text.split("\n## The spec as written\n", 1)[0]
    found = {}
    for chunk in head.split("\n## ")[1:]:
        title, _, body = chunk.partition("\n")
        found[title] = body.strip()
    return found


_RAW_JIRA = re.compile(
    r"\{\{|\}\}|^[ \t]*h[1-6]\.[ \t]|\{code|\{noformat|\{panel|\[~|\[[^\]\n|]+\|[^\]\n]+\]", re.M
)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]+);")


def checklist(text: str) -> list[str]:
    body = sections(text)["Acceptance criteria"]
    return [line.removeprefix("- [ ] ") for line in body.splitlines()]


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(SPECS, forms(("jira", "markdown", "github", "linear")))
def test_every_criterion_reaches_the_checklist_and_no_markup_leaks(spec: Spec, form: Form) -> None:
    description = write(spec, form)
    text = handoff(description, form.dialect)
    assert checklist(text) == [part.markdown for part in spec.acceptance], description
    shown = sections(text)
    assert shown["Definition of done"] == (
        spec.done[0].markdown
        if len(spec.done) == 1
        else "\n".join(f"- {part.markdown}" for part in spec.done)
    ), description
    if spec.out_of_scope:
        assert shown["Out of scope"] == (
            spec.out_of_scope[0].markdown
            if len(spec.out_of_scope) == 1
            else "\n".join(f"- {part.markdown}" for part in spec.out_of_scope)
        ), description
    if spec.contract:
        assert shown["Contract (inputs and outputs)"] == f"```json\n{CONTRACT}\n```", description
    # No raw Jira markup anywhere (the spec as written is converted too), and nothing
    # escaped inside a code span, where Markdown would show the escape.
    assert not _RAW_JIRA.search(_CODE_SPAN.sub("", text)), text
    for span in _CODE_SPAN.finditer(text):
        assert not _ENTITY.search(span.group(2)), span.group(0)
        assert "\\" not in span.group(2), span.group(0)
    # As a CommonMark renderer reads it: no HTML, and every code span of the criteria
    # shows the code as the spec wrote it.
    tokens = [
        child
        for token in MarkdownIt("commonmark").parse(text)
        for child in [token, *(token.children or [])]
    ]
    assert not [token for token in tokens if token.type in ("html_inline", "html_block")]
    shown = {token.content for token in tokens if token.type == "code_inline"}
    for part in spec.acceptance:
        assert part.code is None or part.code in shown, (part.code, shown)


@SETTINGS
@given(SPECS, forms(("jira",)), forms(("markdown", "github", "linear")))
def test_the_same_spec_in_jira_and_in_markdown_gives_the_same_handoff(
    spec: Spec, jira: Form, markdown: Form
) -> None:
    from_jira = sections(handoff(write(spec, jira), "jira"))
    from_markdown = sections(handoff(write(spec, markdown), markdown.dialect))
    assert from_jira == from_markdown


# -- a paragraph after the definition of done is not a line of it ------------------------
LINKS = {
    "jira": "[runbook|https://wiki.example/runbook]",
    "markdown": "[runbook](https://wiki.example/runbook)",
    "github": "[runbook](https://wiki.example/runbook)",
    "linear": "[runbook](https://wiki.example/runbook)",
    "plain": "the runbook",
}


@SETTINGS
@given(
    SPECS,
    forms(("jira", "markdown", "github", "linear"))
    | forms(("linear",)).map(
        lambda form: Form("plain", "label", form.marker, form.names, 2, True, form.gap, False)
    ),
    st.lists(WORDS, min_size=1, max_size=6),
    st.sampled_from(["", " ", "  ", "    "]),
    st.booleans(),
)
def test_a_paragraph_after_the_definition_of_done_ends_it(
    spec: Spec, form: Form, words: list[str], indent: str, link: bool
) -> None:
    """Any definition-of-done list followed by a blank line and a paragraph (prose, a
    link, indented or not; Jira, Markdown, GitHub, Linear, or plain text judged by its
    looks) keeps exactly the list's items: the paragraph is the notes', not a DoD line."""
    dialect = "linear" if form.dialect == "plain" else form.dialect
    form_written = replace(form, dialect=dialect)
    spec = Spec(spec.context, spec.acceptance, spec.done, (), spec.contract)
    paragraph = " ".join(["See", *words, *(["in", LINKS[form.dialect]] if link else [])]) + "."
    description = write(spec, form_written) + "\n" + indent + paragraph
    markup = "" if form.dialect == "plain" else "jira" if dialect == "jira" else "markdown"
    item = Item("SPEC-1", "Accept idempotency keys", description, estimate=3, markup=markup)
    session = Session(Backlog((item,), title="Generated"))
    session.decide(item.id, Category.PROJECT)
    shown = sections(render_handoff(session, item))
    assert shown["Definition of done"] == (
        spec.done[0].markdown
        if len(spec.done) == 1
        else "\n".join(f"- {part.markdown}" for part in spec.done)
    ), description
    assert "See" not in shown["Definition of done"]
    assert checklist(render_handoff(session, item)) == [part.markdown for part in spec.acceptance]
