"""What the engine needs of a review's protocol besides its definition: the settings
it knows for every protocol (each review runs under the settings it started with, its
``settings_version``, found here by its protocol's settings class and that version),
and a protocol's ``submit_request`` made and judged."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from scr_engine.commands import Command
from scr_engine.errors import InvalidRequest, ScrEngineError, UnknownProtocol
from scr_engine.errors.refusals import Refusal
from scr_engine.protocols import DEFAULT as DEFAULT_PROTOCOL
from scr_engine.protocols import Protocol, available
from scr_engine.protocols import get as get_protocol
from scr_engine.protocols import of as protocol_of
from scr_engine.records import Actor
from scr_engine.rules.common import Context
from scr_engine.rules.request import validate_request
from scr_engine.serialization import text_for_lists

__all__ = ["SettingsBook", "check_settings", "request_problems", "submission"]


class SettingsBook:
    """Settings by protocol and version.

    ``current`` are the settings new reviews start under, one per settings class (the
    SCR's :class:`~scr_engine.rules.settings.ProtocolSettings`, the SAR's
    :class:`~scr_engine.protocols.sar.settings.SarSettings` …); ``known`` are earlier
    ones that existing reviews may still use. A protocol the engine was given no
    settings for runs new reviews under its definition's defaults.
    """

    __slots__ = ("_current", "_known")

    def __init__(self, current: Iterable[Any], known: Iterable[Any] = ()) -> None:
        given = tuple(current)
        self._current: dict[type, Any] = {type(s): s for s in given}
        self._known: dict[tuple[type, str], Any] = {
            (type(s), s.version): s for s in (*known, *given)
        }

    def current(self, definition: Protocol) -> Any:
        """The settings a new review of ``definition`` starts under."""
        found = self._current.get(definition.settings)
        return definition.default_settings if found is None else found

    def of(self, review: Any) -> Any:
        """The settings ``review`` runs under (those it started with).

        :class:`~scr_engine.errors.ScrEngineError` when the engine was not given them
        (a protocol the engine was given no settings for runs on its definition's
        defaults: those are known)."""
        definition = protocol_of(review)
        version = review.settings_version
        found = self._known.get((definition.settings, version))
        if found is None and definition.settings not in self._current:
            found = definition.settings_named(version)  # the protocol runs on its defaults
        if found is None:
            raise ScrEngineError(
                f"review {review.id} runs under settings {version!r}, which this engine "
                "was not given (pass them in known_settings)"
            )
        return found


def check_settings(
    settings: Any, protocol_settings: Any, known_settings: Any
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``protocol_settings`` and ``known_settings`` as tuples, once checked; refused as
    the engine is made when it would misread or silently ignore them: ``settings``
    that are not the SCR's; ``protocol_settings`` of no registered protocol, the SCR's
    (which ``settings`` holds) or two of one protocol; either not a list, or
    ``known_settings`` of no protocol (:class:`InvalidRequest` naming the argument)."""
    lists = []
    for name, given in (
        ("protocol_settings", protocol_settings),
        ("known_settings", known_settings),
    ):
        if not isinstance(given, Iterable) or hasattr(given, "version"):  # one, not a list
            message = f"{name} must be a list of settings, not {type(given).__name__}"
            raise InvalidRequest("", [Refusal.input(message, name)])
        lists.append(tuple(given))
    others, known = lists
    scr = DEFAULT_PROTOCOL.settings
    if type(settings) is scr and not others and all(type(k) is scr for k in known):
        # The SCR's alone: no other protocol need be loaded to judge them (a start-up
        # of the command line would pay for importing every one).
        return others, known
    classes = {d.settings for d in available()}
    problems = []
    if type(settings) is not scr:
        name = type(settings).__name__
        where = "go in protocol_settings" if type(settings) in classes else "are no protocol's"
        message = f"settings are the SCR's {scr.__name__}, not {name}: {name} {where}"
        problems.append(Refusal.input(message, "settings"))
    seen: set[type] = set()
    for given in others:
        kind = type(given)
        if kind is scr:
            message = f"the SCR's {scr.__name__} go in settings, not protocol_settings"
        elif kind not in classes:
            takes = ", ".join(sorted(c.__name__ for c in classes if c is not scr))
            message = f"{kind.__name__} are no protocol's settings (protocols take: {takes})"
        elif kind in seen:
            message = f"two {kind.__name__} given: a protocol's new reviews start under one"
        else:
            seen.add(kind)
            continue
        problems.append(Refusal.input(message, "protocol_settings"))
    problems += [
        Refusal.input(
            f"{type(k).__name__} are no protocol's settings, so no review runs under them",
            "known_settings",
        )
        for k in known
        if type(k) not in classes
    ]
    if problems:
        raise InvalidRequest("", problems)
    return others, known


def submission(request: Any, received_on: date | None, definition: Protocol) -> Command:
    """The definition's ``submit_request`` of ``request`` (its request form)."""
    made: Command = definition.commands["submit_request"](
        request,  # type: ignore[call-arg]
        occurred_on=received_on,
        protocol=definition.name,
        protocol_version=definition.version,
    )
    return made


def request_problems(
    definition: Protocol,
    request: Any,
    actor: Actor,
    role: Any,
    today: date,
    settings: Any,
    store: Any = None,
) -> list[Refusal]:
    """Every problem of a request form: the SCR's (RF-1, RF-2); another
    protocol's by the guard of its ``submit_request``, then what ``store`` holds that
    refuses it (:attr:`~scr_engine.protocols.definition.Protocol.admits`)."""
    # One text where a list is wanted: as JSON, its characters one item each. Named
    # as each protocol names the form's fields (the SCR's plainly, the others' by
    # their place in the command).
    guard = definition.guards.get("submit_request")
    if guard is None:
        return text_for_lists(request) or validate_request(request, today)
    if not isinstance(request, definition.request_form):
        message = f"a {definition.name} request is a {definition.request_form.__name__}"
        return [Refusal.input(message, "request")]
    command = submission(request, None, definition)
    listed = text_for_lists(command)
    if listed:
        return listed
    guard_: Any = guard
    refusals: list[Refusal] = guard_(None, command, Context(actor, role, today, settings))
    if not refusals and definition.admits is not None and store is not None:
        refusals = definition.admits(request, store)
    return refusals


def new_reference(definition: Protocol, request: Any, store: Any, year: int) -> str:
    """The reference of a new review of ``request``: the one its definition names
    (:attr:`~scr_engine.protocols.definition.Protocol.reference`), else the next of
    the store's yearly sequence (``year``), under the definition's prefix."""
    if definition.reference is not None:
        return definition.reference(request)
    reference: str = store.next_reference(year)
    if definition.reference_prefix != "SCR" and reference.startswith("SCR-"):
        reference = definition.reference_prefix + reference[3:]
    return reference


def admitted_again(definition: Protocol, request: Any, store: Any) -> list[Refusal]:
    """What the store holds now that refuses ``request``, judged again when the store
    refused the reference its definition names (another review of that reference was
    stored since the first judgement); none for a numbered reference."""
    if definition.reference is None or definition.admits is None:
        return []
    return definition.admits(request, store)


def protocol_named(name: Any) -> tuple[Protocol, str | None]:
    """The newest definition of the protocol ``name``; for an unknown one, the SCR's
    (to judge the permission by) and what is wrong."""
    if type(name) is not str:
        return DEFAULT_PROTOCOL, f"protocol must be text, not {type(name).__name__}"
    try:
        return get_protocol(name), None
    except UnknownProtocol as exc:
        return DEFAULT_PROTOCOL, str(exc)
