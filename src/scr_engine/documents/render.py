"""Rendering the documents from the Jinja2 templates shipped in the package.

Jinja2 is imported here only, when a document is first rendered: the ``documents``
extra (``pip install 'scr_engine[documents]'``). HTML templates are autoescaped; in
Markdown templates every value printed is escaped as Markdown
(:func:`scr_engine.documents.escape.md_inline`) unless a template marks it as already
Markdown, so that no text from a review is read as markup. In both, a control or
bidirectional formatting character is shown as its code point (``U+202E``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from attrs import frozen

from scr_engine.board import DEFAULT_BOARD, BoardIdentity
from scr_engine.documents import build
from scr_engine.documents.escape import md_block, md_inline, visible_controls
from scr_engine.documents.register import as_identity, register_csv
from scr_engine.errors import InvalidRequest, ScrEngineError
from scr_engine.errors.refusals import Refusal
from scr_engine.history import Event
from scr_engine.protocols.scr import DOCUMENTS as SCR_DOCUMENTS
from scr_engine.records import Review
from scr_engine.rules.settings import DEFAULT_SETTINGS, ProtocolSettings

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

__all__ = [
    "DOCUMENTS",
    "PUBLIC_DOCUMENTS",
    "Document",
    "Format",
    "export_all",
    "render",
    "render_all",
]

Format = Literal["md", "html"]
"""A document's format: Markdown or self-contained HTML."""

DOCUMENTS: tuple[str, ...] = SCR_DOCUMENTS
"""Every document, by its stable name (also its file name's tail): the SCR
definition's list, :data:`scr_engine.protocols.scr.DOCUMENTS`."""

PUBLIC_DOCUMENTS: frozenset[str] = frozenset({"public-report"})
"""The documents that hold no personal data (built from the public export alone):
marked with the Board's ``public_marking``; every other document holds personal data
and carries its ``marking`` (OFFICIAL-SENSITIVE by default)."""


@frozen
class Document:
    """One rendered document."""

    name: str
    """One of :data:`DOCUMENTS`."""
    fmt: Format
    title: str
    text: str
    missing: tuple[str, ...]
    """What the review does not hold yet, which the document says is missing."""
    marking: str = ""
    """The protective marking printed at its top and bottom (:data:`PUBLIC_DOCUMENTS`
    carry the Board's ``public_marking``, the others its ``marking``)."""

    @property
    def filename(self) -> str:
        """``<name>.<fmt>``."""
        return f"{self.name}.{self.fmt}"


def _markdown_value(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return md_inline(str(value))


def _html_value(value: Any) -> Any:
    """A value printed in HTML with its control and bidirectional characters shown
    (:func:`~scr_engine.documents.escape.visible_controls`), then autoescaped."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(visible_controls(str(value)))
    if value is None or hasattr(value, "__html__"):
        return value
    return visible_controls(str(value))


def _refused_input(field: str, message: str) -> InvalidRequest:
    """The error for a document name or format no document has: an
    :class:`~scr_engine.errors.InvalidRequest` (a ``ValueError``) on ``field``."""
    return InvalidRequest("render", [Refusal.input(message, field)])


def _check_format(fmt: object) -> None:
    """Refuse a format other than ``md`` and ``html`` (:func:`_refused_input`)."""
    if fmt not in ("md", "html"):
        raise _refused_input("fmt", f"no format {fmt!r}: md or html")


def _rendered(name: str, fmt: Format, template: str, context: dict[str, Any]) -> Document:
    """The document ``name`` in ``fmt``, from the template ``template`` (its path
    without the format and ``.j2``) and its ``context``, whose ``title``, ``missing``
    and ``board``'s ``marking`` the document carries."""
    html, md = _environments()
    text = (html if fmt == "html" else md).get_template(f"{template}.{fmt}.j2").render(context)
    title, missing = context["title"], tuple(context["missing"])
    return Document(name, fmt, title, text, missing, context["board"]["marking"])


@functools.cache
def _environments() -> tuple[jinja2.Environment, jinja2.Environment]:
    try:
        import jinja2
        from markupsafe import Markup
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ScrEngineError(
            "the documents need Jinja2: pip install 'scr_engine[documents]'"
        ) from exc
    loader = jinja2.PackageLoader("scr_engine.documents", "templates")
    common: dict[str, Any] = {
        "loader": loader,
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    html = jinja2.Environment(autoescape=True, finalize=_html_value, **common)
    md = jinja2.Environment(autoescape=False, finalize=_markdown_value, **common)
    md.filters["block"] = lambda text: Markup(md_block(str(text)))
    md.filters["raw"] = lambda text: Markup(str(text))
    html.filters["block"] = lambda text: [p for p in re.split(r"\n\s*\n", str(text)) if p.strip()]
    html.filters["dates"] = _html_dates
    return html, md


_ISO_DAY = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b")


def _html_dates(value: Any) -> Any:
    """``value`` escaped, each ISO date in it kept on one line (``<span
    class="date">``: a date never breaks at its hyphens)."""
    from markupsafe import Markup, escape

    text = str(escape("" if value is None else value))
    return Markup(_ISO_DAY.sub(lambda m: f'<span class="date">{m.group(0)}</span>', text))


def _context(
    name: str,
    review: Review,
    settings: ProtocolSettings,
    as_of: date,
    history: Sequence[Event] | None,
) -> dict[str, Any]:
    if name == "request":
        return build.request_context(review, as_of)
    if name == "chronology":
        return build.chronology_context(review, as_of)
    if name == "overview":
        return build.overview_context(review, as_of)
    if name == "action-plan":
        return build.action_plan_context(review, settings, as_of)
    if name == "public-report":
        return build.public_report_context(review, as_of)
    if name == "timeline":
        return build.timeline_context(review, settings, as_of, history)
    raise _refused_input("name", f"no document {name!r}: one of {', '.join(DOCUMENTS)}")


def _identity(board: BoardIdentity, name: str) -> dict[str, str]:
    return {
        "name": board.name,
        "area": board.area if board.area.casefold() not in board.name.casefold() else "",
        "logo_text": board.logo_text,
        "marking": board.public_marking if name in PUBLIC_DOCUMENTS else board.marking,
    }


def render(
    name: str,
    review: Review,
    *,
    fmt: Format = "md",
    as_of: date,
    settings: ProtocolSettings = DEFAULT_SETTINGS,
    history: Sequence[Event] | None = None,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> Document:
    """One document of ``review`` (``name`` one of :data:`DOCUMENTS`) as it stands on
    ``as_of``, in Markdown or HTML. ``settings`` are the review's protocol settings
    (:meth:`scr_engine.ReviewEngine.settings_for`); ``history`` (the review's events)
    dates the stages of the timeline; ``board`` is the Board's identity
    (:meth:`ReviewStore.board_identity <scr_engine.ReviewStore.board_identity>`; a
    text is taken as its name), printed with the document's protective marking at
    its top and bottom. A document the review cannot complete yet says what is
    missing."""
    _check_format(fmt)
    context = _context(name, review, settings, as_of, history)
    context["board"] = _identity(as_identity(board), name)
    return _rendered(name, fmt, name, context)


def render_all(
    review: Review,
    *,
    fmt: Format = "md",
    as_of: date,
    settings: ProtocolSettings = DEFAULT_SETTINGS,
    history: Sequence[Event] | None = None,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> list[Document]:
    """Every document of :data:`DOCUMENTS`, in that order."""
    return [
        render(name, review, fmt=fmt, as_of=as_of, settings=settings, history=history, board=board)
        for name in DOCUMENTS
    ]


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def export_all(
    review: Review,
    settings: ProtocolSettings,
    as_of: date,
    fmt: Format,
    out_dir: Path,
    *,
    history: Sequence[Event] | None = None,
    board: BoardIdentity | str = DEFAULT_BOARD,
) -> list[Path]:
    """Write every document of ``review`` into ``out_dir`` (created if need be) and
    the register row as CSV, each naming the Board (``board``) and carrying its
    protective marking; the paths written, in :data:`DOCUMENTS` order, then the
    register. Files are ``<reference>-<name>.<fmt>`` and
    ``<reference>-register.csv`` (the reference made safe for a file name), UTF-8,
    overwritten if there."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", review.reference).strip("._") or "review"
    written: list[Path] = []
    documents = render_all(
        review, fmt=fmt, as_of=as_of, settings=settings, history=history, board=board
    )
    for document in documents:
        path = out_dir / f"{stem}-{document.filename}"
        path.write_text(document.text, encoding="utf-8", newline="")
        written.append(path)
    path = out_dir / f"{stem}-register.csv"
    path.write_text(register_csv([review], settings, as_of, board), encoding="utf-8", newline="")
    written.append(path)
    return written
