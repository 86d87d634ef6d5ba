"""The engine: the one place a command meets a review.

``ReviewEngine`` loads the review through the store port, judges the command (role,
stage, every guard), applies it, appends the hashed event and saves everything in one
atomic write. Time comes from the injected clock only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from attrs import NOTHING, evolve, fields

from scr_engine.access import DEFAULT_READ_POLICY, AccessEntry, ReadPolicy, read_refusal
from scr_engine.checkpoints import Checkpoint, CheckpointEntry, sign_checkpoint
from scr_engine.clock import Clock, SystemClock, local_date
from scr_engine.commands import COMMANDS, Command, ErasePersonalData, SubmitRequest
from scr_engine.errors import (
    ConcurrencyConflict,
    InvalidRequest,
    PermissionDenied,
    ScrEngineError,
    TransitionRefused,
)
from scr_engine.history import Event, advance, scrub, start
from scr_engine.integrity import Progress, VerifyReport, verify_store
from scr_engine.personal import SaltSource, new_salt, personal_paths, value_at
from scr_engine.publication import PublicReport, public_export
from scr_engine.records import Actor, RequestForm, Review, Task
from scr_engine.rules.deadlines import Deadline, clocks_changed, deadlines
from scr_engine.rules.judge import acting_role, check_shape, judge, standing
from scr_engine.rules.reasons import Refusal, RefusalKind
from scr_engine.rules.request import validate_request
from scr_engine.rules.settings import DEFAULT_SETTINGS, ProtocolSettings
from scr_engine.serialization import text_problems, unstructure
from scr_engine.states.machine import commands_from
from scr_engine.states.stages import TERMINAL_STAGES
from scr_engine.states.table import TABLE, row
from scr_engine.storage.port import DeadlineRow, ReviewStore

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = ["ReviewEngine"]


def _check_actor(command: str, actor: Any) -> None:
    """Refuse, before anything is read or stored, an actor that is not an
    :class:`Actor` or whose id is not non-empty text that every store can keep and
    every hash can cover (the history records the id as text)."""
    if not isinstance(actor, Actor):
        message = f"the actor must be an Actor, not {type(actor).__name__}"
        raise InvalidRequest(command, [Refusal("INPUT", message, RefusalKind.INPUT, "actor")])
    actor_id = actor.id
    if type(actor_id) is not str or not actor_id.strip():
        message = f"an actor's id must be non-empty text, not {actor_id!r}"
        raise InvalidRequest(command, [Refusal("INPUT", message, RefusalKind.INPUT, "actor.id")])
    problems = text_problems(actor_id, "actor.id")
    if problems:
        raise InvalidRequest(command, problems)


def _raise_for(command: str, refusals: list[Refusal]) -> None:
    if not refusals:
        return
    kinds = {r.kind for r in refusals}
    if RefusalKind.INPUT in kinds:
        raise InvalidRequest(command, refusals)
    if RefusalKind.PERMISSION in kinds:
        raise PermissionDenied(command, refusals)
    raise TransitionRefused(command, refusals)


class ReviewEngine:
    """Runs the SCR protocol over a store.

    :param store: where reviews live (:class:`~scr_engine.MemoryStore`, the SQL store,
        or any :class:`~scr_engine.ReviewStore`).
    :param clock: where time comes from; the system clock (UTC) by default.
    :param settings: the protocol settings new reviews start under.
    :param known_settings: earlier settings that existing reviews may still use,
        found by their ``version``.
    :param new_id: makes review IDs (a random UUID by default).
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
    ) -> None:
        self.store = store
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.settings = settings
        self._settings = {s.version: s for s in (*known_settings, settings)}
        self._new_id = new_id if new_id is not None else (lambda: uuid.uuid4().hex)
        self._salt: SaltSource = salt if salt is not None else new_salt
        self.read_policy = read_policy

    # ----------------------------------------------------------------- commands

    def submit(self, request: RequestForm, actor: Actor) -> Review:
        """Receive an Appendix 1 request: a new review in ``requested``.

        Raises :class:`InvalidRequest` naming every missing or invalid field (RF-1,
        RF-2), :class:`PermissionDenied` if the actor may not submit requests.
        """
        _check_actor("submit_request", actor)
        now = self.clock.now()
        today = local_date(now)
        refusals = validate_request(request, today)
        command: Command | None = None
        payload: dict[str, Any] | None = None
        if not refusals:
            command, payload, refusals = check_shape(SubmitRequest(request))
        role = acting_role(row("submit_request"), actor)
        if role is None:
            refusals.append(
                Refusal(
                    "RF-1",
                    f"{actor.id} may not submit a request: it takes the requester or "
                    "business_manager role",
                    RefusalKind.PERMISSION,
                )
            )
        _raise_for("submit_request", refusals)
        assert role is not None and payload is not None
        assert isinstance(command, SubmitRequest)
        command = evolve(
            command,
            reference=self.store.next_reference(today.year),
            settings_version=self.settings.version,
        )
        payload = {
            **payload,
            "reference": command.reference,
            "settings_version": command.settings_version,
        }
        review, event = start(
            self._new_id(), command, payload, actor.id, role, now, salt=self._salt
        )
        self.store.save(review, event, (), self._rows(review, today), expected_version=0)
        return review

    def execute(
        self, review_id: str, command: Command, actor: Actor, expected_version: int | None = None
    ) -> Review:
        """Apply ``command`` to the review as ``actor``; return the updated review.

        Raises :class:`InvalidRequest` (malformed input), :class:`PermissionDenied`
        (wrong role or agency), :class:`TransitionRefused` (a guard fails or the stage
        does not allow it), each listing every reason; :class:`ReviewNotFound`;
        :class:`ConcurrencyConflict` when ``expected_version`` is given and stale, or
        another writer saved first. A refused command changes nothing.
        """
        return self._execute(review_id, command, actor, expected_version)

    def _execute(
        self,
        review_id: str,
        command: Command,
        actor: Actor,
        expected_version: int | None = None,
        erase_value: str | None = None,
    ) -> Review:
        _check_actor(getattr(command, "name", "command"), actor)
        review = self.store.load(review_id)
        if expected_version is not None and expected_version != review.version:
            raise ConcurrencyConflict(review_id, expected_version, review.version)
        now = self.clock.now()
        name = getattr(command, "name", type(command).__name__)
        if isinstance(command, SubmitRequest):
            _raise_for(
                name,
                [
                    Refusal(
                        "MAP", "submit_request creates a review: use submit()", RefusalKind.STAGE
                    )
                ],
            )
        verdict = judge(review, command, actor, local_date(now), self._settings_of(review))
        _raise_for(name, verdict.refusals)
        assert verdict.command is not None and verdict.payload is not None
        assert verdict.role is not None
        scrubbed = (
            self._scrubbed(review_id, erase_value)
            if isinstance(verdict.command, ErasePersonalData)
            else ()
        )
        updated, event, tasks = advance(
            review, verdict.command, verdict.payload, actor.id, verdict.role, now, salt=self._salt
        )
        rows = self._rows(updated, local_date(now)) if clocks_changed(review, updated) else None
        if scrubbed:
            self.store.save(
                updated, event, tasks, rows, expected_version=review.version, scrub=scrubbed
            )
        else:  # stores written before erasure need not take ``scrub``
            self.store.save(updated, event, tasks, rows, expected_version=review.version)
        return updated

    def _scrubbed(self, review_id: str, value: str | None) -> tuple[Event, ...]:
        """The review's events as an erasure leaves them (only those it changes);
        refused when a format-1 event holds a value to erase (its hash covers it)."""
        out = []
        for event in self.store.history(review_id):
            if event.format == 1:
                command = COMMANDS.get(event.command)
                values = [v for _, v in personal_paths(command, event.payload)] if command else []
                if values and (value is None or value in values):
                    raise TransitionRefused(
                        "erase_personal_data",
                        [
                            Refusal(
                                "PR-e",
                                f"event {event.sequence} was written before events committed "
                                "to personal values without holding them: erasing them would "
                                "break the history",
                            )
                        ],
                    )
                continue
            scrubbed = scrub(event, value)
            if scrubbed is not event:
                out.append(scrubbed)
        return tuple(out)

    def erase(
        self,
        review_id: str,
        actor: Actor,
        *,
        reasons: str,
        legal_basis: str,
        vacuum: bool = True,
    ) -> Review:
        """Erase every personal value of an ended review (PR-e): from the review and
        from every event of its history (their hashes stay valid: they covered
        commitments, not values), recorded as ``erase_personal_data`` with the reasons
        and the legal basis. With ``vacuum``, the store then reclaims the space the
        erased values held (:meth:`SqlStore.vacuum
        <scr_engine.storage.sql.SqlStore.vacuum>`), so that no copy remains in its
        files. Refused as any command is: by role, by stage, without reasons."""
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
        history. Returns the ids of the reviews changed; reviews still open are left
        as they are (their evidence is still needed) and are not listed."""
        _check_actor("erase_personal_data", actor)
        if type(value) is not str or not value.strip():
            raise InvalidRequest(
                "erase_personal_data",
                [Refusal("PR-e", "the value to erase must be given", RefusalKind.INPUT, "value")],
            )
        changed: list[str] = []
        after: str | None = None
        while page := self.store.review_ids(after=after, limit=500):
            after = page[-1]
            for review_id in page:
                review = self.store.load(review_id)
                if review.stage not in TERMINAL_STAGES:
                    continue
                paths = tuple(
                    p for p, v in personal_paths(Review, unstructure(review)) if v == value
                )
                in_history = any(
                    e.format != 1
                    and any(
                        path in e.salts and value_at(e.payload, path) == value
                        for path in e.commitments
                    )
                    for e in self.store.history(review_id)
                )
                if not paths and not in_history:
                    continue
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
        accepted. Changes nothing."""
        _check_actor(getattr(command, "name", "command"), actor)
        review = self.store.load(review_id)
        if isinstance(command, SubmitRequest):
            return [
                Refusal("MAP", "submit_request creates a review: use submit()", RefusalKind.STAGE)
            ]
        today = local_date(self.clock.now())
        return judge(review, command, actor, today, self._settings_of(review)).refusals

    def allowed(self, review_id: str, actor: Actor) -> list[str]:
        """The commands ``actor`` could issue on the review now: those their role (and,
        for a panel chair, their appointment) may issue from its stage. Commands that
        need no input (``convene_panel``, ``ratify`` …) are listed only if every guard
        holds as well."""
        _check_actor("allowed", actor)
        review = self.store.load(review_id)
        today = local_date(self.clock.now())
        settings = self._settings_of(review)
        valid = commands_from(review.stage)
        names: list[str] = []
        for table_row in TABLE:
            if table_row.command not in valid or standing(review, table_row, actor)[1]:
                continue
            cls = COMMANDS[table_row.command]
            if not _takes_input(cls) and judge(review, cls(), actor, today, settings).refusals:
                continue
            names.append(table_row.command)
        return names

    def get(self, review_id: str, actor: Actor | None = None) -> Review:
        """The review at its latest version. With ``actor``, only if the read policy
        lets them read it (:class:`PermissionDenied`, PR-e, otherwise), and the read
        is logged; with none, as the host's trusted code (see :mod:`scr_engine.access`)."""
        review = self.store.load(review_id)
        self._may_read(review, actor, "get")
        return review

    def history(self, review_id: str, actor: Actor | None = None) -> tuple[Event, ...]:
        """Every event of the review, in order (``actor`` as for :meth:`get`)."""
        if actor is not None:
            self._may_read(self.store.load(review_id), actor, "history")
        return self.store.history(review_id)

    def deadlines(
        self, review_id: str, as_of: date | None = None, actor: Actor | None = None
    ) -> tuple[Deadline, ...]:
        """Every deadline of the review with its status on ``as_of`` (today by default;
        ``actor`` as for :meth:`get`)."""
        review = self.store.load(review_id)
        self._may_read(review, actor, "deadlines")
        today = as_of if as_of is not None else local_date(self.clock.now())
        return deadlines(review, self._settings_of(review), today)

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
        return self.store.access_log(
            review_id=review_id, actor_id=actor_id, limit=limit, offset=offset
        )

    def _may_read(self, review: Review, actor: Actor | None, what: str) -> None:
        """Check and log a read by ``actor`` (nothing for the host's own reads)."""
        if actor is None:
            return
        _check_actor(what, actor)
        refusal = read_refusal(self.read_policy, review, actor)
        self.store.log_access(review.id, self.clock.now(), actor.id, what, refusal is None)
        if refusal is not None:
            raise PermissionDenied(what, [refusal])

    def overdue(
        self,
        as_of: date | None = None,
        within_days: int = 0,
        *,
        limit: int = 100,
        after: tuple[date, str, str] | None = None,
    ) -> list[DeadlineRow]:
        """What is late across every review on ``as_of`` (today by default), and with
        ``within_days`` what falls due in that many days more: running deadlines due
        before ``as_of + within_days``, ordered by due date, ``limit`` at a time.
        Pass the last row's ``sort_key`` as ``after`` for the next page. Each row's
        status is as of ``as_of``: overdue when due before it, else due."""
        if within_days < 0 or limit < 0:
            raise InvalidRequest(
                "overdue",
                [Refusal("INPUT", "within_days and limit cannot be negative", RefusalKind.INPUT)],
            )
        day = as_of if as_of is not None else local_date(self.clock.now())
        rows = self.store.overdue(day, within_days, limit=limit, after=after)
        # A stored row's status is as of the review's last change; report it as of ``day``.
        return [row.as_of(day) for row in rows]

    def _rows(self, review: Review, today: date) -> list[DeadlineRow]:
        settings = self._settings_of(review)
        return [DeadlineRow.of(review, d) for d in deadlines(review, settings, today)]

    def pending_tasks(self, *, limit: int = 100) -> list[Task]:
        """Tasks emitted by commands (RF-5 letters and IMR writer requests) and not yet
        completed, oldest first. Each is delivered at least once: mark it with
        :meth:`complete_task` only after delivering it."""
        return self.store.pending_tasks(limit=limit)

    def complete_task(self, task_id: str) -> None:
        """Mark a task delivered."""
        self.store.complete_task(task_id)

    def public_export(self, review_id: str, actor: Actor | None = None) -> PublicReport:
        """The public report of a ratified review (PR-e, RP-3): executive summary,
        recommendations and action plan, with no personal data
        (:func:`scr_engine.publication.public_export`). The one way to publish
        (``actor`` as for :meth:`get`)."""
        review = self.store.load(review_id)
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
        checkpoint = sign_checkpoint(entries, self.clock.now(), signing_key)
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
        return verify_store(
            self.store,
            self._settings_of,
            checkpoint,
            public_key=public_key,
            progress=progress,
            exact=exact,
        )

    def settings_for(self, review: Review) -> ProtocolSettings:
        """The settings a review runs under (those it started with)."""
        return self._settings_of(review)

    def _settings_of(self, review: Review) -> ProtocolSettings:
        try:
            return self._settings[review.settings_version]
        except KeyError:
            raise ScrEngineError(
                f"review {review.id} runs under settings {review.settings_version!r}, which "
                "this engine was not given (pass them in known_settings)"
            ) from None


def _takes_input(cls: type[Command]) -> bool:
    """Whether the command has a field that must be given (no default)."""
    return any(a.default is NOTHING for a in fields(cls))  # type: ignore[arg-type]
