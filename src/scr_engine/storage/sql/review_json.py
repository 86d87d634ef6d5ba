"""The review codec of the SQL store: a review as its stored JSON and back.

How a review is turned into its stored JSON text (``scr_reviews.data``) and back:
encoding a new version from the JSON of the parts it shares with the version it was
made from, and the bounded cache of decoded reviews by their exact stored text.
"""

from __future__ import annotations

import json
import operator
import threading
import typing
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeAlias

import attrs

from scr_engine.errors import ScrEngineError, StorageError
from scr_engine.protocols import named
from scr_engine.records import Review
from scr_engine.records.envelope import Envelope
from scr_engine.serialization import structure, unstructure


def _decode_review(data: str) -> Envelope:
    """The review stored as ``data``. Raises :class:`StorageError`."""
    try:
        value = json.loads(data)
        record: type[Envelope] = _record_of(value)
        return structure(value, record, what="stored review", from_json=True)
    except (ValueError, ScrEngineError) as exc:
        raise StorageError(f"a stored review cannot be read: {exc}") from exc


def _decode_entry(data: str, prior: _Cached | None) -> _Cached:
    """The review stored as ``data``, as a cache entry. Given ``prior``, a review
    this store holds decoded (an earlier version of it), only the parts whose JSON
    differs from ``prior``'s are decoded (:func:`_decode_like`) and the others are
    ``prior``'s very objects, as in a review made from ``prior`` by a command; the
    entry keeps ``prior``'s memo of their JSON, so that the next save encodes only
    what changes. Raises :class:`StorageError`."""
    if prior is not None:
        entry = _decode_changed(data, prior)
        if entry is not None:
            return entry
    return _Cached(data, _decode_review(data))


_PROTOCOL_FIELDS = frozenset({"protocol", "protocol_version"})
"""The fields naming a stored review's protocol (:func:`_record_of`)."""


def _decode_changed(data: str, prior: _Cached) -> _Cached | None:
    """``data`` decoded against ``prior`` (see :func:`_decode_entry`); None when
    that cannot be done (``data`` is not a compact object of the same record's
    fields, its protocol differs, or a part or the record does not decode), for the
    whole decoding to do and to report."""
    old = prior.review
    cls = type(old)
    keys = _attrs_keys(cls)
    if keys is None:
        return None
    before = prior.members or _members_of(prior.text, keys)
    after = _members_of(data, keys)
    if not before or after is None:
        return None
    for (name, _), new, was in zip(keys, after, before, strict=True):
        if name in _PROTOCOL_FIELDS and new != was:
            return None
    try:
        review: Envelope = _record_like(cls, keys, after, old, before)
    except (ValueError, TypeError, ScrEngineError):
        return None
    return _Cached(data, review, after, prior.memo)


def _record_like(
    cls: type, keys: tuple[tuple[str, str], ...], members: Any, old: Any, was: Any
) -> Any:
    """The record of class ``cls`` whose JSON members are ``members``, decoded
    against ``old`` (whose members were ``was``): ``old`` itself when nothing
    changed, else ``old`` with each changed field decoded against ``old``'s."""
    types = _field_types(cls)
    changed = {
        name: _decode_like(new[len(key) :], getattr(old, name), before[len(key) :], types[name])
        for (name, key), new, before in zip(keys, members, was, strict=True)
        if new != before
    }
    return attrs.evolve(old, **changed) if changed else old


def _decode_like(text: str, old: Any, old_text: str, kind: Any) -> Any:
    """``text``, the JSON of a value of type ``kind``, decoded sharing every part
    whose JSON is that of the same part of ``old`` (decoded from ``old_text``): a
    record's unchanged fields and a tuple's unchanged items (by position) are
    ``old``'s; the rest is decoded by the converter. Raises what the converter
    raises."""
    if text == old_text:
        return old
    cls = type(old)
    if cls is tuple:
        item = _item_type(kind)
        if item is not None and old and text.startswith(old_text[:-1] + ","):
            # Items added at the end (a note, a pause …): ``old``'s and the new ones.
            added = _items_of("[" + text[len(old_text) :])
            if added is not None:
                return old + tuple(structure(json.loads(a), item, from_json=True) for a in added)
        items = _items_of(text) if item is not None else None
        before = _items_of(old_text) if items is not None else None
        if items is not None and before is not None and len(before) == len(old):
            return tuple(
                _decode_like(part, old[i], before[i], item)
                if i < len(old)
                else structure(json.loads(part), item, from_json=True)
                for i, part in enumerate(items)
            )
    elif old is not None and cls not in (str, int, bool, float):
        keys = _attrs_keys(cls)
        members = _members_of(text, keys) if keys is not None else None
        was = _members_of(old_text, keys) if members is not None and keys is not None else None
        if keys is not None and members is not None and was is not None:
            return _record_like(cls, keys, members, old, was)
    return structure(json.loads(text), kind, from_json=True)


def _item_type(kind: Any) -> Any:
    """``X`` of ``tuple[X, ...]``; None for any other type."""
    if typing.get_origin(kind) is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
    return None


def _items_of(text: str) -> list[str] | None:
    """The JSON of each item of the compact JSON array ``text``; None unless
    ``text`` is one."""
    if not text.startswith("["):
        return None
    if text == "[]":
        return []
    items: list[str] = []
    start = 1
    while True:
        try:
            _, end = _scan_value(text, start)
        except (StopIteration, ValueError):
            return None
        items.append(text[start:end])
        closing = text[end : end + 1]
        if closing == "]":
            return items if end + 1 == len(text) else None
        if closing != ",":
            return None
        start = end + 1


_FIELD_TYPES: dict[type, dict[str, Any]] = {}


def _field_types(cls: type) -> dict[str, Any]:
    """Each field of the attrs class ``cls`` with its type, resolved."""
    types = _FIELD_TYPES.get(cls)
    if types is None:
        types = {f.name: f.type for f in attrs.fields(attrs.resolve_types(cls))}
        _FIELD_TYPES[cls] = types
    return types


def _record_of(value: Any) -> Any:
    """The record class of a stored review's JSON: its protocol's (the SCR's when it
    names none). :class:`~scr_engine.errors.UnknownProtocol` for a protocol this
    installation does not have."""
    if not isinstance(value, dict):
        return Review
    name, version = value.get("protocol"), value.get("protocol_version")
    if not all(v is None or isinstance(v, str) for v in (name, version)):
        raise ValueError("a stored review's protocol is text")
    return named(name, version).record


_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_json_str = json.encoder.encode_basestring  # what _to_json does with a str


_MemoKey: TypeAlias = int | tuple[str, int]


class _Memo:
    """The JSON of records and tuples met in a review's changed fields, by identity.

    ``entries`` maps ``id(obj)`` to ``(obj, json)``, and ``("last", id(item))`` to
    the entry of a tuple whose last item is ``item`` (to find the tuple a longer one
    extends). An entry is used only for the very object it holds (which it keeps
    alive, so the ``id`` cannot be reused). When it holds more than ``limit`` entries
    it is swept down to the objects of the latest version."""

    __slots__ = ("entries", "limit")

    def __init__(self, entries: dict[_MemoKey, tuple[Any, str]], limit: int) -> None:
        self.entries = entries
        self.limit = limit


class _Cached:
    """A review as stored: its JSON text, the review it decodes to and, once the
    store has encoded it from a previous version, the JSON member (``"name":json``)
    of each of its fields and the memo of the parts it encoded piece by piece (see
    :func:`_encode_review`)."""

    __slots__ = ("members", "memo", "review", "state", "text")

    def __init__(
        self,
        text: str,
        review: Envelope,
        members: tuple[str, ...] = (),
        memo: _Memo | None = None,
    ) -> None:
        self.text = text
        self.review = review
        self.members = members
        self.memo = memo
        self.state: str | None = None
        """The state digest of the last event, as checked with this text."""


_ATTRS_KEYS: dict[type, tuple[tuple[str, str], ...] | None] = {}
"""Per class: ``(field name, '"name":')`` of each field of an attrs class, else None
(not an attrs class, or one the converter does not encode field by field)."""
_CHECKED: set[type] = set()
"""The attrs classes whose first instance encoded here matched the converter's JSON."""


def _attrs_keys(cls: type) -> tuple[tuple[str, str], ...] | None:
    keys = _ATTRS_KEYS.get(cls, ())
    if keys == ():
        keys = (
            tuple((f.name, json.dumps(f.name) + ":") for f in attrs.fields(cls))
            if attrs.has(cls)
            else None
        )
        _ATTRS_KEYS[cls] = keys
    return keys


def _checked(value: Any, text: str) -> str:
    """``text``, the JSON :func:`_encode` made of a record, if it is the converter's
    (checked once per class): if not (a hook of the converter's own for the class),
    the class is encoded by the converter from then on, and the converter's JSON is
    returned."""
    cls = type(value)
    if cls in _CHECKED:
        return text
    expected = _to_json(unstructure(value))
    if expected == text:
        _CHECKED.add(cls)
        return text
    _ATTRS_KEYS[cls] = None
    return expected


def _encode(value: Any, entries: dict[_MemoKey, tuple[Any, str]]) -> str:
    """``_to_json(unstructure(value))``, built from the JSON of ``value``'s records
    and tuples found in ``entries`` (and recording those it had to encode).

    Records (attrs classes) are objects of their fields in field order, as the
    converter makes them, tuples are arrays; anything else goes through the
    converter. A test proves the text is exactly the converter's."""
    cls = type(value)
    if cls is str:
        return _json_str(value)
    if value is None:
        return "null"
    if cls is int:
        return int.__repr__(value)
    parts: list[str] = []
    if cls is tuple:
        hit = entries.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        size = len(value)
        # A tuple that grew by one (a new note, pause …): the JSON of the tuple it
        # extends, found by the identity of that tuple's last item, plus the new item.
        grown = entries.get(("last", id(value[-2]))) if size > 1 else None
        if (
            grown is not None
            and len(grown[0]) == size - 1
            and all(map(operator.is_, grown[0], value))
        ):
            text = grown[1][:-1] + "," + _encode(value[-1], entries) + "]"
            entry = entries[id(value)] = (value, text)
            entries["last", id(value[-1])] = entry
            return text
        for item in value:
            hit = entries.get(id(item))
            parts.append(hit[1] if hit is not None and hit[0] is item else _encode(item, entries))
        text = "[" + ",".join(parts) + "]"
        entry = entries[id(value)] = (value, text)
        if size:
            entries["last", id(value[-1])] = entry
        return text
    else:
        keys = _attrs_keys(cls)
        if keys is None:
            if cls is date or cls is datetime:  # the converter's hooks: isoformat()
                iso: str = value.isoformat()
                return '"' + iso + '"'
            if isinstance(value, Enum):  # the converter's default: the value
                return _encode(value.value, entries)
            return _to_json(unstructure(value))
        hit = entries.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        for name, json_key in keys:
            item = getattr(value, name)
            hit = entries.get(id(item))
            if hit is not None and hit[0] is item:
                parts.append(json_key + hit[1])
            else:
                parts.append(json_key + _encode(item, entries))
        text = _checked(value, "{" + ",".join(parts) + "}")
    entries[id(value)] = (value, text)
    return text


def _keep_reachable(
    value: Any, entries: dict[_MemoKey, tuple[Any, str]], kept: dict[_MemoKey, Any]
) -> None:
    """Copy into ``kept`` the memo entries of ``value`` and of everything in it: the
    entries still reachable from the latest review, so that the memo sheds the rest."""
    cls = type(value)
    if cls is tuple:
        items: Any = value
    else:
        keys = _attrs_keys(cls) if cls not in (str, int) and value is not None else None
        if keys is None:
            return
        items = [getattr(value, name) for name, _ in keys]
    hit = entries.get(id(value))
    if hit is not None and hit[0] is value:
        kept[id(value)] = hit
        if cls is tuple and value:
            kept["last", id(value[-1])] = hit
    for item in items:
        _keep_reachable(item, entries, kept)


# The decoder's own scanner (set in its __init__; the stubs do not declare it).
_scan_value: Callable[[str, int], tuple[Any, int]] = vars(json.JSONDecoder())["scan_once"]
"""``(text, index) -> (value, end index)``: the JSON value starting at ``index``."""


def _members_of(text: str, keys: tuple[tuple[str, str], ...]) -> tuple[str, ...] | None:
    """The JSON member (``"name":json``) of each field in ``text``, the JSON of a
    review, as found there; None unless ``text`` is one compact object holding exactly
    those fields in that order (as every text the store writes is)."""
    if not text.startswith("{"):
        return None
    members: list[str] = []
    start = 1
    for _, key in keys:
        if not text.startswith(key, start):
            return None
        try:
            _, end = _scan_value(text, start + len(key))
        except (StopIteration, ValueError):
            return None
        members.append(text[start:end])
        if text[end : end + 1] != ("," if len(members) < len(keys) else "}"):
            return None
        start = end + 1
    return tuple(members) if start == len(text) else None


def _encode_review(review: Envelope, prior: _Cached | None) -> _Cached:
    """The review's JSON (``scr_reviews.data``): the converter's primitives as compact
    JSON (keys in field order, not sorted: nothing hashes this text).

    A review is immutable and a command makes the next one with ``attrs.evolve``, so
    most of its fields hold the very objects of the version it was made from, the one
    ``prior`` holds: their JSON members are taken from ``prior`` (from its text, the
    first time). Only the fields that changed are encoded, piece by piece into the
    memo, so that the next time only what changed inside them is encoded again (for a
    review with a long history of progress notes, most of the cost). A review with no
    ``prior`` (a new one) is encoded at once."""
    keys = _attrs_keys(type(review))
    members = None
    if prior is not None and keys is not None:
        members = prior.members or _members_of(prior.text, keys)
    if not members:
        return _Cached(_to_json(unstructure(review)), review)
    assert prior is not None and keys is not None
    memo = prior.memo if prior.memo is not None else _Memo({}, 64)
    entries = memo.entries
    old = prior.review
    changed = tuple(
        key + _encode(value, entries)
        if (value := getattr(review, name)) is not getattr(old, name)
        else members[index]
        for index, (name, key) in enumerate(keys)
    )
    text = "{" + ",".join(changed) + "}"
    if _checked(review, text) != text:  # the converter encodes reviews its own way
        return _Cached(_to_json(unstructure(review)), review)
    if len(entries) > memo.limit:
        kept: dict[_MemoKey, Any] = {}
        _keep_reachable(review, entries, kept)
        memo = _Memo(kept, 2 * len(kept) + 64)
    return _Cached(text, review, changed, memo)


class _ReviewCache:
    """The last reviews loaded or saved, by ID, least recently used dropped first:
    at most ``size`` of them, of texts totalling at most ``max_chars`` characters.

    An entry is only ever used when the text stored in the database *now* is exactly
    the entry's text: it saves decoding (``json.loads`` and the converter), never the
    read itself, so it is right whatever other connections, processes or host
    transactions did meanwhile."""

    def __init__(self, size: int, max_chars: int) -> None:
        self._size = size
        self._max_chars = max_chars
        self._chars = 0
        self._entries: OrderedDict[str, _Cached] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, review_id: str) -> _Cached | None:
        with self._lock:
            entry = self._entries.get(review_id)
            if entry is not None:
                self._entries.move_to_end(review_id)
            return entry

    def put(self, review_id: str, entry: _Cached) -> None:
        if self._size <= 0:
            return
        with self._lock:
            entries = self._entries
            old = entries.pop(review_id, None)
            if old is not None:
                self._chars -= len(old.text)
            if len(entry.text) > self._max_chars:
                return
            entries[review_id] = entry
            self._chars += len(entry.text)
            while len(entries) > self._size or self._chars > self._max_chars:
                _, dropped = entries.popitem(last=False)
                self._chars -= len(dropped.text)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0
