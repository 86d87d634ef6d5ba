"""A small TOML writer: any JSON-ready table as TOML that :mod:`tomllib` reads back
equal."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(name: str) -> str:
    return name if _BARE.fullmatch(name) else toml_string(name)


def toml_header(path: Sequence[str]) -> str:
    return ".".join(toml_key(p) for p in path)


def _is_date(text: str) -> bool:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def toml_value(value: Any, as_date: bool = False) -> str:
    """One TOML value: text (a date as a TOML date when ``as_date``), a number,
    true/false, or an inline list of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return value if as_date and _is_date(value) else toml_string(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v, as_date) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(
            f"{toml_key(str(k))} = {toml_value(v, as_date)}" for k, v in value.items()
        )
        return "{" + inner + "}"
    raise TypeError(f"no TOML value for {value!r}")


def _is_tables(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def dumps_toml(data: Mapping[str, Any]) -> str:
    """A JSON-ready table as TOML that :mod:`tomllib` reads back equal (``None``
    values left out, as TOML has no null; tuples read back as lists)."""
    lines: list[str] = []
    _dump_table(lines, [], data)
    return "\n".join(lines).lstrip("\n") + "\n"


def _dump_table(lines: list[str], path: list[str], data: Mapping[str, Any]) -> None:
    later: list[tuple[str, Any]] = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping) or _is_tables(value):
            later.append((key, value))
        else:
            lines.append(f"{toml_key(str(key))} = {toml_value(value)}")
    for key, value in later:
        inner = [*path, str(key)]
        if isinstance(value, Mapping):
            lines += ["", f"[{toml_header(inner)}]"]
            _dump_table(lines, inner, value)
        else:
            for item in value:
                lines += ["", f"[[{toml_header(inner)}]]"]
                _dump_table(lines, inner, item)
