"""The text boundary: nothing a terminal, a spreadsheet or a Markdown renderer acts on."""

from hypothesis import given
from hypothesis import strategies as st

from triage_tui.core.sanitize import clean_line, clean_text, csv_cell, md_fence, md_text


def test_escape_sequences_become_visible_pictures() -> None:
    out = clean_text("X\x1b]52;c;UFdORUQ=\x07\x1b[2J\x9b31m\x00")
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out and "\x00" not in out
    assert out.startswith("X\u241b]52;c;")


def test_tabs_and_newlines_kept_crlf_normalised_bidi_removed() -> None:
    assert clean_text("a\tb\r\nc\rd\u2028e") == "a\tb\nc\nd\ne"
    assert clean_text("abc\u202edcba\u2066x\u2069") == "abcdcbax"
    assert clean_line("a\nb\tc") == "a b c"


@given(st.text())
def test_clean_text_leaves_no_control_and_is_idempotent(text: str) -> None:
    out = clean_text(text)
    assert clean_text(out) == out
    assert not any((ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F for c in out)


def test_csv_cells_never_start_a_formula() -> None:
    for bad in ('=HYPERLINK("x")', "+A1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1+1"):
        assert csv_cell(bad).startswith("'")
    assert csv_cell("-3") == "-3" and csv_cell(2.5) == "2.5" and csv_cell(None) == ""


def test_markdown_never_passes_html() -> None:
    assert md_text("<script>x</script> & </details>") == (
        "&lt;script&gt;x&lt;/script&gt; & &lt;/details&gt;"
    )
    # What would render as HTML is escaped, everything else reads as written.
    assert md_text("<!-- x --> <?php <!DOCTYPE <https://x.example> &lt; &#60; &#x3c;") == (
        "&lt;!-- x --&gt; &lt;?php &lt;!DOCTYPE &lt;https://x.example&gt; "
        "&amp;lt; &amp;#60; &amp;#x3c;"
    )
    assert md_text("R&D, p95 < 200 ms, a -> b, x<=y & 3>2") == (
        "R&D, p95 < 200 ms, a -> b, x<=y & 3>2"
    )
    block = md_fence("a\n```\n<b>")
    assert block.startswith("````\n") and block.endswith("\n````")


def test_code_spans_are_left_as_written_and_what_follows_is_still_escaped() -> None:
    # Markdown renders nothing inside a code span: an escape there would show.
    assert md_text("Send `Idempotency-Key: <uuid v4>` & `&amp;` <b>") == (
        "Send `Idempotency-Key: <uuid v4>` & `&amp;` &lt;b&gt;"
    )
    assert md_text("``a ` <b>`` `![x](y)`") == "``a ` <b>`` `![x](y)`"
    # Not a code span to a renderer, so escaped: an escaped backtick, an unclosed run,
    # a span across lines (maybe two blocks), a `|` (a table row is cut into cells first).
    assert md_text("\\`<b>`") == "\\`&lt;b&gt;`"
    assert md_text("`<b> and <i>") == "`&lt;b&gt; and &lt;i&gt;"
    assert md_text("`a\n<script>`") == "`a\n&lt;script&gt;`"
    assert md_text("| `a | <script>` |") == "| `a | &lt;script&gt;` |"
    assert md_text("`` <b> ` ``") == "`` <b> ` ``"


def test_a_markdown_image_is_shown_as_text_and_a_link_stays_a_link() -> None:
    out = md_text("see ![pixel](https://tracker.example/p.png) and [the doc](https://d.example)")
    assert out == "see !\\[pixel](https://tracker.example/p.png) and [the doc](https://d.example)"


# -- md_text under a real CommonMark parser (markdown-it, which rich renders with) ----------
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402

_PIECES = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "`",
        "``",
        "\\",
        "|",
        "\n",
        "\n\n",
        " ",
        ";",
        "#",
        "amp",
        "lt",
        "b",
        "/",
        "!",
        "?",
        "-",
        "x",
        "script",
        "img src=x",
        "a",
        "*",
        "_",
        "[",
        "]",
        "(",
        ")",
    ]
)


def _inline_tokens(tokens: list) -> list:  # type: ignore[type-arg]
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_inline_tokens(token.children or []))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
@example("`\n<amp`")  # a span across a line break: escaped as prose on purpose
@example("`<amp|`")  # a span holding `|`: likewise
def test_md_text_never_lets_html_through_and_leaves_code_spans_as_written(text: str) -> None:
    parser = MarkdownIt("commonmark")  # raw HTML enabled, as GitHub's renderer reads it
    escaped = md_text(text)
    tokens = _inline_tokens(parser.parse(escaped))
    assert not [t for t in tokens if t.type in ("html_inline", "html_block")], escaped
    # What a code span of the output shows is what the input wrote there: no escapes.
    for token in tokens:
        # A span holding `|` is escaped as prose on purpose: in a GFM table row the cell
        # is cut at the `|` before code spans are read (CommonMark, parsed here, has no
        # tables), so `<` there must not be left raw. Safe (checked above), not verbatim.
        if token.type == "code_inline" and "|" not in token.content:
            if token.content in text:
                continue
            # A span the input opened and closed on two lines is escaped as prose on
            # purpose (md_text: a renderer may read two blocks there); the escapes show,
            # but nothing is unsafe (checked above). Such a span reads as the input
            # once they are undone; every other span reads as written.
            spelled = token.content.replace("&lt;", "<").replace("&gt;", ">")
            spelled = spelled.replace("&amp;", "&")
            joined = " ".join(text.split())
            crossed = spelled in joined and spelled not in text  # a break read as a blank
            assert token.content in joined or crossed, escaped


def test_clip_marks_a_cut_and_leaves_short_text_alone() -> None:
    from triage_tui.core.sanitize import clip

    assert clip("ready once: write the acceptance criteria", 26) == "ready once: write the acc…"
    assert clip("short", 26) == "short"
    assert clip("x" * 26, 26) == "x" * 26
    assert clip("word  " + "y" * 30, 7) == "word…"  # no blank before the mark
    assert clip("abc", 0) == "…"  # a limit of 0 still says that something was cut
