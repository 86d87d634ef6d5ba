"""Escaping user text for Markdown (HTML is escaped by Jinja2's autoescape).

Whatever someone typed into a review — a name, a summary, a recommendation — reads as
the text it is in the Markdown documents, never as markup: every character that means
something inline is backslash-escaped (CommonMark allows a backslash before any ASCII
punctuation), and what would start a block at the start of a line (a heading, a list,
a quote, a rule, an indented code block) is escaped there too. Raw HTML cannot get
through: ``<`` is always escaped.
"""

from __future__ import annotations

import re

__all__ = ["md_block", "md_inline"]

_INLINE = re.compile(r"([\\`*_\[\]<>|~&!])")
_LINE_START = re.compile(r"^([#>+=-]|\d+[.)])")


def _line(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text.strip())
    return _LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)


def md_inline(text: str) -> str:
    """``text`` as one line of Markdown that reads as the text itself: escaped, line
    breaks become spaces (safe in a table cell or a list item)."""
    return _line(" ".join(part.strip() for part in text.splitlines() if part.strip()))


def md_block(text: str) -> str:
    """``text`` as Markdown paragraphs: each line escaped as :func:`md_inline`, line
    breaks kept (a blank line separates paragraphs; single breaks stay soft)."""
    lines = [_line(line) for line in text.splitlines()]
    return "\n".join(lines).strip("\n")
