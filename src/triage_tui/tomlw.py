"""TOML writing byte-identical to tomli-w 1.2.0, with its string escaping done in C."""

# The algorithm is tomli-w's (MIT licence, https://github.com/hukkin/tomli-w), kept line
# for line so the output matches; only format_string differs. tomli-w escapes strings one
# character at a time in Python, which was 40% of writing a 10,000-item plan: here one
# regex pass finds the few characters that need escaping. tests/unit/test_tomlw.py
# compares the output with tomli_w.dumps on generated documents.

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from typing import Any

_BARE_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
_ARRAY_TYPES = (list, tuple)
_MAX_LINE_LENGTH = 100
_COMPACT_ESCAPES = {
    "\u0008": "\\b",
    "\u000a": "\\n",
    "\u000c": "\\f",
    "\u000d": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
# tomli-w's ILLEGAL_BASIC_STR_CHARS: the quote, the backslash and every ASCII control
# character except tab. Multi-line strings keep their line feeds as they are.
_ILLEGAL = re.compile('[\x00-\x08\x0a-\x1f\x7f"\\\\]')
_ILLEGAL_MULTILINE = re.compile('[\x00-\x08\x0b-\x1f\x7f"\\\\]')


class _Context:
    def __init__(self, allow_multiline: bool, indent: int) -> None:
        if indent < 0:
            raise ValueError("Indent width must be non-negative")
        self.allow_multiline = allow_multiline
        # Rendered inline tables by object id, as tomli-w caches them.
        self.inline_table_cache: dict[int, str] = {}
        self.indent_str = " " * indent


def dumps(obj: Mapping[str, Any], /, *, multiline_strings: bool = False, indent: int = 4) -> str:
    """Serialise `obj` as TOML exactly as `tomli_w.dumps` (1.2.0) does.

    Args:
        obj: the document.
        multiline_strings: write strings holding a line feed as multi-line strings.
        indent: spaces before each element of a multi-line array.

    Returns:
        The TOML text.

    Raises:
        TypeError: a value TOML cannot hold (as tomli-w).
        ValueError: a time with a UTC offset, or a negative indent (as tomli-w).
    """
    ctx = _Context(multiline_strings, indent)
    return "".join(_gen_table_chunks(obj, ctx, name=""))


def _gen_table_chunks(
    table: Mapping[str, Any], ctx: _Context, *, name: str, inside_aot: bool = False
) -> Iterator[str]:
    yielded = False
    literals = []
    tables: list[tuple[str, Any, bool]] = []
    for k, v in table.items():
        if isinstance(v, Mapping):
            tables.append((k, v, False))
        elif _is_aot(v) and not all(_is_suitable_inline_table(t, ctx) for t in v):
            tables.extend((k, t, True) for t in v)
        else:
            literals.append((k, v))

    if inside_aot or (name and (literals or not tables)):
        yielded = True
        yield f"[[{name}]]\n" if inside_aot else f"[{name}]\n"

    if literals:
        yielded = True
        for k, v in literals:
            yield f"{_format_key_part(k)} = {_format_literal(v, ctx)}\n"

    for k, v, in_aot in tables:
        if yielded:
            yield "\n"
        else:
            yielded = True
        key_part = _format_key_part(k)
        display_name = f"{name}.{key_part}" if name else key_part
        yield from _gen_table_chunks(v, ctx, name=display_name, inside_aot=in_aot)


def _format_literal(obj: object, ctx: _Context, *, nest_level: int = 0) -> str:
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, int | float | date | datetime):
        return str(obj)
    if isinstance(obj, time):
        if obj.tzinfo:
            raise ValueError("TOML does not support offset times")
        return str(obj)
    if isinstance(obj, str):
        return _format_string(obj, allow_multiline=ctx.allow_multiline)
    if isinstance(obj, _ARRAY_TYPES):
        return _format_inline_array(obj, ctx, nest_level)
    if isinstance(obj, Mapping):
        return _format_inline_table(obj, ctx)

    from decimal import Decimal

    if isinstance(obj, Decimal):
        return _format_decimal(obj)
    raise TypeError(f"Object of type '{type(obj).__qualname__}' is not TOML serializable")


def _format_decimal(obj: Any) -> str:
    if obj.is_nan():
        return "nan"
    if obj.is_infinite():
        return "-inf" if obj.is_signed() else "inf"
    dec_str = str(obj).lower()
    return dec_str if "." in dec_str or "e" in dec_str else dec_str + ".0"


def _format_inline_table(obj: Mapping[str, Any], ctx: _Context) -> str:
    obj_id = id(obj)
    if obj_id in ctx.inline_table_cache:
        return ctx.inline_table_cache[obj_id]

    if not obj:
        rendered = "{}"
    else:
        rendered = (
            "{ "
            + ", ".join(
                f"{_format_key_part(k)} = {_format_literal(v, ctx)}" for k, v in obj.items()
            )
            + " }"
        )
    ctx.inline_table_cache[obj_id] = rendered
    return rendered


def _format_inline_array(obj: tuple[Any, ...] | list[Any], ctx: _Context, nest_level: int) -> str:
    if not obj:
        return "[]"
    item_indent = ctx.indent_str * (1 + nest_level)
    closing_bracket_indent = ctx.indent_str * nest_level
    return (
        "[\n"
        + ",\n".join(
            item_indent + _format_literal(item, ctx, nest_level=nest_level + 1) for item in obj
        )
        + f",\n{closing_bracket_indent}]"
    )


def _format_key_part(part: str) -> str:
    try:
        only_bare_key_chars = _BARE_KEY_CHARS.issuperset(part)
    except TypeError:
        raise TypeError(
            f"Invalid mapping key '{part}' of type '{type(part).__qualname__}'."
            " A string is required."
        ) from None

    if part and only_bare_key_chars:
        return part
    return _format_string(part, allow_multiline=False)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    escaped = _COMPACT_ESCAPES.get(char)
    if escaped is not None:
        return escaped
    return "\\u" + hex(ord(char))[2:].rjust(4, "0")


def _format_string(s: str, *, allow_multiline: bool) -> str:
    if allow_multiline and "\n" in s:
        s = s.replace("\r\n", "\n")
        return '"""\n' + _ILLEGAL_MULTILINE.sub(_escape, s) + '"""'
    return '"' + _ILLEGAL.sub(_escape, s) + '"'


def _is_aot(obj: Any) -> bool:
    """A non-empty list of tables: an array of tables."""
    return bool(isinstance(obj, _ARRAY_TYPES) and obj and all(isinstance(v, Mapping) for v in obj))


def _is_suitable_inline_table(obj: Mapping[str, Any], ctx: _Context) -> bool:
    rendered_inline = f"{ctx.indent_str}{_format_inline_table(obj, ctx)},"
    return len(rendered_inline) <= _MAX_LINE_LENGTH and "\n" not in rendered_inline
