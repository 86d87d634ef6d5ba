"""Erasure (PR-e), as the engine carries it out: what an ``erase_personal_data`` writes
into the texts that mention the person erased, and what it does to the history.

:meth:`ReviewEngine.erase <scr_engine.engine.ReviewEngine.erase>` and
:meth:`~scr_engine.engine.ReviewEngine.erase_person` run these; the command itself is
judged and applied as any other."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from attrs import evolve

from scr_engine._listing import load
from scr_engine.access import ReadPolicy, read_refusal
from scr_engine.commands import COMMANDS, ErasePersonalData
from scr_engine.errors import TransitionRefused
from scr_engine.errors.refusals import Refusal
from scr_engine.history import Event, scrub
from scr_engine.personal import (
    ERASED,
    Striker,
    mentions,
    personal_paths,
    text_paths,
    value_at,
)
from scr_engine.records import Actor, Review, TextRewrite
from scr_engine.serialization import unstructure
from scr_engine.states.stages import TERMINAL_STAGES
from scr_engine.storage.port import ReviewStore

__all__ = ["ended_holding", "holds", "paths_holding", "scrubbed", "with_rewrites"]


def with_rewrites(
    review: Review, command: ErasePersonalData, value: str | None
) -> ErasePersonalData:
    """The erasure with its ``rewrites`` filled in (PR-e): every text of the review that
    may name a person (:func:`~scr_engine.personal.text_paths`) and is not erased
    whole, with each mention of a value erased (``value``, or every value the erasure
    erases) struck out as the public export strikes it. Left as it is when its input
    is malformed: the judge refuses it."""
    paths, pseudonym = command.paths, command.pseudonym
    if not (paths is None or isinstance(paths, tuple)) or not isinstance(pseudonym, str):
        return command
    data = unstructure(review)
    held = dict(personal_paths(type(review), data))
    whole = set(held) if paths is None else {p for p in paths if isinstance(p, str)}
    values = {value} if value is not None else {held[p] for p in whole if p in held}
    striker = Striker(values, pseudonym or ERASED)
    rewrites = tuple(
        TextRewrite(path, striker(text))
        for path, text in text_paths(type(review), data)
        if path not in whole and striker.finds(text)
    )
    return evolve(command, rewrites=rewrites)


def holds(text: Any, value: str) -> bool:
    """Whether a personal value is ``value`` or mentions it as a whole word."""
    return isinstance(text, str) and (text == value or mentions(text, value))


def paths_holding(review: Any, history: Iterable[Event], value: str) -> tuple[str, ...] | None:
    """The personal fields of ``review`` holding exactly ``value`` (what
    :meth:`~scr_engine.engine.ReviewEngine.erase_person` erases); None when neither
    they, nor a text of the review, nor an event of its ``history`` holds it."""
    data = unstructure(review)
    record = type(review)
    paths = tuple(p for p, v in personal_paths(record, data) if v == value)
    mentioned = any(mentions(t, value) for _, t in text_paths(record, data))
    in_history = any(
        e.format != 1
        and any(
            path in e.salts and holds(value_at(e.payload, path), value) for path in e.commitments
        )
        for e in history
    )
    return paths if paths or mentioned or in_history else None


def ended_holding(
    store: ReviewStore, policy: ReadPolicy, actor: Actor, value: str
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each ended review of the store that ``actor`` may read and that holds ``value``,
    with the paths holding it, in id order (what
    :meth:`~scr_engine.engine.ReviewEngine.erase_person` erases). Reviews still open
    are left out (their evidence is still needed), and so are those the read policy
    keeps from the actor (PR-e: not theirs to read, so not theirs to erase)."""
    after: str | None = None
    while page := store.review_ids(after=after, limit=500):
        after = page[-1]
        for review_id in page:
            review = load(store, review_id)
            if review.stage not in TERMINAL_STAGES:
                continue
            if read_refusal(policy, review, actor) is not None:
                continue
            paths = paths_holding(review, store.history(review_id), value)
            if paths is not None:
                yield review_id, paths


def scrubbed(events: Iterable[Event], value: str | None) -> tuple[Event, ...]:
    """``events`` as an erasure of ``value`` (of every personal value when None) leaves
    them, only those it changes; refused when an event holds a value to erase that its
    hash covers (written before format 2, or before the field was classed personal)."""
    out = []
    for event in events:
        if event.format == 1:
            command = COMMANDS.get(event.command)
            values = [v for _, v in personal_paths(command, event.payload)] if command else []
            if values and (value is None or value in values):
                raise _unerasable(
                    f"event {event.sequence} was written before events committed to "
                    "personal values without holding them: erasing them would break the "
                    "history"
                )
            continue
        command = COMMANDS.get(event.command)
        for path, held in personal_paths(command, event.payload) if command else ():
            if (
                path not in event.commitments
                and held.strip()
                and held != ERASED
                and (value is None or holds(held, value))
            ):
                raise _unerasable(
                    f"event {event.sequence} holds {path} as it was before the field was "
                    "classed as personal data: its hash covers the text, so erasing it "
                    "would break the history"
                )
        changed = scrub(event, value)
        if changed is not event:
            out.append(changed)
    return tuple(out)


def _unerasable(why: str) -> TransitionRefused:
    """The refusal of an erasure that would break the history (PR-e)."""
    return TransitionRefused("erase_personal_data", [Refusal("PR-e", why)])
