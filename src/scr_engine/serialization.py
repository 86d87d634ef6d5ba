"""JSON round-trips through the library's own cattrs converter.

One private converter (never cattrs' global one) turns records and commands into
JSON-ready primitives and back. Structuring is strict: a string is not accepted where
a number is expected, unknown keys are refused, and every problem is reported at
once as :class:`~scr_engine.InvalidRequest`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, TypeVar

import cattrs
from cattrs.errors import BaseValidationError

from scr_engine.errors import InvalidRequest
from scr_engine.rules.reasons import Refusal, RefusalKind

__all__ = ["canonical_json", "structure", "unstructure"]

T = TypeVar("T")


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)

    def strict(kind: type[Any]) -> Any:
        def hook(value: Any, _: Any) -> Any:
            # bool is an int subclass: refuse it where a number is wanted.
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
            return value

        return hook

    # Exact-type predicates: a hook registered for ``str`` by type would also catch
    # every StrEnum (a str subclass) and leave enums unconverted.
    def exactly(kind: type[Any]) -> Any:
        return lambda t: t is kind

    for kind in (str, int, bool):
        conv.register_structure_hook_func(exactly(kind), strict(kind))

    def structure_date(value: Any, _: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if not isinstance(value, str):
            raise TypeError(f"expected an ISO date string, got {type(value).__name__}")
        return date.fromisoformat(value)

    def structure_datetime(value: Any, _: Any) -> datetime:
        if isinstance(value, datetime):
            result = value
        elif isinstance(value, str):
            result = datetime.fromisoformat(value)
        else:
            raise TypeError(f"expected an ISO date-time string, got {type(value).__name__}")
        if result.tzinfo is None:
            raise ValueError("date-time must carry a time zone")
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


def unstructure(obj: Any) -> Any:
    """Turn a record or command into JSON-ready primitives."""
    return _CONVERTER.unstructure(obj)


def _path_problems(exc: BaseException, rule: str) -> list[Refusal]:
    if isinstance(exc, BaseValidationError):
        messages = cattrs.transform_error(exc, path="$")
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


def structure(data: Any, cls: type[T], *, what: str = "input", rule: str = "INPUT") -> T:
    """Build ``cls`` from primitives, raising :class:`InvalidRequest` naming every
    problem (path and reason) when the data does not fit."""
    try:
        return _CONVERTER.structure(data, cls)
    except (BaseValidationError, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InvalidRequest(what, _path_problems(exc, rule)) from exc


def canonical_json(data: Any) -> str:
    """The canonical JSON text of primitives: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
