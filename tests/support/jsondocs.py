"""Places in a JSON document, and copies of it changed at one place: for the tests
that alter valid documents to see who accepts what."""

from __future__ import annotations

from typing import Any

__all__ = ["drop_at", "get_at", "paths", "set_at"]


def paths(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document (the root included): keys and list indexes."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found.extend(paths(value, (*path, key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(paths(value, (*path, index)))
    return found


def get_at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def set_at(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``document`` with ``value`` at ``path`` (the original is untouched)."""
    if not path:
        return value
    copy: Any = dict(document) if isinstance(document, dict) else list(document)
    copy[path[0]] = set_at(copy[path[0]], path[1:], value)
    return copy


def drop_at(document: Any, path: tuple[Any, ...]) -> Any:
    """A copy of ``document`` without what is at ``path`` (not the root)."""
    if len(path) == 1:
        copy: Any = dict(document) if isinstance(document, dict) else list(document)
        del copy[path[0]]
        return copy
    return set_at(document, path[:1], drop_at(document[path[0]], path[1:]))
