"""Helpers both loaders share: estimates, labels and generated ids."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from triage_tui.core.model import Estimate, Item

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
#: Prefix of ids generated for items whose source gives none.
GENERATED_PREFIX = "ITEM-"


def parse_estimate(value: str, *, decimal_comma: bool = False) -> Estimate:
    """Read an estimate cell: an int if integral, a float if numeric, else the text.

    Args:
        value: the raw cell.
        decimal_comma: accept "1,5" as 1.5 (semicolon sheets from European Excel).

    Returns:
        None for an empty cell, else a number or the trimmed text ("2w", "M").
    """
    text = value.strip()
    if not text:
        return None
    if text.isdigit() and text.isascii() and len(text) <= 40:
        return int(text)  # the common "3": what the number pattern below would give
    if decimal_comma and _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    # Length cap: int() refuses more than 4300 digits, and no estimate is that long.
    if len(text) <= 40 and _NUMBER.fullmatch(text):
        return normalise_number(float(text)) if not text.lstrip("+-").isdigit() else int(text)
    return text


def normalise_number(number: float) -> Estimate:
    """3.0 -> 3, 2.5 -> 2.5; infinities (from "1e999") are not estimates: kept as text."""
    if not math.isfinite(number):
        return str(number)
    if number.is_integer():
        return int(number)
    return number


def split_labels(cell: str) -> list[str]:
    """Split a labels cell on commas, trimming each label and dropping empty ones."""
    return list(filter(None, map(str.strip, cell.split(","))))  # C-speed: 50,000-row exports


def dedupe(labels: Iterable[str]) -> tuple[str, ...]:
    """Drop repeated and empty labels, ignoring case, keeping the first spelling and position.

    Jira's "payments" label and "Payments" component are one label to the room.
    """
    if isinstance(labels, list | tuple):
        if len(labels) == 1:
            # Most items carry one label or none: no dict needed.
            return (labels[0],) if labels[0] else ()
        if "" not in labels and len(set(map(str.casefold, labels))) == len(labels):
            return tuple(labels)  # nothing repeated: the common case, at C speed
    seen: dict[str, str] = {}
    for label in labels:
        if label:
            seen.setdefault(label.casefold(), label)
    return tuple(seen.values())


def generate_ids(items: Sequence[Item]) -> list[Item]:
    """Give every item without an id one from its position ("ITEM-3").

    Generated ids never collide with ids the source gave: a clash gets a suffix.

    Args:
        items: items in file order; those with an empty id get one.

    Returns:
        The items, ids filled in.
    """
    ids = fill_ids([item.id for item in items])
    return [item if item.id else replace(item, id=ids[i]) for i, item in enumerate(items)]


def fill_ids(ids: Sequence[str]) -> list[str]:
    """`generate_ids` for bare ids: each empty one becomes "ITEM-<position>".

    Args:
        ids: ids in file order, "" where the source gave none.

    Returns:
        The ids, the empty ones filled in (never clashing with a given one).
    """
    if all(ids):
        return list(ids)
    taken = set(filter(None, ids))
    result: list[str] = []
    for position, given in enumerate(ids, start=1):
        if given:
            result.append(given)
            continue
        candidate = f"{GENERATED_PREFIX}{position}"
        suffix = 2
        while candidate in taken:
            candidate = f"{GENERATED_PREFIX}{position}-{suffix}"
            suffix += 1
        taken.add(candidate)
        result.append(candidate)
    return result


def lookalike_warnings(items: Sequence[Item]) -> list[str]:
    """One warning per pair of distinct ids that read the same: equal once invisible
    characters are removed and Unicode NFKC applied (``A-1`` and ``A-1`` with a
    zero-width space or a word joiner, a full-width ``Ａ-1``). They load as separate items
    the room cannot tell apart; the warning names both, with their lines."""
    ids = [item.id for item in items]
    if all(map(str.isascii, ids)):
        return []  # exact duplicates are refused already, and ASCII has no look-alikes
    from triage_tui.core.sanitize import id_key, shown

    first: dict[str, Item] = {}
    warnings: list[str] = []
    for item in items:
        key = id_key(item.id)
        other = first.setdefault(key, item)
        if other is item:
            continue
        where = f" (lines {other.line} and {item.line})" if other.line and item.line else ""
        warnings.append(
            f"duplicate id: {shown(repr(other.id))} and {shown(repr(item.id))} read the same"
            f"{where} (an invisible character or a look-alike letter): rename one, or the "
            "room cannot tell them apart"
        )
    return warnings
