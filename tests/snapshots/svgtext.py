"""Print a Textual SVG screenshot as plain text rows, to read or diff a snapshot in a terminal.

Usage: ``python tests/snapshots/svgtext.py tests/snapshots/__snapshots__/test_screens/*.svg``
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

#: One run of same-styled text: x and y in pixels (12.2 px per cell), then the text.
_RUN = re.compile(
    r'<text class="terminal-r\d+" x="([\d.]+)" y="([\d.]+)" textLength="[\d.]+"[^>]*>([^<]*)</text>'
)
CELL_WIDTH = 12.2


def svg_rows(svg: str) -> list[str]:
    """The screen's rows, rebuilt from the text runs of the SVG (colours dropped)."""
    rows: dict[float, list[tuple[int, str]]] = {}
    for match in _RUN.finditer(svg):
        column = round(float(match[1]) / CELL_WIDTH)
        text = html.unescape(match[3]).replace("\xa0", " ")
        rows.setdefault(float(match[2]), []).append((column, text))
    lines = []
    for y in sorted(rows):
        line = ""
        for column, text in sorted(rows[y]):
            line = line.ljust(column)
            line = line[:column] + text + line[column + len(text) :]
        lines.append(line.rstrip())
    return lines


def main(paths: list[str]) -> None:
    """Print each file's rows, numbered."""
    for path in paths:
        print(f"===== {path}")
        for number, line in enumerate(svg_rows(Path(path).read_text(encoding="utf-8"))):
            print(f"{number:2d}|{line}")


if __name__ == "__main__":
    main(sys.argv[1:])
