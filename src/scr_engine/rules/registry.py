"""The rule registry: every rule of the protocol, in one place.

Each :class:`Rule` has its ID (as ``requirements.md`` and the refusals cite it), the
section of the source text it comes from, its text and its kind. A refusal's
``rule`` is always an ID of :data:`RULES` — a protocol rule, or one of the three the
engine adds for what no one rule of the text decides: ``MAP`` (the command is not
valid in the review's stage or not for this role, as the protocol's table says),
``INPUT`` (malformed data) and ``DATE`` (a happening dated after the day it is
recorded, or before the request's receipt or the review's current stage). A SAR's
refusal cites an ID of the SAR's registry (:mod:`scr_engine.protocols.sar.rules`),
which holds these three too. The tests prove that no refusal cites an ID missing
here, that every rule is enforced somewhere and named by a test, and the
documentation's rule catalogue is generated from it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from attrs import frozen

__all__ = ["RULES", "Rule", "RuleKind", "rule"]


class RuleKind(StrEnum):
    """What a rule asks of the engine (the kinds of ``requirements.md``)."""

    GUARD = "guard"
    """A transition is refused until it holds."""
    DEADLINE = "deadline"
    """A due date is computed and breaches are reported, never blocking the review."""
    DATA = "data"
    """A field or record the engine must hold."""
    ROLE = "role"
    """Who may do it."""
    OUTPUT = "output"
    """Something the engine produces for the people involved."""
    NONE = "none"
    """A principle with nothing to enforce (``PR-f``, co-operation)."""
    ENGINE = "engine"
    """Not a rule of the text: what the engine refuses for the table or the data."""


@frozen
class Rule:
    """One rule: its ID, the section of the source text it comes from, its text and
    its kind."""

    id: str
    section: str
    text: str
    kind: RuleKind

    @property
    def title(self) -> str:
        """A short title. A rule whose text opens with a bold heading, as the SAR's
        requirements write it ("**Publication record.** Recorded: …"), is titled by
        it ("Publication record"). Otherwise, the rule's text (markup and line breaks
        removed) to the end of its first clause, outside brackets, cut at a word
        before 80 characters; a very short first clause ("The alternative the Chair
        may recommend:") takes the next one with it."""
        heading = _HEADING.match(self.text)
        if heading:
            return heading.group(1)
        return _title(_BREAK.sub(" ", self.text).replace("**", "").replace("`", ""))

    @property
    def enforced(self) -> bool:
        """Whether the engine has something to enforce for it (every kind but
        ``none``)."""
        return self.kind is not RuleKind.NONE

    @property
    def protocol(self) -> bool:
        """Whether it is a rule of the protocol's text (not one the engine adds)."""
        return self.kind is not RuleKind.ENGINE


_K = RuleKind
_ALL = (
    Rule(
        "CR-1",
        "Criteria (§3)",
        "A vulnerable adult died (suicide included) and abuse or neglect is known or suspected to"
        " be a factor: the Board should **always** conduct a review. Screening such a request can"
        " only confirm an SCR; redirecting or declining it is refused.",
        _K.GUARD,
    ),
    Rule(
        "CR-2",
        "Criteria (§3)",
        "A vulnerable adult sustained a potentially life-threatening injury through abuse or "
        "neglect, **or** serious sexual abuse, **or** serious and permanent impairment of health "
        "(or mental health) or development through abuse or neglect — **and** the case gives rise"
        " to concerns about how local professionals and services work together: the criteria are "
        "met. Harm without the inter-agency concern does not meet CR-2.",
        _K.GUARD,
    ),
    Rule(
        "CR-3",
        "Criteria (§3)",
        "Serious abuse in an institution, or with multiple abusers: the same principles apply; "
        "the review is flagged *complex* (larger scale, more time) and its terms of reference "
        "must be specific to the case.",
        _K.DATA,
    ),
    Rule(
        "CR-4",
        "Criteria (§3)",
        "When no criterion is met, the Chair may recommend an alternative course: an Individual "
        "Practice Review or a Near Miss Review, or no review. The criteria assessment records "
        "which criteria were met and why, in words a Board can read.",
        _K.OUTPUT,
    ),
    Rule(
        "RF-1",
        "Referral (§4, Appendix 1)",
        "A request may come from a partner agency, the coroner, an MP, an Elected Member or "
        "another interested party; the requester's category is recorded.",
        _K.DATA,
    ),
    Rule(
        "RF-2",
        "Referral (§4, Appendix 1)",
        "The request is the Appendix 1 pro forma: requester (name, job title, organisation, "
        "workplace, address, contact number, email), another contact (name, job title, contact "
        "number, email), at least one incident (date, details), how it meets the criteria, "
        "agencies known to be involved, any other information, signed name and date. A form "
        "missing a required field is rejected with a message naming every missing field.",
        _K.DATA,
    ),
    Rule(
        "RF-3",
        "Referral (§4, Appendix 1)",
        "The Chair of the HSAB must be notified as soon as practicable; the date the Chair "
        "received the request is recorded and starts the clock.",
        _K.DEADLINE,
    ),
    Rule(
        "RF-4",
        "Referral (§4, Appendix 1)",
        "The Chair reviews the request against the criteria and either confirms an SCR or "
        "recommends an alternative (RF-4a Individual Practice Review, RF-4b Near Miss Review) or "
        "no review, then instructs the Business Manager. Only the board_chair may screen.",
        _K.ROLE,
    ),
    Rule(
        "RF-4a",
        "Referral (§4, Appendix 1)",
        "The alternative the Chair may recommend: an Individual Practice Review (part of RF-4).",
        _K.OUTPUT,
    ),
    Rule(
        "RF-4b",
        "Referral (§4, Appendix 1)",
        "The alternative the Chair may recommend: a Near Miss Review (part of RF-4).",
        _K.OUTPUT,
    ),
    Rule(
        "RF-5",
        "Referral (§4, Appendix 1)",
        "As soon as an SCR is confirmed, the Business Manager writes to every agency involved to "
        "secure its records, and requests the identification of IMR writers from each agency. The"
        " engine emits one task per agency for each.",
        _K.OUTPUT,
    ),
    Rule(
        "RF-6",
        "Referral (§4, Appendix 1)",
        "Where more than one local authority is involved, the lead authority is agreed and "
        "recorded before the panel is convened.",
        _K.GUARD,
    ),
    Rule(
        "SU-1",
        "Setting up (§5)",
        "The panel and the panel chair are appointed with no conflict of interest or previous "
        "involvement in the case: an appointee who declares involvement with the adult, the "
        "family or the case is refused (also principle PR-b).",
        _K.GUARD,
    ),
    Rule(
        "SU-2",
        "Setting up (§5)",
        "The panel has representation from every agency involved in the case — a floor, not a "
        "fence: it may also include the members the Membership guidance names who are not an "
        "involved agency (a representative of the subject or family, advocacy services, the "
        "relevant CQC inspector, the coroner, an independent sector provider representative, "
        "other professionals).",
        _K.GUARD,
    ),
    Rule(
        "SU-3",
        "Setting up (§5)",
        "Budgetary requirements are considered and recorded.",
        _K.DATA,
    ),
    Rule(
        "SU-4",
        "Setting up (§5)",
        "The panel chair sets the terms of reference and the timescales; the SCR is expected to "
        "complete within **6 months** (of the request's receipt unless the terms of reference set"
        " otherwise).",
        _K.DEADLINE,
    ),
    Rule(
        "SU-5",
        "Setting up (§5)",
        "The initial meeting is convened within **1 month** of receipt of the request.",
        _K.DEADLINE,
    ),
    Rule(
        "SU-6",
        "Setting up (§5)",
        "The initial meeting agrees terms of reference that address each of: most important "
        "issues; agencies to contribute and who else reports; how non-professionals contribute; "
        "the time period covered and its cut-off; helpful history; evidence required; how "
        "decisions were made, when, by whom and why; policies and procedures and whether "
        "followed; training required and provided; risk assessments; assessments and how needs "
        "were met; resource issues; racial, cultural, linguistic or religious issues; senior "
        "management knowledge and decisions; inter-agency working; coordination with parallel "
        "enquiries (e.g. the Coroner's Court, other Boards). The panel cannot be convened on "
        'terms of reference that leave one of these unaddressed (an item may be answered "not '
        'applicable", with a reason).',
        _K.GUARD,
    ),
    Rule(
        "SU-7",
        "Setting up (§5)",
        "The evidence required is set: which agencies provide IMRs (GPs, Ambulance Service, Fire "
        "Service etc. where involved), and who else should be asked to submit reports; an agency "
        "not named on the request can be brought into the review, and is then covered by every "
        "rule on involved agencies.",
        _K.DATA,
    ),
    Rule(
        "SU-8",
        "Setting up (§5)",
        "Whether to consult or involve the victim or their relatives is decided and recorded, "
        "with how they are represented (directly or via advocacy — Membership guidance).",
        _K.GUARD,
    ),
    Rule(
        "SU-9",
        "Setting up (§5)",
        "The Overview Report writer is appointed (by the board_chair, App. 2) before evidence is "
        "received, and attends all later meetings.",
        _K.GUARD,
    ),
    Rule(
        "SU-10",
        "Setting up (§5)",
        "Support and resources, meeting dates and venues, legal services needed (Data Protection,"
        " Freedom of Information, Human Rights Act) and, where needed, a media and communication "
        "strategy are recorded.",
        _K.DATA,
    ),
    Rule(
        "PR-a",
        "Principles (§5, Practice Guidance General Principles)",
        "Urgency: every step's date is recorded so delays are visible.",
        _K.DATA,
    ),
    Rule(
        "PR-b",
        "Principles (§5, Practice Guidance General Principles)",
        "Impartiality: those conducting the review were not directly concerned with the adult or "
        "the family (see SU-1; applies to panel, panel chair and overview writer).",
        _K.GUARD,
    ),
    Rule(
        "PR-c",
        "Principles (§5, Practice Guidance General Principles)",
        "Thoroughness: every involved agency contributes (see SU-2, EV-1).",
        _K.GUARD,
    ),
    Rule(
        "PR-d",
        "Principles (§5, Practice Guidance General Principles)",
        "Openness: no suspicion of concealment — every action on a review is recorded in an "
        "append-only history that shows who did what, when and why.",
        _K.OUTPUT,
    ),
    Rule(
        "PR-e",
        "Principles (§5, Practice Guidance General Principles)",
        "Confidentiality: personal data is marked; what can be made public (executive summary) "
        "excludes it.",
        _K.OUTPUT,
    ),
    Rule(
        "PR-f",
        "Principles (§5, Practice Guidance General Principles)",
        "Co-operation.",
        _K.NONE,
    ),
    Rule(
        "PR-g",
        "Principles (§5, Practice Guidance General Principles)",
        "Resolution: recommendations accepted by agencies become actions.",
        _K.GUARD,
    ),
    Rule(
        "PR-h",
        "Principles (§5, Practice Guidance General Principles)",
        "Review: action is taken to ensure recommendations are implemented (see AP-3).",
        _K.GUARD,
    ),
    Rule(
        "EV-1",
        "Evidence (§6)",
        "Each agency presents its Individual Management Review to the panel.",
        _K.GUARD,
    ),
    Rule(
        "EV-2",
        "Evidence (§6)",
        "The panel judges whether each IMR gives enough for a robust overview report; where not, "
        "further information is requested from that IMR writer, and the review waits for it.",
        _K.GUARD,
    ),
    Rule(
        "EV-3",
        "Evidence (§6)",
        "The panel confirms the brief for the overview report and instructs the writer.",
        _K.GUARD,
    ),
    Rule(
        "RP-1",
        "Report and action plan (§7, Appendices 2–3)",
        "The overview report is received within the timescale set at the initial meeting.",
        _K.DEADLINE,
    ),
    Rule(
        "RP-2",
        "Report and action plan (§7, Appendices 2–3)",
        "The overview report follows Appendix 3: Introduction (circumstances; terms of reference;"
        " contributors and their contributions; panel members and writer); The Facts (an "
        "integrated chronology of every agency's involvement, marking each occasion the adult was"
        " seen and their views and wishes sought or expressed; an overview of what was known); "
        "Analysis (how and why; hindsight; good practice); Conclusions and Recommendations "
        "(lessons; recommendations including those of the IMRs; national lessons highlighted). A "
        "report missing a section cannot be accepted.",
        _K.GUARD,
    ),
    Rule(
        "RP-3",
        "Report and action plan (§7, Appendices 2–3)",
        "An executive summary that can be made public accompanies the report.",
        _K.GUARD,
    ),
    Rule(
        "RP-4",
        "Report and action plan (§7, Appendices 2–3)",
        "Every contributing agency confirms that its information is fully and fairly represented "
        "before the panel presents the report for ratification.",
        _K.GUARD,
    ),
    Rule(
        "RP-5",
        "Report and action plan (§7, Appendices 2–3)",
        "Recommendations are translated into an action plan: every recommendation maps to at "
        "least one action.",
        _K.GUARD,
    ),
    Rule(
        "RP-6",
        "Report and action plan (§7, Appendices 2–3)",
        "To whom the report (or parts) is made available and by what means, and how it is "
        "disseminated (feedback, debriefs to staff, family and, where appropriate, media) are "
        "decided.",
        _K.DATA,
    ),
    Rule(
        "RP-7",
        "Report and action plan (§7, Appendices 2–3)",
        "The report records the date it was agreed at the HSAB (ratification). Only the Board "
        "ratifies: the board chair records it on the Board's behalf, or an actor holding the "
        "`board` role.",
        _K.ROLE,
    ),
    Rule(
        "AP-1",
        "Report and action plan (§7, Appendices 2–3)",
        "Each action states who is responsible, its timescale, its intended outcome and its "
        "monitoring mechanism (learning log).",
        _K.DATA,
    ),
    Rule(
        "AP-2",
        "Report and action plan (§7, Appendices 2–3)",
        "Each action's timescale is a deadline; overdue actions are reported.",
        _K.DEADLINE,
    ),
    Rule(
        "AP-3",
        "Report and action plan (§7, Appendices 2–3)",
        "The review is closed only when every action is completed and its outcome recorded in the"
        " learning log.",
        _K.GUARD,
    ),
    Rule(
        "OW-1",
        "Report and action plan (§7, Appendices 2–3)",
        "The overview writer is accountable to the subgroup_chair; meetings between writer and "
        "panel are recorded with their purpose (App. 2 objectives).",
        _K.DATA,
    ),
    Rule(
        "MAP",
        "The protocol's table of commands (map.md)",
        "A command is issued only from the stages the table allows, by a role the table "
        "names for it.",
        _K.ENGINE,
    ),
    Rule(
        "INPUT",
        "The engine",
        "A command's data has the shape and types its record declares, within the "
        "configured size limits.",
        _K.ENGINE,
    ),
    Rule(
        "DATE",
        "The engine",
        "A happening is dated (``occurred_on``) no later than the day it is recorded and "
        "no earlier than the request's receipt or the review's current stage.",
        _K.ENGINE,
    ),
)

RULES: Mapping[str, Rule] = MappingProxyType({r.id: r for r in _ALL})
"""Every rule by ID, in the order of ``requirements.md`` (then ``MAP``, ``INPUT`` and ``DATE``)."""


def rule(rule_id: str) -> Rule:
    """The rule with this ID; ``KeyError`` naming it when the registry has none."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"no rule {rule_id!r} in the registry") from None


_HEADING = re.compile(r"\*\*([^*]+?)\.\*\*")
"""A rule's own heading: the bold sentence its text opens with."""
_BREAK = re.compile(r"\s*<br>\s*(?:•\s*)?")
"""A line break of a requirements table's cell, with the bullet that may follow it."""


def _title(plain: str) -> str:
    depth, cut, start = 0, len(plain), 0
    for index, char in enumerate(plain):
        depth += char == "("
        depth -= char == ")"
        ends = char in ":;" or (char == "." and plain[index + 1 : index + 3].strip()[:1].isupper())
        if depth == 0 and ends and plain[index + 1 : index + 2] in (" ", ""):
            if index - start >= (45 if char == ":" else 30) or start:
                cut = index
                break
            start = index + 1
    head = plain[:cut].rstrip(".").strip()
    if len(head) > 80:
        head = head[:80].rsplit(" ", 1)[0].rstrip(",") + " …"
    return head
