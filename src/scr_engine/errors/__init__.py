"""The library's error tree: every error it raises derives from :class:`ScrEngineError`.

Each error also subclasses the built-in exception a caller would naturally catch
(``ValueError`` for bad input, ``PermissionError`` for a role that may not act,
``LookupError`` for an unknown review), so hosts can handle them either way.
Driver errors (sqlite3, psycopg, SQLAlchemy) never escape: stores translate them
into :class:`StorageError` (or :class:`ConcurrencyConflict`) with the cause chained.
"""

from __future__ import annotations

from collections.abc import Iterable

from scr_engine.errors.refusals import Refusal

__all__ = [
    "ConcurrencyConflict",
    "IntegrityError",
    "InvalidRequest",
    "PermissionDenied",
    "ReviewNotFound",
    "SchemaMismatch",
    "ScrEngineError",
    "StorageError",
    "TransitionRefused",
    "UnknownProtocol",
]


class ScrEngineError(Exception):
    """Base class of every error raised by scr_engine."""


def _summary(head: str, refusals: tuple[Refusal, ...]) -> str:
    lines = [head] + [f"  - {r}" for r in refusals]
    return "\n".join(lines)


class TransitionRefused(ScrEngineError, ValueError):
    """The protocol does not allow this command now.

    ``refusals`` lists *every* reason at once, each with the rule ID and a message.
    """

    def __init__(self, command: str, refusals: Iterable[Refusal]) -> None:
        self.command = command
        self.refusals: tuple[Refusal, ...] = tuple(refusals)
        # A refusal before any command is named (an empty name) reads "refused: …".
        super().__init__(_summary(f"{command} refused:" if command else "refused:", self.refusals))

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule IDs cited, in order, without repeats."""
        return tuple(dict.fromkeys(r.rule for r in self.refusals))


class PermissionDenied(TransitionRefused, PermissionError):
    """The actor holds no role that may issue this command (or not for that agency,
    or is not the review's appointed panel chair).

    It is a :class:`TransitionRefused` too. It is judged before anything else, and its
    ``refusals`` are the permission reasons alone: a caller who may not issue a
    command learns nothing about whether its input was valid (hosts map it to HTTP
    403).
    """


class InvalidRequest(TransitionRefused):
    """The input itself is malformed: missing or invalid fields, unknown agencies,
    unknown command names. Every problem is named at once in ``refusals``; nothing
    is stored."""


class ReviewNotFound(ScrEngineError, LookupError):
    """No review with this ID (or, from ``by_reference``, this reference) is stored."""

    def __init__(self, review_id: str, by: str = "id") -> None:
        self.review_id = review_id
        super().__init__(f"no review with {by} {review_id!r}")


class UnknownProtocol(ScrEngineError, LookupError):
    """No protocol definition has this name (and version).

    ``available`` lists the ``(name, version)`` of every registered definition.
    """

    def __init__(
        self, name: str, version: str | None, available: tuple[tuple[str, str], ...]
    ) -> None:
        self.name = name
        self.version = version
        self.available = available
        which = f"{name!r} version {version!r}" if version is not None else repr(name)
        known = ", ".join(f"{n} {v}" for n, v in available) or "none"
        super().__init__(f"no protocol {which}; available: {known}")


class ConcurrencyConflict(ScrEngineError, RuntimeError):
    """Someone else changed the review first: reload it and try again.

    Raised when ``expected_version`` does not match the stored version, or when two
    writers race to save the same review (one wins, the other gets this error).
    """

    def __init__(self, review_id: str, expected: int | None, actual: int | None) -> None:
        self.review_id = review_id
        self.expected = expected
        self.actual = actual
        if actual is not None:
            said = f"review {review_id!r} is at version {actual}, not the expected {expected}"
        elif expected is not None:
            said = f"review {review_id!r} was changed by another writer since version {expected}"
        else:
            said = f"review {review_id!r} was changed by another writer meanwhile"
        super().__init__(f"{said}: reload it and try again")


class IntegrityError(ScrEngineError, RuntimeError):
    """A stored review disagrees with its own history: its row was edited, its
    newest events deleted or forged, or its history no longer verifies.

    ``problems`` says what disagrees, one sentence each. The engine applies no command
    on top of such a review and writes nothing; :meth:`ReviewEngine.verify
    <scr_engine.ReviewEngine.verify>` reports the whole store.
    """

    def __init__(self, review_id: str, problems: Iterable[str]) -> None:
        self.review_id = review_id
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(
            f"review {review_id!r} fails its integrity check: " + "; ".join(self.problems)
        )


class StorageError(ScrEngineError, RuntimeError):
    """The store failed for a reason of its own (the driver's error is chained)."""


class SchemaMismatch(StorageError):
    """The database's schema is not the revision this version of scr_engine needs.

    ``current`` is the revision(s) the database is at (empty when it has no
    scr_engine schema), ``expected`` the revision(s) this version needs. When the
    database is behind, the message names the command that upgrades it
    (``python -m scr_engine db upgrade --url URL``); when it is ``ahead`` (upgraded by
    a newer scr_engine), upgrade the library instead.
    """

    def __init__(
        self,
        message: str,
        *,
        current: tuple[str, ...] = (),
        expected: tuple[str, ...] = (),
        ahead: bool = False,
    ) -> None:
        self.current = current
        self.expected = expected
        self.ahead = ahead
        super().__init__(message)
