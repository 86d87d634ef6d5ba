"""Control and bidirectional formatting characters in the documents' tests: text
holding them, and the ones a rendered document holds raw (none should: a terminal or a
viewer showing the document could be spoofed by them, as by Trojan Source)."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["CONTROLS", "controlled_lines", "controlled_texts", "raw_controls"]

BIDI = (
    "\u061c\u200e\u200f"
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2066, 0x206A)))
)
"""The bidirectional marks, embeddings, overrides and isolates."""
CONTROLS = (
    "".join(chr(n) for n in range(0x20) if chr(n) not in "\t\n\r")
    + "\x7f"
    + "".join(map(chr, range(0x80, 0xA0)))
    + BIDI
)
"""What no document holds raw: every C0 control but tab, line feed and carriage
return, DEL, every C1 control and the bidirectional formatting characters."""


def raw_controls(text: str) -> set[str]:
    """The characters of :data:`CONTROLS` in ``text`` (a carriage return too: a
    document's lines end with a line feed only)."""
    return {ch for ch in text if ch in CONTROLS or ch == "\r"}


def controlled_texts(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text mixing letters, markup and line breaks with control and bidi characters."""
    alphabet = st.one_of(
        st.sampled_from(CONTROLS + "\t\n\r"),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    )
    return st.text(alphabet, min_size=min_size, max_size=max_size)


def controlled_lines(max_size: int = 30) -> st.SearchStrategy[str]:
    """One line (no line break) with at least one letter and one control character."""
    alphabet = st.one_of(
        st.sampled_from(CONTROLS.translate(str.maketrans("", "", "\x0b\x0c\x1c\x1d\x1e\x85"))),
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    )
    return st.text(alphabet, min_size=1, max_size=max_size).filter(
        lambda t: t.strip() and raw_controls(t)
    )
