"""How a record or command field is marked as personal data or free text (PR-e), and
the keys a table by key takes.

The marks alone, below the records and commands that carry them; what the history
does with a marked field is :mod:`scr_engine.personal`, which names these too.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["FREE_TEXT", "KEYS", "MARK", "PERSONAL", "TEXT"]

PERSONAL = "scr_engine.personal"
"""The attrs metadata key that marks a field as personal data."""

MARK: Mapping[str, bool] = MappingProxyType({PERSONAL: True})
"""The metadata of a personal field: ``attrs.field(metadata=MARK)``."""

FREE_TEXT = "scr_engine.free_text"
"""The attrs metadata key that marks a field as free text: not personal data as such
(it may be published), but written by people, who may have named someone in it."""

TEXT: Mapping[str, bool] = MappingProxyType({FREE_TEXT: True})
"""The metadata of a free-text field: ``attrs.field(metadata=TEXT)``."""

KEYS = "scr_engine.keys"
"""The attrs metadata key giving the keys of a table by key whose key is text (a field
typed ``dict[str, ...]``, such as a SAR's terms of reference by item), in order:
``attrs.field(metadata={KEYS: ("mandate", ...)})``. A template lists them, as it lists
an enumeration's members for a table keyed by one."""
