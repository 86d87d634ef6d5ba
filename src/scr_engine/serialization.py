"""JSON round-trips through the library's own cattrs converter.

One private converter (never cattrs' global one) turns records and commands into
JSON-ready primitives and back. Structuring is strict: a string is not accepted where
a number is expected, unknown keys are refused, and every problem is reported at
once as :class:`~scr_engine.InvalidRequest`.
"""

from __future__ import annotations

import difflib
import json
import operator
import re
import types
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import (
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.v import format_exception

from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import Refusal, RefusalKind

__all__ = [
    "FrozenDict",
    "canonical_json",
    "field_problems",
    "freeze",
    "shape_problems",
    "size_problems",
    "structure",
    "text_for_lists",
    "text_problems",
    "unstructure",
]


class FrozenDict(dict[Any, Any]):
    """A dict that cannot be changed: what a stored event or record hands out, so
    that nobody edits history in place. It is still a ``dict`` (JSON, equality)."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("this mapping is part of a record and cannot be changed")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=repr)))

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, memo: Any) -> FrozenDict:
        return self

    def __reduce__(self) -> Any:
        return (FrozenDict, (dict(self),))


def freeze(data: Any) -> Any:
    """JSON-ready primitives made immutable: dicts become :class:`FrozenDict`, lists
    tuples (both still serialize as before)."""
    kind = type(data)
    if kind in _SCALARS or kind is FrozenDict:
        return data
    if kind is dict:
        return FrozenDict({k: v if type(v) in _SCALARS else freeze(v) for k, v in data.items()})
    if kind is list or kind is tuple:
        items = [v if type(v) in _SCALARS else freeze(v) for v in data]
        if kind is tuple and all(map(operator.is_, items, data)):
            return data
        return tuple(items)
    if isinstance(data, dict):
        return FrozenDict((k, freeze(v)) for k, v in data.items())
    if isinstance(data, list | tuple):
        return tuple(freeze(v) for v in data)
    return data


_SCALARS = frozenset({str, int, float, bool, type(None)})


T = TypeVar("T")

_ISO_DATE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""A date as the library writes and reads it (``scr_engine.schema.DATE_PATTERN``)."""


def _make_converter(*, detailed: bool = True) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)

    def strict(kind: type[Any]) -> Any:
        def hook(value: Any, _: Any) -> Any:
            # JSON has one kind of number: 5.0 is the integer 5 (as JSON Schema says).
            if kind is int and type(value) is float and value.is_integer():
                return int(value)
            # bool is an int subclass: refuse it where a number is wanted.
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise TypeError(f"expected {_KIND_WORDS[kind]}, got {_shown(value)}")
            return value

        return hook

    for kind in (str, int, bool):
        conv.register_structure_hook(kind, strict(kind))

    # A StrEnum is a str: without its own hook the str hook above would take it and
    # leave the value unconverted. StrEnum precedes str in every StrEnum's MRO.
    def structure_enum(value: Any, cls: Any) -> Any:
        if not isinstance(value, str):
            raise TypeError(f"expected {_describe(cls)}; got {_shown(value)}")
        try:
            return cls(value)
        except ValueError:
            close = difflib.get_close_matches(value, [m.value for m in cls], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"expected {_describe(cls)}; got {value!r}{hint}") from None

    conv.register_structure_hook(StrEnum, structure_enum)

    # cattrs would take any iterable for a tuple or a frozenset: a string would become
    # a tuple of letters. Only JSON arrays (or Python sequences and sets) pass.
    def collection(value: Any) -> None:
        if isinstance(value, str | bytes | dict) or not isinstance(
            value, list | tuple | set | frozenset
        ):
            raise TypeError(f"expected a list, got {_shown(value)}")

    def tuple_factory(cls: Any, converter: cattrs.Converter) -> Any:
        inner = homogenous_tuple_structure_factory(cls, converter)

        def hook(value: Any, kind: Any) -> Any:
            collection(value)
            return inner(value, kind)

        return hook

    def frozenset_factory(cls: Any, converter: cattrs.Converter) -> Any:
        (element,) = get_args(cls) or (Any,)
        item = converter.get_structure_hook(element)

        def hook(value: Any, _: Any) -> Any:
            collection(value)
            out, errors = [], []
            for index, entry in enumerate(value):
                try:
                    out.append(item(entry, element))
                except Exception as exc:
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        IterableValidationNote(
                            f"Structuring frozenset @ index {index}", index, element
                        ),
                    ]
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {cls!r}", errors, cls)
            return frozenset(out)

        return hook

    def is_tuple(t: Any) -> bool:
        origin: Any = get_origin(t)
        return origin is tuple and get_args(t)[1:] == (...,)

    def is_frozenset(t: Any) -> bool:
        origin: Any = get_origin(t)
        return origin is frozenset

    conv.register_structure_hook_factory(is_tuple, tuple_factory)
    conv.register_structure_hook_factory(is_frozenset, frozenset_factory)

    def structure_date(value: Any, _: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if not isinstance(value, str):
            raise TypeError(f"expected a date as YYYY-MM-DD, got {_shown(value)}")
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected a real date as YYYY-MM-DD, got {value!r}") from None

    def structure_datetime(value: Any, _: Any) -> datetime:
        if isinstance(value, datetime):
            result = value
        elif isinstance(value, str):
            try:
                result = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"expected a date-time as YYYY-MM-DDTHH:MM:SS+00:00, got {value!r}"
                ) from None
        else:
            raise TypeError(
                f"expected a date-time as YYYY-MM-DDTHH:MM:SS+00:00, got {_shown(value)}"
            )
        if result.tzinfo is None:
            raise ValueError("expected a date-time with its offset (such as +00:00)")
        return result

    conv.register_structure_hook(date, structure_date)
    conv.register_structure_hook(datetime, structure_datetime)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    # Frozensets become sorted lists, so the same set always serializes the same way.
    conv.register_unstructure_hook_func(
        lambda t: getattr(t, "__origin__", t) is frozenset,
        lambda s: sorted(conv.unstructure(x) for x in s),
    )
    return conv


_CONVERTER = _make_converter()
"""The converter that reports every problem of data that does not fit, with its path."""

_FAST = _make_converter(detailed=False)
"""The same rules without collecting problems: it stops at the first one, so its
generated code is half the size, quicker to build and to run. Data is first built
with it; only data it refuses goes to :data:`_CONVERTER` for the full report."""


def unstructure(obj: Any) -> Any:
    """Turn a record or command into JSON-ready primitives."""
    return _CONVERTER.unstructure(obj)


_KIND_WORDS = {str: "text", int: "a whole number", bool: "true or false"}


def _shown(value: Any) -> str:
    """A value as an error message names it: its JSON kind."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"text {_brief(value)}"
    if isinstance(value, dict):
        return "a table of fields"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    return type(value).__name__


def _brief(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _teach(exc: BaseException, kind: type | None) -> str:
    """What is wrong and what is accepted, for one problem cattrs found: the engine's
    own messages (each says what it expected) as they are; a field that is not there
    named, with the nearest field there is; a missing one as missing."""
    if isinstance(exc, ValueError | TypeError) and str(exc).startswith("expected"):
        return str(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        known = sorted(a.name for a in attrs.fields(exc.cl)) if attrs.has(exc.cl) else []
        parts = []
        for name in sorted(exc.extra_fields):
            close = difflib.get_close_matches(name, known, n=1)
            parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        listed = f"; the fields are: {', '.join(known)}" if 0 < len(known) <= 20 else ""
        return f"unknown field {', '.join(parts)}{listed}"
    if isinstance(exc, KeyError):
        return "required field missing"
    described = _describe(kind)
    if described is not None:
        return f"expected {described}"
    return format_exception(exc, kind)


def _describe(kind: Any) -> str | None:
    """What a value of type ``kind`` looks like in JSON, in words (None if unknown)."""
    origin = get_origin(kind)
    if origin is Union or origin is types.UnionType:
        words = ["null" if a is type(None) else _describe(a) for a in get_args(kind)]
        return None if None in words else " or ".join(w for w in words if w)
    if origin is tuple or origin is frozenset:
        return "a list"
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return "one of: " + ", ".join(m.value for m in kind)
    if isinstance(kind, type) and attrs.has(kind):
        return "a table of fields (" + ", ".join(a.name for a in attrs.fields(kind)) + ")"
    if kind is datetime:
        return "a date-time as YYYY-MM-DDTHH:MM:SS+00:00"
    if kind is date:
        return "a date as YYYY-MM-DD"
    return _KIND_WORDS.get(kind)


def _path_problems(exc: BaseException, rule: str) -> list[Refusal]:
    if isinstance(exc, BaseValidationError):
        messages = cattrs.transform_error(exc, path="$", format_exception=_teach)
    else:
        messages = [f"{exc} @ $"]
    problems = []
    for message in messages:
        text, _, where = message.rpartition(" @ ")
        problems.append(
            Refusal(
                rule,
                text or message,
                RefusalKind.INPUT,
                where.removeprefix("$").lstrip(".") or None,
            )
        )
    return problems


MAX_DEPTH = 32
"""How deeply JSON input may nest (the records need far less)."""


def shape_problems(data: Any, rule: str = "INPUT") -> list[Refusal]:
    """Every object key in ``data`` that is not text, and nesting deeper than
    :data:`MAX_DEPTH`: JSON has neither, and no record can be built from them."""
    problems: list[Refusal] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            message = f"the input nests more than {MAX_DEPTH} levels deep"
            return [Refusal(rule, message, RefusalKind.INPUT, path or None)]
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    message = f"object keys must be text, not {type(key).__name__}"
                    problems.append(Refusal(rule, message, RefusalKind.INPUT, path or None))
                    continue
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                stack.append((item, f"{path}[{index}]", depth + 1))
    return problems


def structure(
    data: Any,
    cls: type[T],
    *,
    what: str = "input",
    rule: str = "INPUT",
    from_json: bool = False,
) -> T:
    """Build ``cls`` from primitives, raising :class:`InvalidRequest` naming every
    problem (path and reason) when the data does not fit. (The shape of the data —
    keys that are not text, nesting too deep — is examined only when it does not fit,
    or for keys that are not text, when the data may hold any: ``from_json`` says it is
    what :func:`json.loads` returned, whose keys are all text.)"""
    try:
        built = _FAST.structure(data, cls)
    except Exception:  # whatever it is, the reporting converter says it fully
        built = _structure_reporting(data, cls, what, rule)
    if not from_json and _has_bad_keys(data):
        raise InvalidRequest(what, shape_problems(data, rule))
    return built


_STRUCTURE_ERRORS = (
    BaseValidationError,
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
    RecursionError,
)


def _structure_reporting(data: Any, cls: type[T], what: str, rule: str) -> T:
    """:func:`structure` for data the fast converter refused: the reporting converter
    names every problem (and is the authority, should it accept the data)."""
    try:
        return _CONVERTER.structure(data, cls)
    except _STRUCTURE_ERRORS as exc:
        problems = shape_problems(data, rule)
        if problems:
            raise InvalidRequest(what, problems) from exc
        try:
            problems = _path_problems(exc, rule)
        except Exception:  # a message that cannot even be rendered
            problems = [Refusal(rule, f"malformed {what}", RefusalKind.INPUT)]
        raise InvalidRequest(what, problems) from exc


def _has_bad_keys(data: Any) -> bool:
    """Whether a mapping anywhere in ``data`` has a key that is not text (a record
    built from it would hold a mapping no JSON can carry)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if type(value) is dict or isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    return True
                if (
                    type(item) is dict
                    or type(item) is list
                    or isinstance(item, dict | list | tuple)
                ):
                    stack.append(item)
        elif isinstance(value, list | tuple):
            stack.extend(v for v in value if isinstance(v, dict | list | tuple))
    return False


def field_problems(obj: Any, rule: str = "INPUT") -> list[Refusal]:
    """Every field of an attrs instance whose value does not fit its declared type,
    each named: for objects built in Python with wrong types, which cannot even be
    turned into JSON."""
    cls = type(obj)
    attrs.resolve_types(cls)
    problems: list[Refusal] = []
    for attribute in attrs.fields(cls):
        value = getattr(obj, attribute.name)
        try:
            primitive = _CONVERTER.unstructure(value, unstructure_as=attribute.type)
        except Exception:
            wanted = getattr(attribute.type, "__name__", str(attribute.type))
            message = f"expected {wanted}, got {type(value).__name__}"
            problems.append(Refusal(rule, message, RefusalKind.INPUT, attribute.name))
            continue
        try:
            _CONVERTER.structure(primitive, attribute.type)
        except Exception as exc:
            for problem in _path_problems(exc, rule):
                where = attribute.name + (f".{problem.field}" if problem.field else "")
                problems.append(Refusal(rule, problem.message, RefusalKind.INPUT, where))
    return problems


_COLLECTIONS = (tuple, list, frozenset, set, dict)

# cls -> each field's name, whether its type wants a collection, and whether it may
# hold records (whose own fields are then looked at)
_LIST_FIELDS: dict[type, tuple[tuple[str, bool, bool], ...]] = {}


def _wants(kind: Any) -> tuple[bool, bool]:
    """Whether a field of type ``kind`` wants a collection, and whether it may hold
    records: ``X | None`` as ``X``."""
    origin = get_origin(kind)
    if origin is Union or origin is types.UnionType:
        found = [_wants(arg) for arg in get_args(kind) if arg is not type(None)]
        return any(w for w, _ in found), any(r for _, r in found)
    if origin in _COLLECTIONS or kind in _COLLECTIONS:
        return True, any(_wants(arg)[1] or attrs.has(arg) for arg in get_args(kind))
    return False, kind is Any or (isinstance(kind, type) and attrs.has(kind))


def _list_fields(cls: type) -> tuple[tuple[str, bool, bool], ...]:
    found = _LIST_FIELDS.get(cls)
    if found is None:
        attrs.resolve_types(cls)
        found = _LIST_FIELDS[cls] = tuple((a.name, *_wants(a.type)) for a in attrs.fields(cls))
    return found


def text_for_lists(obj: Any, path: str = "", rule: str = "INPUT") -> list[Refusal]:
    """Every field of an attrs instance built in Python (and of the records it holds)
    given one text where its type wants a list: turned into JSON, the text would
    become its characters, one item each (``readers="u-auditor"`` read as nine
    readers), so it is refused, naming the field. Anything but a record has none."""
    problems: list[Refusal] = []
    if not attrs.has(type(obj)):
        return problems
    for name, wants_list, holds_records in _list_fields(type(obj)):
        value = getattr(obj, name)
        where = f"{path}.{name}" if path else name
        if wants_list and isinstance(value, str | bytes):
            message = f"expected a list, got {_shown(value)}"
            problems.append(Refusal(rule, message, RefusalKind.INPUT, where))
        elif holds_records and isinstance(value, tuple | list):
            for index, item in enumerate(value):
                problems.extend(text_for_lists(item, f"{where}[{index}]", rule))
        elif holds_records:
            problems.extend(text_for_lists(value, where, rule))
    return problems


def text_problems(data: Any, path: str = "", rule: str = "INPUT") -> list[Refusal]:
    """Every string in JSON-ready ``data`` that no store can keep and no hash can
    cover: a NUL character, or a lone surrogate (not valid Unicode)."""
    if _scan(data)[0]:
        return _text_problems(data, path, rule)
    return []  # the common case, found without naming every path


def _text_problems(data: Any, path: str, rule: str) -> list[Refusal]:
    problems: list[Refusal] = []
    if isinstance(data, str):
        if "\x00" in data or not _encodable(data):
            message = "text must be valid Unicode without NUL characters"
            problems.append(Refusal(rule, message, RefusalKind.INPUT, path or None))
    elif isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            problems.extend(_text_problems(key, where, rule))
            problems.extend(_text_problems(value, where, rule))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            problems.extend(_text_problems(value, f"{path}[{index}]", rule))
    return problems


def _scan(data: Any) -> tuple[bool, int]:
    """Whether JSON-ready ``data`` holds a text no store can keep (a key or a value:
    see :func:`text_problems`), and the length of its longest value text."""
    bad, longest = False, 0
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            longest = max(longest, len(value))
            bad = bad or "\x00" in value or not (value.isascii() or _encodable(value))
        elif isinstance(value, dict):
            for key in value:
                if isinstance(key, str) and not bad:
                    bad = "\x00" in key or not (key.isascii() or _encodable(key))
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return bad, longest


def size_problems(
    data: Any, max_text: int, max_total: int, what: str = "command", rule: str = "INPUT"
) -> list[Refusal]:
    """Every text in JSON-ready ``data`` longer than ``max_text`` characters, named by
    its path, and the whole when its canonical JSON is longer than ``max_total``."""
    problems: list[Refusal] = []
    stack: list[tuple[Any, str]] = [(data, "")] if _scan(data)[1] > max_text else []
    while stack:  # only when a text is too long: to name where
        value, path = stack.pop()
        if isinstance(value, str):
            if len(value) > max_text:
                message = f"text longer than {max_text} characters ({len(value)})"
                problems.append(Refusal(rule, message, RefusalKind.INPUT, path or None))
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((item, f"{path}.{key}" if path else str(key)))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                stack.append((item, f"{path}[{index}]"))
    problems.reverse()
    if not problems:
        total = len(canonical_json(data))
        if total > max_total:
            message = f"the whole {what} is longer than {max_total} characters as JSON ({total})"
            problems.append(Refusal(rule, message, RefusalKind.INPUT, what))
    return problems


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def canonical_json(data: Any) -> str:
    """The canonical JSON text of primitives: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
