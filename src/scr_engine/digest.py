"""Structural digests of records: what a review's state digest is made of.

A record's digest is SHA-256 over its class name and, field by field in declared
order, the field's name and its value's *part*: a text, number, date, boolean or
``None`` as tagged, length-prefixed bytes; a tuple, set, mapping or record as its own
digest. Sets and mappings are taken in sorted order, so equal values always digest
the same, however they were built (a review rebuilt from its history digests as the
one the engine made).

A field at its default value is left out (its name and part are both empty). So a
field added to a record in a later version, with a default, leaves the digest of every
record that does not use it as it was: the state digests in histories written before
it still verify.

Records are frozen and a command makes the next review with ``attrs.evolve``, so
most of a review's parts are the very objects of the version before. Digests are
kept by object identity (with the object, so that an id is never reused while its
entry lives), and a tuple that grew by one item (a new progress note, pause or
meeting) is finished from the hash state of the tuple it extends: a command costs
what it changed, not the size of the review.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import attrs

__all__ = ["record_digest"]

_LIMIT = 100_000
"""Entries the memo keeps before it starts again (bounds the memory it keeps alive)."""

# id(obj) -> (obj, digest, hash state of a tuple before its digest was taken)
_MEMO: dict[Any, tuple[Any, bytes, Any]] = {}
_FIELDS: dict[type, tuple[tuple[str, bytes, Any], ...]] = {}
_HEADERS: dict[type, bytes] = {}
_sha256 = hashlib.sha256
_is = operator.is_


_NO_DEFAULT = object()


def _fields(cls: type) -> tuple[tuple[str, bytes, Any], ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(
            (a.name, a.name.encode("utf-8") + b"=", _default(a)) for a in attrs.fields(cls)
        )
        _HEADERS[cls] = b"R" + cls.__qualname__.encode("utf-8") + b"\x00"
    return found


def _default(attribute: Any) -> Any:
    """A field's default value, or :data:`_NO_DEFAULT` (none, or one made from the
    instance)."""
    default = attribute.default
    if default is attrs.NOTHING:
        return _NO_DEFAULT
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        if default.takes_self:
            return _NO_DEFAULT
        return default.factory()
    return default


def _at_default(value: Any, default: Any) -> bool:
    return default is not _NO_DEFAULT and type(value) is type(default) and value == default


def _text(value: str) -> bytes:
    data = value.encode("utf-8")
    return b"s" + len(data).to_bytes(8, "big") + data


def _part(value: Any) -> bytes:
    if value is None:
        return b"n"
    kind = type(value)
    if kind is str:
        return _text(value)
    if kind is bool:
        return b"T" if value else b"F"
    if kind is int:
        return b"i" + _text(str(value))[1:]
    if kind is date:
        iso: str = value.isoformat()
        return b"d" + iso.encode("ascii")
    if kind is datetime:
        return b"t" + _text(value.isoformat())[1:]
    if isinstance(value, str):  # an enum's value
        return _text(str.__str__(value))
    return b"#" + _digest(value)


def _remember(value: Any, digest: bytes, state: Any = None) -> bytes:
    if len(_MEMO) >= _LIMIT:
        _MEMO.clear()
    _MEMO[id(value)] = (value, digest, state)
    return digest


def _digest(value: Any) -> bytes:
    hit = _MEMO.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    kind = type(value)
    if kind is tuple:
        return _tuple_digest(value)
    if kind is list:  # mutable: never kept
        state = _sha256(b"L")
        for item in value:
            state.update(_part(item))
        return state.digest()
    if isinstance(value, frozenset | set):
        parts = sorted(_part(item) for item in value)
        digest = _sha256(b"S" + b"".join(parts)).digest()
        return _remember(value, digest) if kind is frozenset else digest
    if isinstance(value, dict):
        pairs = sorted(_part(key) + _part(item) for key, item in value.items())
        digest = _sha256(b"M" + b"".join(pairs)).digest()
        return _remember(value, digest) if kind is not dict else digest
    if attrs.has(kind):
        return _remember(value, _record(value, kind, None))
    raise TypeError(f"cannot digest a {kind.__name__}")


def _tuple_digest(value: Any) -> bytes:
    size = len(value)
    if size > 1:
        # A tuple that grew by one: the entry of the tuple it extends, found by the
        # identity of that tuple's last item.
        grown = _MEMO.get(("last", id(value[-2])))
        if grown is not None and len(grown[0]) == size - 1 and all(map(_is, grown[0], value)):
            state = grown[2].copy()
            state.update(_part(value[-1]))
            return _finish(value, state)
    state = _sha256(b"L")
    for item in value:
        state.update(_part(item))
    return _finish(value, state)


def _finish(value: Any, state: Any) -> bytes:
    digest = _remember(value, state.copy().digest(), state)
    if value:
        _MEMO["last", id(value[-1])] = (value, digest, state)
    return digest


def _record(record: Any, kind: type, skip: str | None) -> bytes:
    return _sha256(b"".join(_record_parts(record, kind, skip, None, None))).digest()


def _record_parts(
    record: Any,
    kind: type,
    skip: str | None,
    changes: Mapping[str, Any] | None,
    known: list[bytes] | None,
) -> list[bytes]:
    """The parts of a record (header, then name and part of each field, both empty
    for a field at its default); ``known`` are the parts of ``record`` itself, taken
    for the fields ``changes`` leaves."""
    if known is not None and changes is not None:
        # Only what changed is digested again: the rest are the known parts.
        where = _positions(kind, skip)
        parts = known.copy()
        for name, changed in changes.items():
            found = where.get(name)
            if found is None:
                if name != skip:
                    raise TypeError(f"{kind.__name__} has no field {name!r}")
                continue
            index, key, default = found
            if _at_default(changed, default):
                parts[index - 1] = parts[index] = b""
            else:
                parts[index - 1] = key
                parts[index] = _part(changed)
        return parts
    fields = _fields(kind)
    parts = [_HEADERS[kind]]
    for name, key, default in fields:
        if name == skip:
            continue
        changed = changes is not None and name in changes
        value = changes[name] if changed else getattr(record, name)  # type: ignore[index]
        if _at_default(value, default):
            parts.append(b"")
            parts.append(b"")
        else:
            parts.append(key)
            parts.append(_part(value))
    return parts


_POSITIONS: dict[tuple[type, str | None], dict[str, tuple[int, bytes, Any]]] = {}


def _positions(kind: type, skip: str | None) -> dict[str, tuple[int, bytes, Any]]:
    """Where each field's part sits in a record's parts (``skip`` left out), with the
    field's key and default."""
    found = _POSITIONS.get((kind, skip))
    if found is None:
        kept = [(name, key, default) for name, key, default in _fields(kind) if name != skip]
        found = _POSITIONS[kind, skip] = {
            name: (2 + 2 * i, key, default) for i, (name, key, default) in enumerate(kept)
        }
    return found


class RecordDigest:
    """The digest of a record (:meth:`hexdigest`) and the parts it was made of, to
    :meth:`keep` with the record they describe."""

    __slots__ = ("digest", "parts", "skip")

    def __init__(self, digest: bytes, parts: list[bytes], skip: str | None) -> None:
        self.digest = digest
        self.parts = parts
        self.skip = skip

    def keep(self, record: Any) -> None:
        """Remember the parts for ``record`` (the record they describe): the next
        digest of a record made from it by a few changes reuses them."""
        _remember_parts(record, self)


def _remember_parts(record: Any, made: RecordDigest) -> None:
    if len(_MEMO) >= _LIMIT:
        _MEMO.clear()
    _MEMO["parts", id(record)] = (record, made.digest, made)


def record_digest(
    record: Any, *, skip: str | None = None, changes: Mapping[str, Any] | None = None
) -> RecordDigest:
    """The digest of an attrs record, leaving out the field named ``skip``; with
    ``changes``, the digest of ``attrs.evolve(record, **changes)`` without making it."""
    kind = type(record)
    if not attrs.has(kind):
        raise TypeError(f"not a record: {kind.__name__}")
    hit = _MEMO.get(("parts", id(record)))
    known: list[bytes] | None = None
    if hit is not None and hit[0] is record and hit[2].skip == skip:
        if changes is None:
            kept: RecordDigest = hit[2]
            return kept
        known = hit[2].parts
    parts = _record_parts(record, kind, skip, changes, known)
    return RecordDigest(_sha256(b"".join(parts)).digest(), parts, skip)
