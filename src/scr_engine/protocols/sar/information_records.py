"""An information request's own record (``sar/map.md`` §2): one per
``request_information`` under a review, with its state (``sent``, ``answered``,
``refused``, ``withdrawn``; overdue is derived from the due date), its response, the
items supplied (tagged with the request, SAR-I-6), escalations, and each disclosure of
what was supplied with its purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from attrs import field, frozen

from scr_engine.marks import TEXT

__all__ = [
    "PUBLIC",
    "SAB_FUNCTIONS",
    "Disclosure",
    "Escalation",
    "InformationRequest",
    "RequestStatus",
    "ResponseKind",
    "uncleared_items",
]

SAB_FUNCTIONS: tuple[str, ...] = (
    "deciding_on_a_sar",
    "carrying_out_a_sar",
    "strategic_plan",
    "annual_report",
    "helping_and_protecting_adults",
)
"""The SAB's functions (Care Act 2014 s.43–s.45, Sch. 2): the only purposes for which
information supplied under a request may be used or disclosed (SAR-I-6)."""


PUBLIC = "public"
"""The recipient that clears items for publication: a disclosure recorded ``to`` it
(``record_disclosure``, for an SAB function) is the Board's decision that those items
may appear in what it publishes (SAR-I-6, SAR-P-6). Until then the engine's published
outputs strike them out."""


class RequestStatus(StrEnum):
    """Where a request stands (``map.md`` §2)."""

    SENT = "sent"
    ANSWERED = "answered"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ResponseKind(StrEnum):
    """A response (SAR-I-5): supplied, in part, or refused with stated grounds."""

    SUPPLIED = "supplied"
    PARTIAL = "partial"
    REFUSED = "refused"


@frozen
class Escalation:
    """What the board_chair did about a late or refused request (SAR-I-5): recorded,
    never automated."""

    on: date
    by: str
    action: str = field(metadata=TEXT)


@frozen
class Disclosure:
    """A use or disclosure of information supplied under a request, with its purpose (an
    SAB function, SAR-I-6)."""

    on: date
    by: str
    purpose: str
    to: str
    items: tuple[str, ...]


@frozen
class InformationRequest:
    """One request under a review (SAR-I-1): its id (``IR-<n>``, in the order sent),
    kind (``s45`` or ``voluntary``, SAR-I-2), addressee, the SAB function it serves,
    when it was sent and is due, and everything since."""

    id: str
    kind: str
    addressee: str
    function: str
    sent_on: date
    due_on: date | None = None
    scoping: bool = False
    status: RequestStatus = RequestStatus.SENT
    response: ResponseKind | None = None
    responded_on: date | None = None
    grounds: str = field(default="", metadata=TEXT)
    supplied: tuple[str, ...] = ()
    """The items supplied, each tagged with this request (SAR-I-6)."""
    escalations: tuple[Escalation, ...] = ()
    withdrawn_on: date | None = None
    withdrawn_reasons: str = field(default="", metadata=TEXT)
    disclosures: tuple[Disclosure, ...] = ()
    reported_overdue_on: date | None = None
    """When the board_chair was told the s.45 request is overdue (SAR-I-5)."""

    @property
    def cleared(self) -> frozenset[str]:
        """The items supplied that a disclosure :data:`PUBLIC` cleared for publication."""
        return frozenset(
            item for d in self.disclosures if d.to == PUBLIC for item in d.items
        ) & frozenset(self.supplied)

    @property
    def uncleared(self) -> frozenset[str]:
        """The items supplied and not cleared: kept out of published outputs (SAR-P-6)."""
        return frozenset(self.supplied) - self.cleared

    def overdue(self, today: date) -> bool:
        """Whether it is still awaited after its due date (derived, not a state)."""
        return self.status is RequestStatus.SENT and self.due_on is not None and today > self.due_on


def uncleared_items(requests: Iterable[InformationRequest]) -> frozenset[str]:
    """Every item supplied under ``requests`` and not cleared for publication (SAR-I-6,
    SAR-P-6): what the engine's published outputs strike out. An item cleared under one
    request and supplied uncleared under another stays struck."""
    return frozenset(item for r in requests for item in r.uncleared)
