"""Personal data (PR-e): which fields hold it, and how the history commits to it.

A field that holds a person's data is declared with ``field(metadata=MARK)`` (attrs
metadata ``{PERSONAL: True}``) where the record or command is defined; :func:`personal_fields`
lists them all, and the documentation's list is generated from it.

The history never hashes a personal value itself. Each personal text of a command's
payload gets a random salt and a *commitment*, ``SHA-256(salt ‖ value)``; the event's
hash covers the payload with those values left out (``None``) and the commitments in
their place (:func:`seal`). So a personal value can later be erased (its salt and the
value dropped, an :data:`ERASED` marker left) and the chain still verifies, while a
changed value no longer matches its commitment. Without its salt a commitment tells
nothing of the value, even a short or guessable one.

Paths are JSON pointers (RFC 6901) into the payload: ``/request/requester/name``,
``/request/incidents/0/details``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Union, get_args, get_origin

import attrs

from scr_engine import commands, records
from scr_engine.marks import FREE_TEXT, MARK, PERSONAL, TEXT

__all__ = [
    "ERASED",
    "FREE_TEXT",
    "MARK",
    "PERSONAL",
    "REDACTED",
    "TEXT",
    "Striker",
    "commit",
    "mentions",
    "new_salt",
    "personal_fields",
    "personal_paths",
    "personal_values",
    "publication_striker",
    "replace_at",
    "seal",
    "strikes_only",
    "text_paths",
    "value_at",
]


ERASED = "[erased]"
"""What an erased personal value reads as, in a payload and in a replayed review."""

REDACTED = "[…]"
"""What a personal value reads as in a published text (three characters: shorter than
any value struck out by substring, so that striking always ends; in the unlikely case
that a personal value is this very text, another short mark is used)."""

_MARKS = (REDACTED, "[—]", "[*]", "[#]", "[x]")

_COMMIT_TAG = b"scr-value:1\x00"


def new_salt() -> str:
    """A fresh random salt (16 bytes, hex)."""
    return os.urandom(16).hex()


def commit(salt: str, value: str) -> str:
    """The commitment to one personal value: hex SHA-256 of a tag, the salt and the
    value's UTF-8."""
    return hashlib.sha256(_COMMIT_TAG + bytes.fromhex(salt) + value.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- plans

# A plan says where personal texts sit in the JSON form of a class:
#   "leaf"                       this value is a personal text
#   ("each", plan)               every item of an array
#   ("values", plan)             every value of an object used as a mapping
#   ("fields", ((key, plan), …)) the named members of a record
_Plan = Any
_PLANS: dict[Any, _Plan] = {}


def _plan_of(kind: Any, marked: bool = False, texts: bool = False) -> _Plan:
    origin = get_origin(kind)
    if origin is Union or origin is types.UnionType:
        plans = [_plan_of(arg, marked, texts) for arg in get_args(kind) if arg is not type(None)]
        plans = [p for p in plans if p is not None]
        return plans[0] if plans else None
    if origin is tuple or origin is frozenset:
        args = get_args(kind)
        inner = _plan_of(args[0], marked, texts) if args else None
        return ("each", inner) if inner is not None else None
    if origin is dict:
        args = get_args(kind)
        inner = _plan_of(args[1], marked, texts) if len(args) == 2 else None
        return ("values", inner) if inner is not None else None
    if marked and kind is str:
        return "leaf"
    if isinstance(kind, type) and attrs.has(kind):
        return _record_plan(kind, texts)
    return None


_TEXT_PLANS: dict[Any, _Plan] = {}


def _record_plan(cls: type, texts: bool = False) -> _Plan:
    """The plan of a record's personal texts (or, with ``texts``, of its personal and
    its free texts: :data:`TEXT`)."""
    plans = _TEXT_PLANS if texts else _PLANS
    if cls in plans:
        return plans[cls]
    plans[cls] = None  # a record that (indirectly) holds itself holds nothing more
    hints = typing.get_type_hints(cls)
    members = []
    for attribute in attrs.fields(cls):
        marked = bool(attribute.metadata.get(PERSONAL)) or (
            texts and bool(attribute.metadata.get(FREE_TEXT))
        )
        plan = _plan_of(hints[attribute.name], marked, texts)
        if plan is not None:
            members.append((attribute.name, plan))
    plan = ("fields", tuple(members)) if members else None
    plans[cls] = plan
    return plan


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _walk(plan: _Plan, data: Any, path: str) -> Iterator[tuple[str, str]]:
    if plan == "leaf":
        if isinstance(data, str):
            yield path, data
        return
    kind, inner = plan
    if kind == "fields":
        if isinstance(data, Mapping):
            for key, member in inner:
                if key in data:
                    yield from _walk(member, data[key], f"{path}/{_escape(key)}")
    elif kind == "each":
        if isinstance(data, list | tuple):
            for index, item in enumerate(data):
                yield from _walk(inner, item, f"{path}/{index}")
    elif kind == "values" and isinstance(data, Mapping):
        for key, item in data.items():
            yield from _walk(inner, item, f"{path}/{_escape(key)}")


def text_paths(cls: type, data: Any) -> list[tuple[str, str]]:
    """``(path, value)`` of every text in ``data`` that may name a person: the
    personal texts and the free texts (:data:`TEXT`: the report's narrative, the
    recommendations, the actions), which an erasure strikes a person out of."""
    plan = _record_plan(cls, texts=True)
    if plan is None:
        return []
    return list(_walk(plan, data, ""))


def personal_paths(cls: type, data: Any) -> list[tuple[str, str]]:
    """``(path, value)`` of every personal text in ``data``, the JSON form of an
    instance of the attrs class ``cls`` (a command's payload, a record)."""
    plan = _record_plan(cls)
    if plan is None:
        return []
    return list(_walk(plan, data, ""))


def personal_values(cls: type, data: Any) -> frozenset[str]:
    """Every personal text ``data`` (the JSON form of an instance of ``cls``) still
    holds: what a published text strikes out (empty and erased values are not)."""
    return frozenset(v for _, v in personal_paths(cls, data) if v and v != ERASED)


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _step(container: Any, part: str) -> Any:
    if isinstance(container, list | tuple):
        return container[int(part)]
    return container[_unescape(part)]


def value_at(data: Any, path: str) -> Any:
    """The value at a JSON pointer in ``data``; ``KeyError`` if there is none."""
    node = data
    try:
        for part in path.split("/")[1:]:
            node = _step(node, part)
    except (LookupError, ValueError, TypeError):
        raise KeyError(path) from None
    return node


def replace_at(data: Any, path: str, value: Any) -> Any:
    """``data`` with the value at a JSON pointer replaced by ``value`` (copied along
    the path only); unchanged when the path is not there."""
    return _replace(data, path.split("/")[1:], value, {})


def seal(data: Any, paths: Iterator[str] | list[str] | Mapping[str, Any]) -> Any:
    """``data`` with the value at each path replaced by ``None`` (copied along the
    paths only, each container at most once; ``data`` itself is not changed). A path
    that is not there is ignored: the hash over the result then differs, which is what
    verification wants."""
    result = data
    owned: dict[int, Any] = {}  # the containers copied here (changed in place after)
    for path in paths:
        result = _replace(result, path.split("/")[1:], None, owned)
    return result


def _replace(node: Any, parts: list[str], value: Any, owned: dict[int, Any]) -> Any:
    """``node`` with the value at ``parts`` replaced, copying each container on the
    way unless it is one of ``owned`` (copies made earlier by the same caller)."""
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(node, list | tuple):
        try:
            index = int(head)
        except ValueError:
            return node
        if not 0 <= index < len(node):
            return node
        items: list[Any] = node if id(node) in owned else list(node)  # type: ignore[assignment]
        owned[id(items)] = items
        items[index] = _replace(items[index], rest, value, owned)
        return items
    if isinstance(node, Mapping):
        key = _unescape(head)
        if key not in node:
            return node
        mine: dict[Any, Any] = node if id(node) in owned else dict(node)  # type: ignore[assignment]
        owned[id(mine)] = mine
        mine[key] = _replace(node[key], rest, value, owned)
        return mine
    return node


def personal_fields(classes: Iterator[type] | list[type] | None = None) -> list[tuple[str, str]]:
    """``(class name, field name)`` of every field marked personal, in the records
    and commands (or in ``classes``), sorted: the classification in one list."""
    if classes is None:
        classes = [
            obj
            for module in (records, commands)
            for obj in vars(module).values()
            if isinstance(obj, type)
            and attrs.has(obj)
            and (obj.__module__ + ".").startswith(module.__name__ + ".")
        ]
    found = {
        (cls.__name__, attribute.name)
        for cls in classes
        for attribute in attrs.fields(cls)
        if attribute.metadata.get(PERSONAL)
    }
    return sorted(found)


SaltSource = Callable[[], str]
"""Where salts come from (:func:`new_salt` by default; tests may pass their own)."""


# --------------------------------------------------------------------------- strikes


class Striker:
    """Strikes personal values out of a text, each replaced by ``mark``: a text that
    is one of the values becomes the mark; every case-insensitive occurrence of a
    value of four characters or more is struck (repeatedly, until none is left); a
    text that, by case rules the pattern does not follow, still holds one is struck
    whole. What the public export does (:mod:`scr_engine.publication`) and what an
    erasure does to the texts that mention the person erased (PR-e)."""

    def __init__(self, values: Iterable[str], mark: str) -> None:
        self.values = frozenset(v for v in values if v and v != ERASED)
        self.mark = mark
        long = sorted((v for v in self.values if len(v) >= 4), key=len, reverse=True)
        self._folded = [(v.lower(), v.casefold()) for v in long]
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in long), re.IGNORECASE) if long else None
        )

    def __call__(self, text: str) -> str:
        if text in self.values:
            return self.mark
        if self._pattern is None:
            return text
        for _ in range(len(text) + 1):  # each pass strikes something, or ends it
            struck = self._pattern.sub(lambda _: self.mark, text)
            if struck == text:
                break
            text = struck
        lower, folded = text.lower(), text.casefold()
        if text in self.values or any(a in lower or b in folded for a, b in self._folded):
            return self.mark
        return text

    def finds(self, text: str) -> bool:
        """Whether ``text`` holds one of the values (as :meth:`__call__` sees them)."""
        return self(text) != text


def mentions(text: str, value: str) -> bool:
    """Whether ``text`` holds ``value`` as an erasure sees it (:class:`Striker`)."""
    return _finder(value).finds(text)


@functools.lru_cache(maxsize=64)
def _finder(value: str) -> Striker:
    """One striker per value looked for: an erasure asks of every text and event."""
    return Striker((value,), "\x00")


def strikes_only(before: str, after: str, mark: str) -> bool:
    """Whether ``after`` is ``before`` with one or more spans replaced by ``mark`` and
    nothing else changed: what an erasure may do to a text (PR-e)."""
    if not mark or after == before:
        return False
    pieces = after.split(mark)
    if len(pieces) < 2:
        return False
    if not before.startswith(pieces[0]):
        return False
    position = len(pieces[0])
    for piece in pieces[1:-1]:
        found = before.find(piece, position + 1)
        if found < 0:
            return False
        position = found + len(piece)
    last = pieces[-1]
    return before.endswith(last) and len(before) - len(last) > position


def publication_striker(values: Iterable[str]) -> Striker:
    """The :class:`Striker` of a published text: every one of ``values`` (personal
    values, information not cleared for publication) becomes :data:`REDACTED`, or, when
    that very text is one of them, another short mark."""
    held = frozenset(values)
    return Striker(held, next((m for m in _MARKS if m not in held), ""))
