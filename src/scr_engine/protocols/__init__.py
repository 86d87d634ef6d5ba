"""Protocols as definitions: the registry of the protocols the engine runs.

:func:`get` finds a definition by name (and version: the newest when none is named),
:func:`available` lists them, :func:`register` adds a host's own (a Board's
variant). The Serious Case Review (:data:`scr_engine.protocols.scr.SCR`) is always
there; a review that records no protocol runs under it.
"""

from __future__ import annotations

from typing import Any

from scr_engine.errors import UnknownProtocol
from scr_engine.protocols.definition import (
    ClockBasis,
    ClockKind,
    Protocol,
    SettingDef,
    StageDef,
)
from scr_engine.protocols.scr import SCR

__all__ = [
    "DEFAULT",
    "ClockBasis",
    "ClockKind",
    "Protocol",
    "SettingDef",
    "StageDef",
    "available",
    "get",
    "of",
    "register",
    "unregister",
]

DEFAULT: Protocol = SCR
"""The definition of a review that records none: the SCR, version 1."""

_REGISTRY: dict[tuple[str, str], Protocol] = {SCR.key: SCR}


def _version_key(version: str) -> tuple[int, ...] | tuple[float, str]:
    parts = version.split(".")
    if all(p.isdigit() for p in parts):
        return tuple(int(p) for p in parts)
    return (float("inf"), version)


def available() -> tuple[Protocol, ...]:
    """Every registered definition, by name, then version (oldest first)."""
    return tuple(_REGISTRY[k] for k in sorted(_REGISTRY, key=lambda k: (k[0], _version_key(k[1]))))


def get(name: str, version: str | None = None) -> Protocol:
    """The definition ``name`` at ``version`` (the newest registered when None).

    Raises :class:`~scr_engine.errors.UnknownProtocol` naming what is available when
    there is no such definition.
    """
    if version is not None:
        found = _REGISTRY.get((name, version))
        if found is not None:
            return found
    else:
        versions = [p for p in available() if p.name == name]
        if versions:
            return versions[-1]
    raise UnknownProtocol(name, version, tuple(p.key for p in available()))


def of(review: Any) -> Protocol:
    """The definition ``review`` records (its ``protocol`` and ``protocol_version``; the
    SCR's when it records none). :class:`~scr_engine.errors.UnknownProtocol` when
    this installation has no such definition."""
    name = getattr(review, "protocol", None) or DEFAULT.name
    version = getattr(review, "protocol_version", None) or DEFAULT.version
    if name == DEFAULT.name and version == DEFAULT.version:
        return DEFAULT
    return get(name, version)


def register(definition: Protocol) -> None:
    """Add ``definition`` (a Board's variant, or a protocol of another package).

    A definition with the name and version of one registered already is refused
    (``ValueError``): a review's recorded protocol must always mean one thing. So is
    one with a stage the SCR has not: the engine holds every review in the SCR's
    record for now, whose stage is an SCR stage (a definition will bring its own
    record with the SAR).
    """
    if definition.key in _REGISTRY:
        name, version = definition.key
        raise ValueError(f"protocol {name} version {version} is registered already")
    foreign = [code for code in definition.stage_codes if code not in DEFAULT.stage_codes]
    if foreign:
        raise ValueError(
            f"protocol {definition.name} version {definition.version} has stages the "
            f"engine cannot hold yet ({', '.join(foreign)}): a registered definition's "
            "stages are the SCR's"
        )
    _REGISTRY[definition.key] = definition


def unregister(name: str, version: str) -> None:
    """Remove a definition :func:`register` added (the SCR cannot be removed)."""
    if (name, version) == DEFAULT.key:
        raise ValueError("the SCR definition cannot be removed")
    _REGISTRY.pop((name, version), None)
