"""The review: everything recorded on it, at one version."""

from datetime import date

from attrs import frozen

from scr_engine.records.changes import Extension, Joining, Pause, Replacement, TermsRevision
from scr_engine.records.evidence import Imr, WriterMeeting
from scr_engine.records.report import Action, Dissemination, LearningLogEntry, OverviewReport
from scr_engine.records.request import Agency, AlternativeReview, CriteriaAssessment, RequestForm
from scr_engine.records.setup import Appointment, Budget, ImrWriter, TermsOfReference
from scr_engine.states.stages import Stage

__all__ = [
    "Review",
]


@frozen
class Review:
    """A Serious Case Review: everything recorded on it, at one version.

    ``version`` counts the history events; ``head`` is the hash of the last one.
    A review always equals the replay of its history (:func:`scr_engine.replay`).
    """

    id: str
    reference: str
    stage: Stage
    version: int
    head: str
    settings_version: str
    request: RequestForm
    requested_by: str
    received_on: date
    chair_received_on: date | None = None
    assessment: CriteriaAssessment | None = None
    alternative: AlternativeReview | None = None
    outcome_reasons: str = ""
    records_secured: frozenset[str] = frozenset()
    imr_writers: tuple[ImrWriter, ...] = ()
    lead_authority: str | None = None
    panel_chair: Appointment | None = None
    panel_members: tuple[Appointment, ...] = ()
    overview_writer: Appointment | None = None
    budget: Budget | None = None
    terms_of_reference: TermsOfReference | None = None
    initial_meeting_on: date | None = None
    imrs: tuple[Imr, ...] = ()
    overview_brief: str = ""
    writer_meetings: tuple[WriterMeeting, ...] = ()
    overview_report: OverviewReport | None = None
    overview_first_received_on: date | None = None
    signoffs: frozenset[str] = frozenset()
    actions: tuple[Action, ...] = ()
    dissemination: Dissemination | None = None
    ratified_on: date | None = None
    learning_log: tuple[LearningLogEntry, ...] = ()
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    closed_on: date | None = None
    joined_agencies: tuple[Agency, ...] = ()
    """Agencies brought into the review after the request (``add_agency``, SU-7)."""
    restricted: bool = False
    """Only the people named on the review, and its ``readers``, may read it (PR-e)."""
    readers: frozenset[str] = frozenset()
    """Actor ids given access to a restricted review (``restrict_access``)."""
    replaced: tuple[Replacement, ...] = ()
    """People who no longer act on the review: replaced or stood down, oldest first."""
    terms_revisions: tuple[TermsRevision, ...] = ()
    """Terms of reference replaced by a revision, oldest first."""
    stage_entered_on: date | None = None
    """The day the current stage was entered (the ``occurred_on`` of the command that
    led to it); None in a review recorded before that day was kept."""
    last_signoff_on: date | None = None
    """The day of the last agency sign-off of the current report (RP-4)."""
    joinings: tuple[Joining, ...] = ()
    """The day each agency of ``joined_agencies`` joined, in the same order; empty in
    a review recorded before that day was kept."""
    protocol: str = "scr"
    """The code of the protocol the review runs under (:mod:`scr_engine.protocols`);
    a review recorded before reviews kept it runs under the SCR."""
    protocol_version: str = "1"
    """The version of that protocol's definition."""

    @property
    def agencies(self) -> tuple[str, ...]:
        """Codes of the agencies involved: those on the request form, then those
        brought in since (SU-7)."""
        codes = self.request.agency_codes()
        if self.joined_agencies:
            codes += tuple(a.code for a in self.joined_agencies)
        return codes

    @property
    def involved_agencies(self) -> tuple[Agency, ...]:
        """The agencies involved, as records (local authority or not, RF-6)."""
        return self.request.agencies + self.joined_agencies

    @property
    def complex(self) -> bool:
        """CR-3 met: a complex review."""
        return self.assessment is not None and self.assessment.complex

    @property
    def imr_agencies(self) -> tuple[str, ...]:
        """The agencies that must provide an IMR (SU-7): as the terms of reference set,
        else every agency involved."""
        if self.terms_of_reference is not None:
            return self.terms_of_reference.imr_agencies
        return self.agencies

    @property
    def paused(self) -> bool:
        """A pause is in force."""
        return bool(self.pauses) and self.pauses[-1].ended_on is None

    def named(self) -> frozenset[str]:
        """The ids of the people named on the review: its requester, panel chair,
        panel members, overview writer, IMR writers, and its ``readers``."""
        people = {self.requested_by, *self.readers}
        for appointment in (self.panel_chair, self.overview_writer, *self.panel_members):
            if appointment is not None:
                people.add(appointment.person_id)
        people.update(writer.person_id for writer in self.imr_writers)
        return frozenset(people)

    def joined_on(self, agency: str) -> date | None:
        """The day ``agency`` was brought into the review (``add_agency``); None for an
        agency named on the request, or one that joined before the day was kept."""
        for joining in self.joinings:
            if joining.agency == agency:
                return joining.on
        return None

    def imr(self, agency: str) -> Imr | None:
        """The IMR received from an agency, if any."""
        for imr in self.imrs:
            if imr.agency == agency:
                return imr
        return None

    def action(self, action_id: str) -> Action | None:
        """The action with this ID, if any."""
        for action in self.actions:
            if action.id == action_id:
                return action
        return None
