"""The review's documents (issue 12): the Appendix 1 request, the integrated
chronology, the overview report in the Appendix 3 structure, the action plan, the
public report, the timeline, in Markdown and self-contained HTML, and the register
row as CSV; and a Safeguarding Adults Review's documents (:mod:`.sar`: the referral,
the decision record, the terms of reference, the report, the publishable summary, the
action plan and the timeline; and :mod:`.sar_letters`, the letter of each information
request and the reminder of an overdue one).

Import it explicitly (``import scr_engine.documents``): the core never does. Rendering
needs the ``documents`` extra (Jinja2), imported on first use; the chronology and the
register need nothing more than the core.

>>> from scr_engine.documents import export_all
>>> export_all(review, engine.settings_for(review), as_of, "html", Path("out"),
...            history=engine.history(review.id))          # doctest: +SKIP
"""

from __future__ import annotations

from scr_engine.documents.chronology import Chronology, integrated_chronology, merge_chronologies
from scr_engine.documents.escape import md_block, md_inline
from scr_engine.documents.register import (
    BOARD,
    REGISTER_FIELDS,
    RegisterField,
    register_csv,
    register_row,
)
from scr_engine.documents.render import (
    DOCUMENTS,
    PUBLIC_DOCUMENTS,
    Document,
    Format,
    export_all,
    render,
    render_all,
)
from scr_engine.documents.sar import (
    SAR_DOCUMENTS,
    SAR_PUBLIC_DOCUMENTS,
    render_all_sar,
    render_sar,
)
from scr_engine.documents.sar_letters import (
    LETTERS,
    is_letter,
    letter_names,
    render_all_letters,
    render_letter,
)
from scr_engine.documents.sar_register import register_csv_of, sar_register_row
from scr_engine.documents.timeline import Timeline, review_timeline

__all__ = [
    "BOARD",
    "DOCUMENTS",
    "LETTERS",
    "PUBLIC_DOCUMENTS",
    "REGISTER_FIELDS",
    "SAR_DOCUMENTS",
    "SAR_PUBLIC_DOCUMENTS",
    "Chronology",
    "Document",
    "Format",
    "RegisterField",
    "Timeline",
    "export_all",
    "integrated_chronology",
    "is_letter",
    "letter_names",
    "md_block",
    "md_inline",
    "merge_chronologies",
    "register_csv",
    "register_csv_of",
    "register_row",
    "render",
    "render_all",
    "render_all_letters",
    "render_all_sar",
    "render_letter",
    "render_sar",
    "review_timeline",
    "sar_register_row",
]
