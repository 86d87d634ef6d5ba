"""The Board's identity: who a store's reviews belong to, printed on every document.

A store holds the reviews of one Safeguarding Adults Board. Its identity — the
Board's name, the area it serves, the protective markings of its documents and the
text that stands for its logo — is set once per store
(:meth:`ReviewStore.set_board_identity <scr_engine.ReviewStore.set_board_identity>`,
``scr init --board-name …``, ``scr board set``) and read back by whatever prints
documents (:meth:`ReviewStore.board_identity <scr_engine.ReviewStore.board_identity>`).
A store that has none set prints :data:`DEFAULT_BOARD`, which names no real Board.

>>> board = BoardIdentity("Northshire Safeguarding Adults Board", area="Northshire")
>>> board.marking, board.public_marking
('OFFICIAL-SENSITIVE', 'OFFICIAL')
"""

from __future__ import annotations

import json
from typing import Any

from attrs import field, frozen

from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import Refusal
from scr_engine.serialization import text_problems

__all__ = [
    "DEFAULT_BOARD",
    "MAX_BOARD_TEXT",
    "OFFICIAL",
    "OFFICIAL_SENSITIVE",
    "BoardIdentity",
]

OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"
"""The Government Security Classification marking of a document that holds personal
data about a case: the default :attr:`BoardIdentity.marking`."""

OFFICIAL = "OFFICIAL"
"""The marking of what the Board publishes (no personal data): the default
:attr:`BoardIdentity.public_marking`."""

MAX_BOARD_TEXT = 200
"""The most characters each part of the identity may hold."""

_FIELDS = ("name", "area", "marking", "public_marking", "logo_text")
_REQUIRED = frozenset({"name", "marking", "public_marking"})


@frozen
class BoardIdentity:
    """Who the documents of a store speak for, and how they are marked.

    Every part is one line of text (no line break or other control character), at
    most :data:`MAX_BOARD_TEXT` characters; ``name``, ``marking`` and
    ``public_marking`` cannot be empty. Anything else raises
    :class:`~scr_engine.InvalidRequest` naming every part at fault. Documents escape
    every part as they print it: a name is text, never markup.
    """

    name: str
    """The Board's name, as on its letterhead (``Northshire Safeguarding Adults Board``)."""
    area: str = ""
    """The area the Board serves (``Northshire``), printed beside the name."""
    marking: str = OFFICIAL_SENSITIVE
    """The protective marking of the documents that hold personal data (the request,
    the chronology, the overview report, the action plan, the timeline)."""
    public_marking: str = OFFICIAL
    """The marking of what holds none: the public report and the register."""
    logo_text: str = field(default="")
    """Text standing for the Board's logo at the head of every HTML page (its
    initials, say); empty for none."""

    def __attrs_post_init__(self) -> None:
        problems: list[Refusal] = []
        for name in _FIELDS:
            value = getattr(self, name)
            if type(value) is not str:
                problems.append(Refusal.input(f"{name} must be text", name))
            elif name in _REQUIRED and not value.strip():
                problems.append(Refusal.input(f"{name} cannot be empty", name))
            elif len(value) > MAX_BOARD_TEXT:
                message = f"{name} holds {len(value)} characters; at most {MAX_BOARD_TEXT}"
                problems.append(Refusal.input(message, name))
            elif any(ch < " " or ch == "\x7f" for ch in value):
                message = f"{name} must be one line, without control characters"
                problems.append(Refusal.input(message, name))
            else:
                problems.extend(text_problems(value, name))
        if problems:
            raise InvalidRequest("board_identity", problems)

    @property
    def title(self) -> str:
        """The name, with the area when the name does not already say it."""
        if self.area and self.area.casefold() not in self.name.casefold():
            return f"{self.name} ({self.area})"
        return self.name

    def to_json(self) -> str:
        """The identity as compact JSON (how a store keeps it)."""
        data = {name: getattr(self, name) for name in _FIELDS}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> BoardIdentity:
        """The identity :meth:`to_json` wrote; :class:`~scr_engine.InvalidRequest` for
        anything else."""
        try:
            data: Any = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise InvalidRequest(
                "board_identity", [Refusal.input(f"not JSON: {exc}", None)]
            ) from None
        if not isinstance(data, dict) or not set(data) <= set(_FIELDS) or "name" not in data:
            raise InvalidRequest(
                "board_identity",
                [Refusal.input(f"expected an object with {', '.join(_FIELDS)}", None)],
            )
        return cls(**data)

    def updated(self, **changes: str | None) -> BoardIdentity:
        """The identity with the parts given (not None) changed, checked again."""
        data = {name: getattr(self, name) for name in _FIELDS}
        data.update({k: v for k, v in changes.items() if v is not None})
        return BoardIdentity(**data)


DEFAULT_BOARD = BoardIdentity("Safeguarding Adults Board")
"""What documents print for a store with no identity set: a plain title naming no
real Board, marked :data:`OFFICIAL_SENSITIVE` (and :data:`OFFICIAL` for what is
published)."""
