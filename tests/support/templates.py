"""A command template's fields, nested ones included, for the tests that look one up
by its path or check them all."""

from __future__ import annotations

from collections.abc import Iterable

from scr_engine.templates import TemplateField

__all__ = ["every_field"]


def every_field(fields: Iterable[TemplateField]) -> list[TemplateField]:
    """``fields`` and every field inside them, each before those it holds."""
    found: list[TemplateField] = []
    for f in fields:
        found += [f, *every_field(f.fields)]
    return found
