"""Escaping user text for Markdown (HTML is escaped by Jinja2's autoescape).

Whatever someone typed into a review — a name, a summary, a recommendation — reads as
the text it is in the Markdown documents, never as markup: every character that means
something inline is backslash-escaped (CommonMark allows a backslash before any ASCII
punctuation), and what would start a block at the start of a line (a heading, a list,
a quote, a rule, an indented code block) is escaped there too. Raw HTML cannot get
through: ``<`` is always escaped.

A control character (C0 but tab and the line breaks, DEL, C1) or a bidirectional
formatting character (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) is shown
as its code point, ``U+202E``, never written raw (:func:`visible_controls`): a terminal
or a viewer showing the document cannot be made to show other text than it holds (as
Trojan Source does with code). The HTML documents show them the same way.
"""

from __future__ import annotations

import re

__all__ = ["md_block", "md_inline", "visible_controls"]

_INLINE = re.compile(r"([\\`*_\[\]<>|~&!])")
_LINE_START = re.compile(r"^([#>+=-]|\d+[.)])")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible_controls(text: str) -> str:
    """``text`` with its line ends made line feeds and every other control or
    bidirectional formatting character shown as its code point (``U+202E``); a tab
    and a line feed are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub(lambda m: f"U+{ord(m.group(0)):04X}", text)


def _line(text: str) -> str:
    text = visible_controls(_INLINE.sub(r"\\\1", text.strip()))
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
