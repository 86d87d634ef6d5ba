"""Who may read a review, and the log of every read (PR-e).

A Board configures a :class:`ReadPolicy`: for each role, how far a holder of it may
read (:class:`ReadScope`): every review, the reviews of their own agency, only the
reviews they are named on, or none. An actor reads as far as the widest scope among
their roles. A *restricted* review (``restrict_access``) is readable only by the
people named on it (:meth:`Review.named <scr_engine.Review.named>`: requester,
appointees, IMR writers, and the readers the chair gave), whatever their scope.

The engine's read methods (``get``, ``history``, ``deadlines``, ``public_export``)
follow the policy when given an ``actor``, refusing with
:class:`~scr_engine.PermissionDenied` (PR-e), and record every read, granted or
refused, in the review's access log: append-only, hash-chained like the history, kept
in the same store and checked by ``verify``. Called with no actor they read as the
host's trusted code: nothing is checked and nothing is logged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from attrs import field, frozen

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.history import GENESIS
from scr_engine.records import Actor
from scr_engine.serialization import canonical_json
from scr_engine.states.roles import Role

__all__ = [
    "DEFAULT_READ_POLICY",
    "GENESIS",
    "AccessEntry",
    "ReadPolicy",
    "ReadScope",
    "Readable",
    "access_entry",
    "access_log_problems",
    "read_refusal",
]


class ReadScope(StrEnum):
    """How far a role reads."""

    ALL = "all"
    """Every review (restricted ones only when named on them)."""
    AGENCY = "agency"
    """Reviews involving the actor's agency, and those they are named on."""
    NAMED = "named"
    """Only reviews the actor is named on."""
    NONE = "none"
    """No review, not even one they are named on."""


_ORDER = (ReadScope.NONE, ReadScope.NAMED, ReadScope.AGENCY, ReadScope.ALL)


def _scopes(value: Mapping[Role, ReadScope]) -> Mapping[Role, ReadScope]:
    return MappingProxyType({Role(k): ReadScope(v) for k, v in value.items()})


@frozen
class ReadPolicy:
    """The Board's read policy: each role's :class:`ReadScope` (roles not listed read
    nothing)."""

    scopes: Mapping[Role, ReadScope] = field(converter=_scopes)

    def scope(self, actor: Actor) -> ReadScope:
        """The widest scope among the actor's roles."""
        found = [self.scopes.get(role, ReadScope.NONE) for role in actor.roles]
        return max(found, key=_ORDER.index, default=ReadScope.NONE)


class Readable(Protocol):
    """What the read policy reads of a review, whatever its protocol."""

    @property
    def reference(self) -> str: ...
    @property
    def restricted(self) -> bool: ...
    @property
    def agencies(self) -> tuple[str, ...]: ...
    def named(self) -> frozenset[str]: ...


DEFAULT_READ_POLICY = ReadPolicy(
    {
        Role.BOARD_CHAIR: ReadScope.ALL,
        Role.BOARD: ReadScope.ALL,
        Role.BUSINESS_MANAGER: ReadScope.ALL,
        Role.SUBGROUP_CHAIR: ReadScope.ALL,
        Role.PANEL_CHAIR: ReadScope.NAMED,
        Role.OVERVIEW_WRITER: ReadScope.NAMED,
        Role.PANEL_MEMBER: ReadScope.NAMED,
        Role.IMR_WRITER: ReadScope.NAMED,
        Role.REQUESTER: ReadScope.NAMED,
        Role.REFERRER: ReadScope.NAMED,
        Role.LEAD_REVIEWER: ReadScope.NAMED,
        Role.AGENCY_CONTRIBUTOR: ReadScope.AGENCY,
        Role.LA_ADVOCACY_LEAD: ReadScope.ALL,
    }
)
"""The Board's officers (and, for SARs, the local authority's advocacy lead, who
judges s.68 advocacy on every one) read every review; an agency contributor to a SAR
the reviews involving their agency; everyone else the reviews they are named on."""


def read_refusal(policy: ReadPolicy, review: Readable, actor: Actor) -> Refusal | None:
    """Why ``actor`` may not read ``review`` under ``policy`` (None when they may)."""
    scope = policy.scope(actor)
    if scope is ReadScope.NONE:
        return Refusal(
            "PR-e",
            f"{actor.id} may not read reviews (no role of theirs reads any)",
            RefusalKind.PERMISSION,
        )
    named = actor.id in review.named()
    if review.restricted:
        if named:
            return None
        return Refusal(
            "PR-e",
            f"{actor.id} may not read review {review.reference}: it is restricted to the "
            "people named on it",
            RefusalKind.PERMISSION,
        )
    if (
        scope is ReadScope.ALL
        or named
        or (
            scope is ReadScope.AGENCY
            and actor.agency is not None
            and actor.agency in review.agencies
        )
    ):
        return None
    return Refusal(
        "PR-e",
        f"{actor.id} may not read review {review.reference} (read scope: {scope.value})",
        RefusalKind.PERMISSION,
    )


@frozen
class AccessEntry:
    """One read of one review by one actor: what, when, granted or refused; chained
    per review like the history (``prev_hash``, ``hash``)."""

    review_id: str
    sequence: int
    at: datetime
    actor_id: str
    what: str
    granted: bool
    prev_hash: str
    hash: str

    def body(self) -> dict[str, object]:
        """What the hash covers."""
        return {
            "review_id": self.review_id,
            "sequence": self.sequence,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "what": self.what,
            "granted": self.granted,
            "prev_hash": self.prev_hash,
        }


def access_entry(
    review_id: str,
    sequence: int,
    at: datetime,
    actor_id: str,
    what: str,
    granted: bool,
    prev_hash: str,
) -> AccessEntry:
    """A new entry, hashed."""
    draft = AccessEntry(review_id, sequence, at, actor_id, what, granted, prev_hash, "")
    digest = hashlib.sha256(canonical_json(draft.body()).encode("utf-8")).hexdigest()
    return AccessEntry(review_id, sequence, at, actor_id, what, granted, prev_hash, digest)


def access_log_problems(entries: list[AccessEntry] | tuple[AccessEntry, ...]) -> list[str]:
    """What is wrong with one review's access log (in sequence order): an entry
    edited, deleted, inserted or reordered."""
    problems = []
    prev = GENESIS
    for position, entry in enumerate(entries, start=1):
        if entry.sequence != position:
            problems.append(f"access {position}: sequence {entry.sequence}")
        if entry.prev_hash != prev:
            problems.append(f"access {position}: does not follow the entry before it")
        again = access_entry(
            entry.review_id,
            entry.sequence,
            entry.at,
            entry.actor_id,
            entry.what,
            entry.granted,
            entry.prev_hash,
        )
        if again.hash != entry.hash:
            problems.append(f"access {position}: has been altered")
        prev = entry.hash
    return problems
