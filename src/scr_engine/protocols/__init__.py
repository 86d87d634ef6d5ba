"""Protocols as definitions: the registry of the protocols the engine runs.

:func:`get` finds a definition by name (and version: the newest when none is named),
:func:`available` lists them, :func:`register` adds a host's own (a Board's
variant). The Serious Case Review (:data:`scr_engine.protocols.scr.SCR`) and the
Safeguarding Adults Review (:data:`scr_engine.protocols.sar.SAR`) are always there
(the SAR's definition is imported the first time the registry is read); a review that
records no protocol runs under the SCR.
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
    "named",
    "of",
    "register",
    "unregister",
]

DEFAULT: Protocol = SCR
"""The definition of a review that records none: the SCR, version 1."""

_REGISTRY: dict[tuple[str, str], Protocol] = {SCR.key: SCR}
_SHIPPED_LOADED = False


def _registry() -> dict[tuple[str, str], Protocol]:
    """The registry, with the shipped definitions besides the SCR loaded (once)."""
    global _SHIPPED_LOADED
    if not _SHIPPED_LOADED:
        from scr_engine.protocols.sar import SAR
        from scr_engine.protocols.sar.annual import ANNUAL_REPORT

        _REGISTRY.setdefault(SAR.key, SAR)
        _REGISTRY.setdefault(ANNUAL_REPORT.key, ANNUAL_REPORT)
        _SHIPPED_LOADED = True
    return _REGISTRY


def _version_key(version: str) -> tuple[int, ...] | tuple[float, str]:
    parts = version.split(".")
    if all(p.isdigit() for p in parts):
        return tuple(int(p) for p in parts)
    return (float("inf"), version)


def available() -> tuple[Protocol, ...]:
    """Every registered definition, by name, then version (oldest first)."""
    registry = _registry()
    return tuple(registry[k] for k in sorted(registry, key=lambda k: (k[0], _version_key(k[1]))))


def get(name: str, version: str | None = None) -> Protocol:
    """The definition ``name`` at ``version`` (the newest registered when None).

    Raises :class:`~scr_engine.errors.UnknownProtocol` naming what is available when
    there is no such definition.
    """
    if version is not None:
        found = _registry().get((name, version))
        if found is not None:
            return found
    else:
        versions = [p for p in available() if p.name == name]
        if versions:
            return versions[-1]
    raise UnknownProtocol(name, version, tuple(p.key for p in available()))


def named(name: str | None, version: str | None) -> Protocol:
    """The definition a record names by its ``protocol`` and ``protocol_version``, each
    None when it names none (the SCR's name, version 1): a review, a history's first
    command, a stored review's JSON. :class:`~scr_engine.errors.UnknownProtocol`
    when this installation has no such definition."""
    wanted = (
        DEFAULT.name if name is None else name,
        DEFAULT.version if version is None else version,
    )
    return DEFAULT if wanted == DEFAULT.key else get(*wanted)


def of(review: Any) -> Protocol:
    """The definition ``review`` records (:func:`named`; the SCR's when it records
    none)."""
    return named(
        getattr(review, "protocol", None) or None, getattr(review, "protocol_version", None) or None
    )


def register(definition: Protocol) -> None:
    """Add ``definition`` (a Board's variant, or a protocol of another package).

    A definition with the name and version of one registered already is refused
    (``ValueError``): a review's recorded protocol must always mean one thing.
    """
    registry = _registry()
    if definition.key in registry:
        name, version = definition.key
        raise ValueError(f"protocol {name} version {version} is registered already")
    registry[definition.key] = definition


def unregister(name: str, version: str) -> None:
    """Remove a definition :func:`register` added (the SCR cannot be removed)."""
    if (name, version) == DEFAULT.key:
        raise ValueError("the SCR definition cannot be removed")
    _registry().pop((name, version), None)
