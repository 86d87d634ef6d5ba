"""The envelope every review record has, whatever its protocol.

A protocol's review record (:attr:`Protocol.record <scr_engine.protocols.Protocol.record>`:
:class:`~scr_engine.records.Review` for the SCR, the SAR's and the annual report's
records for theirs) is its own class; what a store keeps beside it, and what reads
every protocol's reviews alike, is only this envelope.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

__all__ = ["ENVELOPE_FIELDS", "Envelope"]


@runtime_checkable
class Envelope(Protocol):
    """What every review record has, whatever its protocol: what a store keeps
    beside the record (:class:`~scr_engine.storage.port.ReviewStore`) and the
    engine's settings book reads. Narrow it to the protocol's record class
    (``isinstance(record, Review)``) to read the rest."""

    @property
    def id(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def stage(self) -> str:
        """The stage's code (an SCR's :class:`~scr_engine.states.Stage` is one)."""
        ...

    @property
    def version(self) -> int: ...
    @property
    def head(self) -> str: ...
    @property
    def settings_version(self) -> str: ...
    @property
    def requested_by(self) -> str: ...
    @property
    def received_on(self) -> date: ...
    @property
    def protocol(self) -> str: ...
    @property
    def protocol_version(self) -> str: ...


ENVELOPE_FIELDS: tuple[str, ...] = tuple(
    name for name, member in vars(Envelope).items() if isinstance(member, property)
)
"""The names of the envelope's fields, in :class:`Envelope`'s order: every
protocol's record class has a field of each name (a definition whose record lacks
one is refused: :meth:`Protocol.problems <scr_engine.protocols.Protocol.problems>`)."""
