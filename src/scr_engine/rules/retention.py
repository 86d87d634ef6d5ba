"""Confidentiality (PR-e): who may read a review, and personal data erased, or
pseudonymised, when a review has ended.

The Board's chair may restrict a review to the people named on it and the readers the
chair names (``restrict_access``), at any stage, with reasons; the engine's read
methods then refuse everybody else (see :mod:`scr_engine.access`).

Confidentiality (PR-e) and data protection (UK GDPR: storage limitation, erasure)
mean a review's personal data is kept no longer than its retention period. Once the
review has ended (closed, redirected, not taken forward or withdrawn) the business
manager, who keeps the Board's records, or the Board's chair may erase every personal
field of it, or pseudonymise some of them (the fields holding one person's data),
giving the reasons and the legal basis (``erase_personal_data``). The erasure is itself
recorded in the history; the history keeps verifying, since each event committed to
its personal values without containing them.
"""

from __future__ import annotations

from typing import Any

from scr_engine import commands as c
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.personal import ERASED, personal_paths, strikes_only, text_paths
from scr_engine.records import Review
from scr_engine.rules.common import Context, need_text
from scr_engine.serialization import unstructure

__all__ = ["erase_personal_data", "erasure_problems", "restrict_access"]


def erase_personal_data(review: Review, cmd: c.ErasePersonalData, ctx: Context) -> list[Refusal]:
    """The SCR's erasure guard (PR-e): :func:`erasure_problems` citing PR-e."""
    return erasure_problems(review, cmd, "PR-e")


def erasure_problems(review: Any, cmd: c.ErasePersonalData, rule: str) -> list[Refusal]:
    """Every reason an erasure of ``review`` (a record of any protocol) is refused,
    citing ``rule`` (the protocol's own rule of erasure): no reasons, no legal basis, a
    path that is not a personal field of the record, a rewrite that does more than
    strike a mention."""
    out: list[Refusal] = []
    need_text(out, cmd.reasons, rule, "reasons", "the reasons for the erasure")
    need_text(out, cmd.legal_basis, rule, "legal_basis", "the legal basis of the erasure")
    data = unstructure(review)
    record = type(review)
    held = dict(personal_paths(record, data))
    out.extend(_rewrite_problems(cmd, held, dict(text_paths(record, data)), rule))
    if cmd.paths is not None:
        for index, path in enumerate(cmd.paths):
            if path not in held:
                out.append(
                    Refusal(
                        rule,
                        f"{path!r} is not a personal field of this review",
                        RefusalKind.INPUT,
                        f"paths[{index}]",
                    )
                )
    return out


def _rewrite_problems(
    cmd: c.ErasePersonalData, held: dict[str, str], texts: dict[str, str], rule: str
) -> list[Refusal]:
    """Each rewrite must strike spans of a text of the review that may name a person
    (personal or free text), and nothing else: no other character changed, no field
    also erased whole."""
    out: list[Refusal] = []
    mark = cmd.pseudonym or ERASED
    whole = set(held) if cmd.paths is None else set(cmd.paths)
    seen: set[str] = set()
    for index, rewrite in enumerate(cmd.rewrites):
        where = f"rewrites[{index}]"
        if rewrite.path not in texts:
            message = f"{rewrite.path!r} is not a text of this review that may name a person"
        elif rewrite.path in whole or rewrite.path in seen:
            message = f"{rewrite.path!r} is erased whole, or rewritten twice, by this erasure"
        elif not strikes_only(texts[rewrite.path], rewrite.text, mark):
            message = (
                f"the rewrite of {rewrite.path!r} must only strike spans of the text, each "
                f"replaced by {mark!r}, and change nothing else"
            )
        else:
            seen.add(rewrite.path)
            continue
        seen.add(rewrite.path)
        out.append(Refusal(rule, message, RefusalKind.INPUT, where))
    return out


def restrict_access(review: Review, cmd: c.RestrictAccess, ctx: Context) -> list[Refusal]:
    out: list[Refusal] = []
    need_text(out, cmd.reasons, "PR-e", "reasons", "the reasons for restricting access")
    for index, reader in enumerate(cmd.readers):
        if not isinstance(reader, str) or not reader.strip():
            out.append(
                Refusal("PR-e", "a reader is an actor id", RefusalKind.INPUT, f"readers[{index}]")
            )
    return out
