"""The engine: the one place a command meets a review.

``ReviewEngine`` loads the review through the store port, judges the command (role,
stage, every guard), applies it, appends the hashed event and saves everything in one
atomic write. Time comes from the injected clock only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, overload

from attrs import evolve

from scr_engine._arguments import (
    MAX_PAGE,
    check_actor,
    check_count,
    check_day,
    check_id,
    check_now,
    check_overdue,
    check_parts,
    check_retry,
    command_name,
    new_id,
    raise_for,
    received_problems,
    recorded_protocol,
    refuse,
)
from scr_engine._erasure import ended_holding, scrubbed, with_rewrites
from scr_engine._listing import fulfilled, load, matching, pending_page, readable_overdue, scan_for
from scr_engine._options import CommandOption, command_options
from scr_engine._settings_book import (
    SettingsBook,
    admitted_again,
    check_settings,
    new_reference,
    protocol_named,
    request_problems,
    submission,
)
from scr_engine.access import DEFAULT_READ_POLICY, AccessEntry, ReadPolicy, read_refusal
from scr_engine.checkpoints import Checkpoint, CheckpointEntry, sign_checkpoint
from scr_engine.clock import Clock, SystemClock, local_date
from scr_engine.commands import Command, ErasePersonalData, ScrCommand
from scr_engine.errors import (
    ConcurrencyConflict,
    InvalidRequest,
    PermissionDenied,
    ReviewNotFound,
    StorageError,
)
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.history import Event, advance, replay, start
from scr_engine.integrity import Progress, VerifyReport, verify_store
from scr_engine.personal import SaltSource, new_salt
from scr_engine.protocols import DEFAULT as DEFAULT_PROTOCOL
from scr_engine.protocols import Protocol
from scr_engine.protocols import of as protocol_of
from scr_engine.publication import PublicReport, public_export
from scr_engine.records import Actor, RequestForm, Review, Role, Task, TaskState
from scr_engine.rules.deadlines import Deadline
from scr_engine.rules.judge import (
    acting_role,
    check_shape,
    judge,
    too_long,
)
from scr_engine.rules.settings import DEFAULT_SETTINGS, ProtocolSettings
from scr_engine.storage.port import DeadlineRow, ReviewStore

if TYPE_CHECKING:
    from typing import TypeAlias

    from scr_engine.protocols.sar.annual.commands import AnnualReportCommand
    from scr_engine.protocols.sar.annual.records import AnnualReport, AnnualReportForm
    from scr_engine.protocols.sar.commands import SarCommand
    from scr_engine.protocols.sar.records import Referral, SarReview
    from scr_engine.protocols.sar.settings import SarSettings

    AnyReview: TypeAlias = Review | SarReview | AnnualReport  # each shipped record

    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = ["CommandOption", "ReviewEngine"]


class ReviewEngine:
    """Runs the SCR protocol over a store.

    :param store: where reviews live (:class:`~scr_engine.MemoryStore`, the SQL store,
        or any :class:`~scr_engine.ReviewStore`).
    :param clock: where time comes from; the system clock (UTC) by default.
    :param settings: the protocol settings new reviews start under.
    :param known_settings: earlier settings that existing reviews may still use,
        found by their ``version`` (of any protocol: each settings class is its
        protocol's).
    :param protocol_settings: the settings new reviews of other protocols start under
        (a :class:`~scr_engine.protocols.sar.settings.SarSettings` for SARs, say);
        their definition's defaults for a protocol given none.
    :param new_id: makes review IDs: new ids, as :meth:`get` takes them (random UUIDs by default).
    :param salt: makes the random salts of the history's commitments to personal
        values and review states (16 random bytes, hex, by default; see
        :mod:`scr_engine.personal`).
    :param read_policy: who may read which review when a read names its actor
        (:class:`~scr_engine.access.ReadPolicy`; the Board's officers read everything,
        everyone else the reviews they are named on, by default).
    """

    def __init__(
        self,
        store: ReviewStore,
        clock: Clock | None = None,
        *,
        settings: ProtocolSettings = DEFAULT_SETTINGS,
        known_settings: Iterable[ProtocolSettings] = (),
        new_id: Callable[[], str] | None = None,
        salt: SaltSource | None = None,
        read_policy: ReadPolicy = DEFAULT_READ_POLICY,
        protocol_settings: Iterable[Any] = (),
    ) -> None:
        check_parts(store, clock, read_policy, new_id, salt)
        self.store = store
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.settings = settings
        others, known = check_settings(settings, protocol_settings, known_settings)
        self._book = SettingsBook((*others, settings), known)
        self._new_id = new_id if new_id is not None else (lambda: uuid.uuid4().hex)
        self._salt: SaltSource = salt if salt is not None else new_salt
        self.read_policy = read_policy

    # ----------------------------------------------------------------- commands

    # What a submission returns, by the protocol named (for type checkers: a SAR's
    # referral gives a SarReview, an annual report's form an AnnualReport).
    @overload
    def submit(
        self,
        request: RequestForm,
        actor: Actor,
        *,
        idempotency_key: str | None = None,
        received_on: date | None = None,
        protocol: Literal["scr"] = "scr",
    ) -> Review: ...
    @overload
    def submit(
        self,
        request: Referral,
        actor: Actor,
        *,
        idempotency_key: str | None = None,
        received_on: date | None = None,
        protocol: Literal["sar"],
    ) -> SarReview: ...
    @overload
    def submit(
        self,
        request: AnnualReportForm,
        actor: Actor,
        *,
        idempotency_key: str | None = None,
        received_on: date | None = None,
        protocol: Literal["sar-annual-report"],
    ) -> AnnualReport: ...
    @overload
    def submit(
        self,
        request: Any,
        actor: Actor,
        *,
        idempotency_key: str | None = None,
        received_on: date | None = None,
        protocol: str = DEFAULT_PROTOCOL.name,
    ) -> AnyReview: ...
    def submit(
        self,
        request: RequestForm | Any,
        actor: Actor,
        *,
        idempotency_key: str | None = None,
        received_on: date | None = None,
        protocol: str = DEFAULT_PROTOCOL.name,
    ) -> AnyReview:
        """Receive a request (the SCR's Appendix 1 form, or the request form of the
        review's protocol: a SAR's :class:`~scr_engine.protocols.sar.records.Referral`):
        a new review in ``requested``.

        ``protocol`` names the protocol the review runs under (the SCR by default;
        :func:`scr_engine.protocols.available` lists them): the review records it and
        the newest version of its definition. An unknown one is an
        :class:`InvalidRequest` on the field ``protocol``.

        ``received_on`` is the day the request was received, when it is recorded later
        (today by default; never in the future): the review's deadlines start from it.

        With ``idempotency_key``, a request sent again with the key of one already
        received (by the same actor, with the same form) returns that review as it was
        received, and creates nothing; the key with another form is refused
        (:class:`InvalidRequest`). Keys of submissions are unique per store.

        Raises :class:`PermissionDenied` if the actor may not submit requests (judged
        first: such a caller learns nothing about the form), else
        :class:`InvalidRequest` naming every missing or invalid field (RF-1, RF-2).
        """
        check_actor("submit_request", actor, self.settings.max_actor_length)
        definition, unknown = protocol_named(protocol)
        # Permission first: who may not submit learns nothing about the form (RF-1).
        role = acting_role(definition.row("submit_request"), actor)
        if role is None:
            held = ", ".join(sorted(r.value for r in actor.roles)) or "no role"
            takes = " or ".join(
                r.value for r in Role if r in definition.row("submit_request").roles
            )
            message = f"{actor.id} ({held}) may not submit a request: it takes the {takes} role"
            raise PermissionDenied(
                "submit_request", [Refusal("RF-1", message, RefusalKind.PERMISSION)]
            )
        if idempotency_key is not None:
            check_id("submit_request", idempotency_key, "idempotency_key")
            done = self._replayed(
                None, idempotency_key, submission(request, received_on, definition), actor
            )
            if done is not None:
                return done
        now = self._now()
        today = local_date(now)
        current = self._book.current(definition)
        refusals = request_problems(definition, request, actor, role, today, current, self.store)
        if unknown is not None:
            refusals.append(Refusal.input(unknown, "protocol"))
        refusals += received_problems(received_on, today)
        command: Command | None = None
        payload: dict[str, Any] | None = None
        if not refusals:
            command, payload, refusals = check_shape(submission(request, received_on, definition))
            if payload is not None and received_on is None:
                # Received the day it is recorded: the payload stays as it always was.
                payload = {k: v for k, v in payload.items() if k != "occurred_on"}
            if payload is not None:
                payload = recorded_protocol(payload)
        if payload is not None and not refusals:
            refusals = too_long(payload, self.settings)
        raise_for("submit_request", refusals)
        assert role is not None and payload is not None and command is not None
        reference = new_reference(definition, request, self.store, today.year)
        submitted: Any = evolve(
            command,  # type: ignore[misc]
            reference=reference,
            settings_version=current.version,
        )
        command = submitted
        payload = {
            **payload,
            "reference": submitted.reference,
            "settings_version": submitted.settings_version,
        }
        review, event = start(
            new_id(self.store, self._new_id()),
            command,
            payload,
            actor.id,
            role,
            now,
            salt=self._salt,
            key=idempotency_key,
        )
        try:
            self.store.save(review, event, (), self._rows(review, today), expected_version=0)
        except ConcurrencyConflict:
            # The same request, sent twice at once: the other one won; its review.
            done = (
                self._replayed(
                    None, idempotency_key, submission(request, received_on, definition), actor
                )
                if idempotency_key is not None
                else None
            )
            if done is None:
                raise
            return done
        except StorageError:
            # The reference the definition names is taken: by a review that the
            # judgement of what the store holds refuses now (SAR-A-5), stored meanwhile.
            raise_for("submit_request", admitted_again(definition, request, self.store))
            raise
        return review

    # What a command returns, by its protocol's base class (an SCR command gives a
    # Review, a SAR's a SarReview; a command every protocol takes, erasure, any one).
    @overload
    def execute(
        self,
        review_id: str,
        command: ScrCommand,
        actor: Actor,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Review: ...
    @overload
    def execute(
        self,
        review_id: str,
        command: SarCommand,
        actor: Actor,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> SarReview: ...
    @overload
    def execute(
        self,
        review_id: str,
        command: AnnualReportCommand,
        actor: Actor,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> AnnualReport: ...
    @overload
    def execute(
        self,
        review_id: str,
        command: Command,
        actor: Actor,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> AnyReview: ...
    def execute(
        self,
        review_id: str,
        command: Command,
        actor: Actor,
        expected_version: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> AnyReview:
        """Apply ``command`` to the review as ``actor``; return the updated review.

        Raises :class:`PermissionDenied` (wrong role, agency or appointment: judged
        first, and carrying those reasons alone, so a caller who may not issue the
        command learns nothing about its input), :class:`InvalidRequest` (malformed
        input), :class:`TransitionRefused` (a guard fails or the stage does not allow
        it), each listing every reason; :class:`ReviewNotFound`;
        :class:`ConcurrencyConflict` when ``expected_version`` is given and stale, or
        another writer saved first. A refused command changes nothing.

        ``idempotency_key`` makes a retry safe: a command sent again with the key of
        one already accepted on this review (after a timeout, say) returns the review
        as that command left it, and stores nothing; never a second event, never a
        :class:`ConcurrencyConflict`. The same key with another command is refused
        (:class:`InvalidRequest`). Keys are kept with the events, unique per review.
        """
        if isinstance(command, ErasePersonalData) and command.rewrites:
            raise refuse(
                "erase_personal_data",
                "rewrites are filled in by the engine, from what the erasure erases: "
                "leave them out",
                "rewrites",
            )
        return self._execute(review_id, command, actor, expected_version, key=idempotency_key)

    def _execute(
        self,
        review_id: str,
        command: Command,
        actor: Actor,
        expected_version: int | None = None,
        erase_value: str | None = None,
        key: str | None = None,
    ) -> AnyReview:
        name = command_name(command)
        check_actor(name, actor, self.settings.max_actor_length)
        check_id(name, review_id)
        if expected_version is not None:
            check_count(name, expected_version, "expected_version", 2**63 - 1)
        if key is not None:
            check_id(name, key, "idempotency_key")
        review = load(self.store, review_id)
        # PR-e: who may not read the review may not act on it (nor learn its stage
        # from a refusal, nor its content from a replayed result).
        self._may_act(review, actor, name)
        if key is not None:
            done = self._replayed(review_id, key, command, actor)
            if done is not None:
                return done
        if isinstance(command, ErasePersonalData):
            command = with_rewrites(review, command, erase_value)
        if expected_version is not None and expected_version != review.version:
            raise ConcurrencyConflict(review_id, expected_version, review.version)
        now = self._now()
        if name == "submit_request":
            raise_for(
                name,
                [
                    Refusal(
                        "MAP", "submit_request creates a review: use submit()", RefusalKind.STAGE
                    )
                ],
            )
        settings, definition = self._settings_of(review), self.definition(review)
        verdict = judge(review, command, actor, local_date(now), settings, definition)
        if verdict.refusals:
            # PR-e: a refusal tells its reader about the review: a read, logged. (An
            # accepted command needs no entry: its event records it.)
            self.store.log_access(review.id, now, actor.id, name, True)
        raise_for(name, verdict.refusals)
        assert verdict.command is not None and verdict.payload is not None
        assert verdict.role is not None
        scrubbed = (
            self._scrubbed(review_id, erase_value)
            if isinstance(verdict.command, ErasePersonalData)
            else ()
        )
        updated, event, tasks = advance(
            review,
            verdict.command,
            verdict.payload,
            actor.id,
            verdict.role,
            now,
            salt=self._salt,
            key=key,
            settings=settings,
        )
        changed = definition.clocks_changed(review, updated)
        rows = self._rows(updated, local_date(now)) if changed else None
        # Stores written before erasure (or task closing) need not take ``scrub``
        # (or ``close``): each is passed only when there is something to pass.
        extra: dict[str, Any] = {"scrub": scrubbed} if scrubbed else {}
        if closed := fulfilled(self.store, review_id, verdict.command):
            extra["close"] = closed
        try:
            self.store.save(updated, event, tasks, rows, expected_version=review.version, **extra)
        except ConcurrencyConflict:
            # The same command, sent twice at once: the other one won; its result.
            done = self._replayed(review_id, key, command, actor) if key is not None else None
            if done is None:
                raise
            return done
        return updated

    def definition(self, review: AnyReview) -> Protocol:
        """The protocol definition ``review`` runs under (the one it records).

        Raises :class:`~scr_engine.errors.UnknownProtocol` when this installation has
        no such definition (a store written where another protocol was registered).
        """
        return protocol_of(review)

    def _replayed(
        self, review_id: str | None, key: str, command: Command, actor: Actor
    ) -> Review | None:
        """The review as the command stored with ``key`` left it, if there is one and it
        is this very command by this actor; :class:`InvalidRequest` if the key was used
        for another; None if it is new."""
        found = self.store.find_key(key, review_id)
        if found is None:
            return None
        check_retry(found, command, actor)
        history = self.store.history(found.review_id)
        if found.sequence == len(history):
            return load(self.store, found.review_id)
        return replay(history[: found.sequence], settings=self._settings_of)

    def _scrubbed(self, review_id: str, value: str | None) -> tuple[Event, ...]:
        """The review's events as an erasure leaves them (:func:`scrubbed`)."""
        return scrubbed(self.store.history(review_id), value)

    def erase(
        self,
        review_id: str,
        actor: Actor,
        *,
        reasons: str,
        legal_basis: str,
        vacuum: bool = True,
    ) -> AnyReview:
        """Erase every personal value of an ended review (PR-e): from the review and
        from every event of its history (their hashes stay valid: they covered
        commitments, not values), recorded as ``erase_personal_data`` with the reasons
        and the legal basis. With ``vacuum``, the store then reclaims the space the
        erased values held (:meth:`SqlStore.vacuum
        <scr_engine.storage.sql.SqlStore.vacuum>`), so that no copy remains in its
        files. Refused as any command is: by role, by stage, without reasons."""
        check_id("erase_personal_data", review_id)
        review = self._execute(
            review_id, ErasePersonalData(reasons, legal_basis), actor, erase_value=None
        )
        if vacuum:
            self._vacuum()
        return review

    def erase_person(
        self,
        value: str,
        actor: Actor,
        *,
        reasons: str,
        legal_basis: str,
        pseudonym: str = "",
        vacuum: bool = True,
    ) -> list[str]:
        """Erase one person's data across every ended review (PR-e): each personal
        field holding exactly ``value`` (a name, an address …) becomes ``pseudonym``
        (``[erased]`` when none is given) in the review, and ``[erased]`` in its
        history; a personal text that mentions it (the report's list of the panel, say)
        keeps its other words, each mention struck out and replaced the same way
        (:class:`~scr_engine.records.TextRewrite`), and is ``[erased]`` whole in the
        history. Returns the ids of the reviews changed; reviews still open are left
        as they are (their evidence is still needed) and are not listed."""
        check_actor("erase_personal_data", actor, self.settings.max_actor_length)
        if type(value) is not str or not value.strip():
            raise InvalidRequest(
                "erase_personal_data",
                [Refusal("PR-e", "the value to erase must be given", RefusalKind.INPUT, "value")],
            )
        changed: list[str] = []
        for review_id, paths in ended_holding(self.store, self.read_policy, actor, value):
            command = ErasePersonalData(reasons, legal_basis, paths, pseudonym)
            self._execute(review_id, command, actor, erase_value=value)
            changed.append(review_id)
        if changed and vacuum:
            self._vacuum()
        return changed

    def _vacuum(self) -> None:
        vacuum = getattr(self.store, "vacuum", None)
        if callable(vacuum):
            vacuum()

    # ----------------------------------------------------------------- questions

    def explain(self, review_id: str, command: Command, actor: Actor) -> list[Refusal]:
        """Every reason ``command`` would be refused now; empty when it would be
        accepted. When the actor may not issue it at all (role, agency, appointment),
        those reasons alone, as :meth:`execute` raises them. Changes nothing."""
        name = command_name(command)
        check_actor(name, actor, self.settings.max_actor_length)
        check_id(name, review_id)
        review = load(self.store, review_id)
        self._may_read(review, actor, f"explain {name}")
        if name == "submit_request":
            return [
                Refusal("MAP", "submit_request creates a review: use submit()", RefusalKind.STAGE)
            ]
        today = local_date(self._now())
        settings = self._settings_of(review)
        return judge(review, command, actor, today, settings, self.definition(review)).refusals

    def options(self, review_id: str, actor: Actor) -> list[CommandOption]:
        """Every command of the review's stage (each row of the table valid from it),
        in the table's order, with every reason ``actor`` could not issue it now
        whatever its input: role, agency, panel-chair appointment, a guard that no
        input can satisfy (CR-1 for ``decline`` and ``recommend_alternative``); and
        for a command that takes no input (``convene_panel``, ``ratify`` …), every
        reason it would be refused. What a screen can offer. Changes nothing."""
        check_actor("options", actor, self.settings.max_actor_length)
        check_id("options", review_id)
        review = load(self.store, review_id)
        self._may_read(review, actor, "options")
        today, definition = local_date(self._now()), self.definition(review)
        return command_options(review, actor, today, self._settings_of(review), definition)

    def allowed(self, review_id: str, actor: Actor) -> list[str]:
        """The commands ``actor`` could issue on the review now: the names of the
        :meth:`options` with no reason against them. A command that needs no input
        (``convene_panel``, ``ratify`` …) is listed only if it would be accepted."""
        return [o.command for o in self.options(review_id, actor) if o.allowed]

    def get(self, review_id: str, actor: Actor | None = None) -> AnyReview:
        """The review at its latest version. With ``actor``, only if the read policy
        lets them read it (:class:`PermissionDenied`, PR-e, otherwise), and the read
        is logged; with none, as the host's trusted code (see :mod:`scr_engine.access`)."""
        review = load(self.store, check_id("get", review_id))
        self._may_read(review, actor, "get")
        return review

    def by_reference(self, reference: str, actor: Actor | None = None) -> AnyReview:
        """The review with this human reference (``SCR-2026-001``), as :meth:`get`
        gives it (``actor`` as there); :class:`~scr_engine.ReviewNotFound` when the
        store holds none."""
        check_id("by_reference", reference, "reference")
        finder = getattr(self.store, "review_id_of", None)
        # A store written before the port had the lookup: look at each review.
        review_id = finder(reference) if callable(finder) else scan_for(self.store, reference)
        if review_id is None:
            raise ReviewNotFound(reference, "reference")
        review = load(self.store, review_id)
        self._may_read(review, actor, "get")
        return review

    def reviews(
        self,
        *,
        stages: Iterable[str] | None = None,
        agency: str | None = None,
        text: str | None = None,
        overdue: bool = False,
        limit: int = 100,
        after: str | None = None,
        actor: Actor | None = None,
    ) -> list[AnyReview]:
        """The reviews matching every filter given, ordered by reference, ``limit`` at
        a time after the reference ``after``: at one of ``stages`` (stage codes, of any
        protocol); involving the agency code ``agency``; whose reference or an involved
        agency's code or name holds ``text`` (ignoring case); with a deadline overdue
        today (``overdue``). With ``actor``, only the reviews the read policy lets them
        read, each one listed logged as a read (PR-e); with none, as the host's trusted
        code. Reads every review of the store: meant for a Board's hundreds, not for
        millions."""
        check_count("reviews", limit, "limit", MAX_PAGE)
        if after is not None:
            check_id("reviews", after, "after")
        if actor is not None:
            check_actor("reviews", actor, self.settings.max_actor_length)
        overdue_on = local_date(self._now()) if overdue else None
        found: list[AnyReview] = list(
            matching(self.store, stages, agency, text, overdue_on, after, self._settings_of)
        )
        if actor is None:
            return found[:limit]
        shown = [r for r in found if read_refusal(self.read_policy, r, actor) is None][:limit]
        for review in shown:
            self.store.log_access(review.id, self._now(), actor.id, "reviews", True)
        return shown

    def history(self, review_id: str, actor: Actor | None = None) -> tuple[Event, ...]:
        """Every event of the review, in order (``actor`` as for :meth:`get`)."""
        check_id("history", review_id)
        if actor is not None:
            self._may_read(load(self.store, review_id), actor, "history")
        return self.store.history(review_id)

    def deadlines(
        self, review_id: str, as_of: date | None = None, actor: Actor | None = None
    ) -> tuple[Deadline, ...]:
        """Every deadline of the review with its status on ``as_of`` (today by default;
        ``actor`` as for :meth:`get`)."""
        check_id("deadlines", review_id)
        if as_of is not None:
            check_day("deadlines", as_of)
        review = load(self.store, review_id)
        self._may_read(review, actor, "deadlines")
        today = as_of if as_of is not None else local_date(self._now())
        return self.definition(review).deadlines(review, self._settings_of(review), today)

    def access_log(
        self,
        *,
        review_id: str | None = None,
        actor_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AccessEntry]:
        """Who read what, when (PR-e): the access log of one review or one actor (or
        all), oldest first, ``limit`` at a time."""
        if review_id is not None:
            check_id("access_log", review_id)
        if actor_id is not None:
            check_id("access_log", actor_id, "actor_id")
        check_count("access_log", limit, "limit", 2**31 - 1)
        check_count("access_log", offset, "offset", 2**63 - 1)
        return self.store.access_log(
            review_id=review_id, actor_id=actor_id, limit=limit, offset=offset
        )

    def _readable(self, review_id: str, actor: Actor, what: str) -> bool:
        """Whether ``actor`` may read the review; a granted read is logged (a review
        left out of a list is not a read)."""
        review = load(self.store, review_id)
        if read_refusal(self.read_policy, review, actor) is not None:
            return False
        self.store.log_access(review.id, self._now(), actor.id, what, True)
        return True

    def _may_act(self, review: Review, actor: Actor, command: str) -> None:
        """Refuse a command by an actor who may not read the review (PR-e), logging
        the refused read. An accepted command needs no entry: the history records it."""
        refusal = read_refusal(self.read_policy, review, actor)
        if refusal is None:
            return
        self.store.log_access(review.id, self._now(), actor.id, command, False)
        raise PermissionDenied(command, [refusal])

    def _may_read(self, review: Review, actor: Actor | None, what: str) -> None:
        """Check and log a read by ``actor`` (nothing for the host's own reads)."""
        if actor is None:
            return
        check_actor(what, actor, self.settings.max_actor_length)
        refusal = read_refusal(self.read_policy, review, actor)
        self.store.log_access(review.id, self._now(), actor.id, what, refusal is None)
        if refusal is not None:
            raise PermissionDenied(what, [refusal])

    def overdue(
        self,
        as_of: date | None = None,
        within_days: int = 0,
        *,
        limit: int = 100,
        after: tuple[date, str, str] | None = None,
        actor: Actor | None = None,
    ) -> list[DeadlineRow]:
        """What is late across every review on ``as_of`` (today by default), and with
        ``within_days`` what falls due in that many days more: running deadlines due
        before ``as_of + within_days``, ordered by due date, ``limit`` at a time.
        Pass the last row's ``sort_key`` as ``after`` for the next page. Each row's
        status is as of ``as_of``: overdue when due before it, else due.

        With ``actor``, only the rows of reviews the read policy lets them read, each
        such review's read logged (PR-e); with none, as the host's trusted code.
        """
        day = check_overdue(as_of, within_days, limit, after, local_date(self._now()))
        if actor is not None:
            check_actor("overdue", actor, self.settings.max_actor_length)
            return readable_overdue(
                self.store,
                day,
                within_days,
                limit,
                after,
                lambda review_id: self._readable(review_id, actor, "overdue"),
            )
        rows = self.store.overdue(day, within_days, limit=limit, after=after)
        # A stored row's status is as of the review's last change; report it as of ``day``.
        return [row.as_of(day) for row in rows]

    def _rows(self, review: Review, today: date) -> list[DeadlineRow]:
        settings, definition = self._settings_of(review), self.definition(review)
        return [DeadlineRow.of(review, d) for d in definition.deadlines(review, settings, today)]

    def pending_tasks(
        self,
        *,
        limit: int = 100,
        after: tuple[datetime, str] | None = None,
        actor: Actor | None = None,
    ) -> list[Task]:
        """Tasks emitted by commands (RF-5 letters and IMR writer requests) and not yet
        completed, oldest first, ``limit`` at a time: pass the last task's ``sort_key``
        as ``after`` for the next page. Each is delivered at least once: mark it with
        :meth:`complete_task` only after delivering it. Tasks of a review that has
        ended (withdrawn, closed, redirected, not taken forward) are left out: they
        are cancelled (:meth:`tasks` shows them so). With ``actor``, only the tasks
        of reviews the read policy lets them read, each such review's read logged
        (PR-e)."""
        limit = check_count("pending_tasks", limit, "limit", MAX_PAGE)
        if actor is None:
            return pending_page(self.store, limit, after, None)
        check_actor("pending_tasks", actor, self.settings.max_actor_length)
        return pending_page(self.store, limit, after, lambda i: self._readable(i, actor, "tasks"))

    def tasks(self, review_id: str, actor: Actor | None = None) -> list[TaskState]:
        """Every task the review emitted, oldest first, each with its
        :class:`~scr_engine.records.TaskStatus`: ``pending`` (deliver it), ``done``
        (marked delivered) or ``cancelled`` (not delivered, and the review has ended:
        do not send it; RF-5, PR-d). ``actor`` as for :meth:`get`."""
        check_id("tasks", review_id)
        if actor is not None:
            self._may_read(load(self.store, review_id), actor, "tasks")
        return self.store.tasks(review_id)

    def complete_task(self, task_id: str) -> None:
        """Mark a task delivered (:class:`~scr_engine.StorageError` for an unknown
        one). A cancelled task may be marked too (it was sent after all): it is then
        done."""
        self.store.complete_task(check_id("complete_task", task_id, "task_id"))

    def public_export(self, review_id: str, actor: Actor | None = None) -> PublicReport:
        """The public report of a ratified review (PR-e, RP-3): executive summary,
        recommendations and action plan, with no personal data
        (:func:`scr_engine.publication.public_export`). The one way to publish
        (``actor`` as for :meth:`get`)."""
        review = load(self.store, check_id("public_export", review_id))
        self._may_read(review, actor, "public_export")
        return public_export(review)

    # ----------------------------------------------------------------- integrity

    def checkpoint(self, signing_key: Ed25519PrivateKey) -> Checkpoint:
        """Sign a checkpoint of the whole store (every review's head, one Merkle root)
        with the Board's Ed25519 key, keep it in the store, and return it: keep a copy
        outside the database too (:meth:`Checkpoint.to_json
        <scr_engine.checkpoints.Checkpoint.to_json>`). Needs the ``integrity`` extra.

        With checkpoints kept outside, an attacker who can write to the database but
        has no key cannot change, insert, delete, reorder or truncate any event a
        checkpoint covers, nor restore an older copy of a review, without
        :meth:`verify` saying so."""
        entries = list(map(CheckpointEntry._make, self.store.heads()))
        checkpoint = sign_checkpoint(entries, self._now(), signing_key)
        self.store.save_checkpoint(checkpoint)
        return checkpoint

    def verify(
        self,
        checkpoint: Checkpoint | None = None,
        *,
        public_key: Ed25519PublicKey | None = None,
        progress: Progress | None = None,
        exact: bool = False,
    ) -> VerifyReport:
        """Check the whole store, and return a :class:`~scr_engine.integrity.VerifyReport`
        (``ok``, and every fault with its review, sequence, kind and message).

        For every review: its chain verifies; the replay of its history is the stored
        review; the stored columns, deadline rows and tasks are what the history
        implies. Then that the store extends ``checkpoint`` (by default the latest
        stored one, whose signature is checked with ``public_key`` when given): every
        review it covers is there, with the very events it covers. Events after the
        checkpoint are listed in ``uncovered``, and are faults with ``exact=True``.
        ``progress(done, total)`` is called after each review."""
        if checkpoint is not None and not isinstance(checkpoint, Checkpoint):
            raise refuse("verify", "checkpoint must be a Checkpoint", "checkpoint")
        if progress is not None and not callable(progress):
            raise refuse("verify", "progress must be callable", "progress")
        return verify_store(
            self.store,
            self._settings_of,
            checkpoint,
            public_key=public_key,
            progress=progress,
            exact=exact,
        )

    def _now(self) -> datetime:
        return check_now(self.clock.now())  # aware, or InvalidRequest: nothing stored

    @overload
    def settings_for(self, review: Review) -> ProtocolSettings: ...
    @overload
    def settings_for(self, review: SarReview | AnnualReport) -> SarSettings: ...
    @overload
    def settings_for(self, review: Any) -> Any: ...
    def settings_for(self, review: Any) -> Any:
        """The settings ``review`` started with (a SAR's, an annual report's: SarSettings)."""
        return self._settings_of(review)

    def _settings_of(self, review: AnyReview) -> Any:
        return self._book.of(review)
