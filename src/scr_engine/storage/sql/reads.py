"""Reading one review whole (:meth:`SqlStore.load <scr_engine.storage.sql.SqlStore.load>`):
its row and last event in one statement, then, for a review the store has not checked
in this exact text before, its history, all checked against each other.

A review the store checked at an earlier version (a command since was another
process's, or another store's) has only its events since that version read and
checked, chained to the head it had: its earlier events were checked then, and only
an erasure rewrites them, which keeps their hashes (the whole store's ``verify``
checks every event again).

The two statements run without a shared snapshot (autocommit, one statement each: a
read costs no BEGIN and ROLLBACK). Events are only ever appended, except by an erasure,
which rewrites their values in place: one committed between the two statements leaves
the row from before it and the history from after, which disagree. So when they
disagree, the row is read again: if it changed, the review moved during the read and
the read starts over; if it did not, nothing moved and the disagreement is the store's
(:class:`~scr_engine.IntegrityError`).
"""

from __future__ import annotations

from scr_engine.binding import column_problems, review_problems
from scr_engine.errors import IntegrityError, ReviewNotFound, StorageError
from scr_engine.records.envelope import Envelope
from scr_engine.storage.sql.connections import Connections
from scr_engine.storage.sql.errors import _translated
from scr_engine.storage.sql.review_json import _Cached, _decode_entry, _ReviewCache
from scr_engine.storage.sql.rows import _decode_event
from scr_engine.storage.sql.statements import _Sql

__all__ = ["READ_ATTEMPTS", "load_review"]

READ_ATTEMPTS = 4
"""How many times a load reads a review that keeps moving under it before it reports
what it found (each start over needs another writer's commit inside the read)."""


def load_review(db: Connections, sql: _Sql, cache: _ReviewCache, review_id: str) -> Envelope:
    """The review at its latest version, checked against its history (see the module);
    :class:`~scr_engine.ReviewNotFound` if none, :class:`~scr_engine.IntegrityError`
    if they disagree."""
    problems: list[str] = []
    attempts = 0  # reads judged on the whole history
    incremental = True
    while True:
        with _translated(f"loading review {review_id!r}"), db.reading() as session:
            row = session.run(sql.load, (review_id, review_id)).fetchone()
            if row is None:
                raise ReviewNotFound(review_id)
            text, stage, version, head, last, last_hash, last_state = row
            cached = cache.get(review_id)
            if cached is not None and cached.text == text:
                review = cached.review
                if (
                    last == version == review.version
                    and last_hash == head == review.head
                    and stage == str(review.stage)
                    and last_state == cached.state
                ):
                    return review
            try:
                entry = _decode_entry(text, cached)
            except StorageError as exc:
                raise IntegrityError(
                    review_id, [f"the stored review cannot be read: {exc}"]
                ) from exc
            review = entry.review
            upto = last if last is not None and last > version else version
            after = _checked_before(cached, review_id, version) if incremental else None
            if after is not None:
                rows = session.run(sql.history_between, (review_id, after[0], upto)).fetchall()
                events = tuple(_decode_event(found) for found in rows)
                if events and events[-1].format == 1:  # bound by a replay of them all
                    after = None
            if after is None:
                rows = session.run(sql.history_upto, (review_id, upto)).fetchall()
                events = tuple(_decode_event(found) for found in rows)
        problems = column_problems(review, stage=stage, version=version, head=head or "")
        problems.extend(review_problems(review, events, after=after))
        if not problems:
            entry.state = events[-1].state
            cache.put(review_id, entry)
            return review
        if after is not None:
            # Judged on its events since the version checked before: judge it again on
            # its whole history (a store restored from a backup and written since
            # holds a history that left the one this store knew), at no cost of an
            # attempt.
            incremental = False
            continue
        attempts += 1
        if attempts == READ_ATTEMPTS or not _moved(db, sql, review_id, tuple(row)):
            break  # nothing moved: the disagreement is stored
    raise IntegrityError(review_id, problems)


def _checked_before(cached: _Cached | None, review_id: str, version: int) -> tuple[int, str] | None:
    """``(version, head)`` of the review as this store last checked it (loaded with
    its history, or saved with its new event), when the stored review is a later
    version of it: only the events since need checking, chained to that head. None
    when there is no such version (none cached, or the stored one is not later)."""
    if cached is None:
        return None
    known = cached.review
    if known.id != review_id or not 0 < known.version < version or not known.head:
        return None
    return known.version, known.head


def _moved(db: Connections, sql: _Sql, review_id: str, row: tuple[object, ...]) -> bool:
    """Whether the review's row and last event are no longer ``row`` (read before)."""
    with _translated(f"loading review {review_id!r}"), db.reading() as session:
        again = session.run(sql.load, (review_id, review_id)).fetchone()
    return again is None or tuple(again) != row
