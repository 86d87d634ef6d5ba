"""Rendering the documents from the Jinja2 templates shipped in the package.

Jinja2 is imported here only, when a document is first rendered: the ``documents``
extra (``pip install 'scr_engine[documents]'``). HTML templates are autoescaped; in
Markdown templates every value printed is escaped as Markdown
(:func:`scr_engine.documents.escape.md_inline`) unless a template marks it as already
Markdown, so that no text from a review is read as markup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from attrs import frozen

from scr_engine.documents import build
from scr_engine.documents.escape import md_block, md_inline
from scr_engine.documents.register import BOARD, register_csv
from scr_engine.errors import ScrEngineError
from scr_engine.history import Event
from scr_engine.records import Review
from scr_engine.rules.settings import DEFAULT_SETTINGS, ProtocolSettings

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

__all__ = ["DOCUMENTS", "Document", "Format", "export_all", "render", "render_all"]

Format = Literal["md", "html"]
"""A document's format: Markdown or self-contained HTML."""

DOCUMENTS: tuple[str, ...] = (
    "request",
    "chronology",
    "overview",
    "action-plan",
    "public-report",
    "timeline",
)
"""Every document, by its stable name (also its file name's tail)."""


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
    html = jinja2.Environment(autoescape=True, **common)
    md = jinja2.Environment(autoescape=False, finalize=_markdown_value, **common)
    md.filters["block"] = lambda text: Markup(md_block(str(text)))
    md.filters["raw"] = lambda text: Markup(str(text))
    html.filters["block"] = lambda text: [p for p in re.split(r"\n\s*\n", str(text)) if p.strip()]
    return html, md


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
    raise ValueError(f"no document {name!r}: one of {', '.join(DOCUMENTS)}")


def render(
    name: str,
    review: Review,
    *,
    fmt: Format = "md",
    as_of: date,
    settings: ProtocolSettings = DEFAULT_SETTINGS,
    history: Sequence[Event] | None = None,
) -> Document:
    """One document of ``review`` (``name`` one of :data:`DOCUMENTS`) as it stands on
    ``as_of``, in Markdown or HTML. ``settings`` are the review's protocol settings
    (:meth:`scr_engine.ReviewEngine.settings_for`); ``history`` (the review's events)
    dates the stages of the timeline. A document the review cannot complete yet says
    what is missing."""
    if fmt not in ("md", "html"):
        raise ValueError(f"no format {fmt!r}: md or html")
    html, md = _environments()
    context = _context(name, review, settings, as_of, history)
    template = (html if fmt == "html" else md).get_template(f"{name}.{fmt}.j2")
    text = template.render(context)
    return Document(name, fmt, context["title"], text, tuple(context["missing"]))


def render_all(
    review: Review,
    *,
    fmt: Format = "md",
    as_of: date,
    settings: ProtocolSettings = DEFAULT_SETTINGS,
    history: Sequence[Event] | None = None,
) -> list[Document]:
    """Every document of :data:`DOCUMENTS`, in that order."""
    return [
        render(name, review, fmt=fmt, as_of=as_of, settings=settings, history=history)
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
    board: str = BOARD,
) -> list[Path]:
    """Write every document of ``review`` into ``out_dir`` (created if need be) and
    the register row as CSV; the paths written, in :data:`DOCUMENTS` order, then the
    register. Files are ``<reference>-<name>.<fmt>`` and
    ``<reference>-register.csv`` (the reference made safe for a file name), UTF-8,
    overwritten if there."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", review.reference).strip("._") or "review"
    written: list[Path] = []
    for document in render_all(review, fmt=fmt, as_of=as_of, settings=settings, history=history):
        path = out_dir / f"{stem}-{document.filename}"
        path.write_text(document.text, encoding="utf-8", newline="")
        written.append(path)
    path = out_dir / f"{stem}-register.csv"
    path.write_text(register_csv([review], settings, as_of, board), encoding="utf-8", newline="")
    written.append(path)
    return written
