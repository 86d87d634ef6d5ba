"""How a record or command field is marked as personal data or free text (PR-e).

The marks alone, below the records and commands that carry them; what the history
does with a marked field is :mod:`scr_engine.personal`, which names these too.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["FREE_TEXT", "MARK", "PERSONAL", "TEXT"]

PERSONAL = "scr_engine.personal"
"""The attrs metadata key that marks a field as personal data."""

MARK: Mapping[str, bool] = MappingProxyType({PERSONAL: True})
"""The metadata of a personal field: ``attrs.field(metadata=MARK)``."""

FREE_TEXT = "scr_engine.free_text"
"""The attrs metadata key that marks a field as free text: not personal data as such
(it may be published), but written by people, who may have named someone in it."""

TEXT: Mapping[str, bool] = MappingProxyType({FREE_TEXT: True})
"""The metadata of a free-text field: ``attrs.field(metadata=TEXT)``."""
