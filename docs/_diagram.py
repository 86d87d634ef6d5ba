"""The stage diagram as SVG, drawn from the engine's table when the site is built, so
the page needs no script and no network to show it (the Mermaid text of `scr diagram`
is shown beside it for those who want it).

The layout follows the protocol's shape: the stages a review passes through on its
way to closure in one column, top to bottom; the other ends (redirected, not taken
forward, withdrawn) in a second column beside them; a command that leads back up the
column (``request_revision``) as an arc on the left.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from scr_engine.protocols import Protocol
from scr_engine.protocols.scr import SCR
from scr_engine.states.table import Row

__all__ = ["svg"]

_BOX_W, _BOX_H = 210, 40
_ROW = 84
_LEFT = 200
_RIGHT = _LEFT + _BOX_W + 230
_TOP = 30
_FONT = "font-family:system-ui,sans-serif;font-size:13px"


def _edges(rows: Iterable[Row]) -> list[tuple[str, str, str]]:
    """(from, to, command) of every command that changes the stage."""
    return [
        (source, row.dest, row.command)
        for row in rows
        if row.dest is not None
        for source in row.sources
        if source != row.dest
    ]


def svg(definition: Protocol = SCR) -> str:
    """The stage diagram of a protocol's table as a standalone SVG document: its open
    stages and its first end (``closed``) in one column, its other ends beside it."""
    edges = _edges(definition.table)
    ends = [s.code for s in definition.stages if s.terminal]
    main = [*definition.open_stages, *ends[:1]]
    side = ends[1:]
    terminal = definition.terminal_stages
    at: dict[str, tuple[int, int]] = {}
    for i, stage in enumerate(main):
        at[stage] = (_LEFT, _TOP + i * _ROW)
    for i, stage in enumerate(side):
        at[stage] = (_RIGHT, _TOP + _ROW // 2 + i * _ROW * 2)
    height = _TOP * 2 + max(y for _, y in at.values()) + _BOX_H
    width = _RIGHT + _BOX_W + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        'aria-label="The stages of a review and the commands between them">',
        "<title>Stages of a review</title>",
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' "
        "markerWidth='7' markerHeight='7' orient='auto-start-reverse'>"
        "<path d='M0,0 L10,5 L0,10 z' fill='#444'/></marker></defs>",
    ]
    labelled: set[tuple[str, str]] = set()
    for source, dest, command in edges:
        (x1, y1), (x2, y2) = at[source], at[dest]
        name = escape(command)
        if x1 == x2 and y2 > y1:  # down the column
            cx = x1 + _BOX_W // 2
            out.append(
                f'<line x1="{cx}" y1="{y1 + _BOX_H}" x2="{cx}" y2="{y2}" '
                'stroke="#444" marker-end="url(#arrow)"/>'
            )
            out.append(
                f'<text x="{cx + 8}" y="{(y1 + _BOX_H + y2) // 2 + 4}" style="{_FONT}" '
                f'fill="#333">{name}</text>'
            )
        elif x1 == x2:  # back up the column: an arc on the left
            bend = x1 - 60
            out.append(
                f'<path d="M{x1},{y1 + _BOX_H // 2} C{bend},{y1 + _BOX_H // 2} '
                f'{bend},{y2 + _BOX_H // 2} {x2},{y2 + _BOX_H // 2}" fill="none" '
                'stroke="#444" stroke-dasharray="5,3" marker-end="url(#arrow)"/>'
            )
            out.append(
                f'<text x="{bend - 4}" y="{(y1 + y2) // 2 + _BOX_H // 2 + 4}" '
                f'style="{_FONT}" fill="#333" text-anchor="end">{name}</text>'
            )
        else:  # out to an end beside the column
            out.append(
                f'<line x1="{x1 + _BOX_W}" y1="{y1 + _BOX_H // 2}" x2="{x2}" '
                f'y2="{y2 + _BOX_H // 2}" stroke="#999" marker-end="url(#arrow)"/>'
            )
            if (dest, command) not in labelled:
                labelled.add((dest, command))
                out.append(
                    f'<text x="{x2 - 6}" y="{y2 + _BOX_H // 2 - 8}" style="{_FONT}" '
                    f'fill="#333" text-anchor="end">{name}</text>'
                )
    for stage, (x, y) in at.items():
        fill = "#eef3fb" if stage not in terminal else "#f4f4f4"
        out.append(
            f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="8" '
            f'fill="{fill}" stroke="#35557f"/>'
        )
        out.append(
            f'<text x="{x + _BOX_W // 2}" y="{y + _BOX_H // 2 + 5}" style="{_FONT}" '
            f'text-anchor="middle" fill="#111">{escape(stage)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
