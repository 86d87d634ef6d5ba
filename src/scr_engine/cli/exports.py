"""What ``scr export`` writes beside the documents of every review: a SAR's letters
(one per information request, and a reminder for each overdue one:
:mod:`scr_engine.documents.sar_letters`), and one document alone
(``scr export REVIEW --document NAME``)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from scr_engine.board import BoardIdentity
    from scr_engine.engine import ReviewEngine
    from scr_engine.records import Actor

__all__ = ["file_stem", "write_document", "write_letters"]


def file_stem(reference: str) -> str:
    """The head of a review's file names: its reference, made safe for a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", reference).strip("._") or "review"


def write_letters(
    review: Any,
    history: Any,
    day: date,
    fmt: Literal["md", "html"],
    out: Path,
    board: BoardIdentity,
) -> list[Path]:
    """Write every letter of the SAR ``review`` on ``day`` into ``out``
    (``<reference>-information-request-IR-1.<fmt>`` …); the paths written."""
    from scr_engine.documents import render_all_letters

    written = []
    letters = render_all_letters(review, history=history, fmt=fmt, as_of=day, board=board)
    for document in letters:
        path = out / f"{file_stem(review.reference)}-{document.filename}"
        path.write_text(document.text, encoding="utf-8", newline="")
        written.append(path)
    return written


def write_document(
    engine: ReviewEngine,
    actor: Actor,
    review: Any,
    name: str,
    day: date,
    fmt: Literal["md", "html"],
    out: Path,
    board: BoardIdentity,
) -> Path:
    """Write the one document ``name`` of ``review`` into ``out``: one of an SCR's
    documents, or of a SAR's, or a SAR's letter (``information-request-IR-1``). A name
    the review's protocol does not have is a usage error; the letter of a request the
    review does not have is the library's ``InvalidRequest`` (SAR-I-1)."""
    from scr_engine.cli.errors import EXIT_USAGE, CliError
    from scr_engine.documents import (
        DOCUMENTS,
        SAR_DOCUMENTS,
        is_letter,
        render,
        render_letter,
        render_sar,
    )
    from scr_engine.records import Review as Scr

    history = engine.history(review.id, actor)
    if isinstance(review, Scr):
        if name not in DOCUMENTS:
            raise CliError(
                f"--document: an SCR has no document {name!r}: {', '.join(DOCUMENTS)}",
                EXIT_USAGE,
                kind="usage",
            )
        settings = engine.settings_for(review)
        made = render(
            name, review, fmt=fmt, as_of=day, settings=settings, history=history, board=board
        )
    elif is_letter(name):
        made = render_letter(name, review, history=history, fmt=fmt, as_of=day, board=board)
    elif name in SAR_DOCUMENTS:
        made = render_sar(name, review, fmt=fmt, as_of=day, board=board)
    else:
        names = ", ".join(SAR_DOCUMENTS)
        letters = "information-request-IR-<n>, information-reminder-IR-<n>"
        raise CliError(
            f"--document: a SAR has no document {name!r}: {names}; {letters}",
            EXIT_USAGE,
            kind="usage",
        )
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{file_stem(review.reference)}-{made.filename}"
    path.write_text(made.text, encoding="utf-8", newline="")
    return path
