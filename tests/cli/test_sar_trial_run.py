"""A SAR driven from ``scr`` the way a Board's business manager runs one: the
mistakes met on the way each end in the documented exit status and one line that
says what to do, and nothing is stored after a refusal."""

from __future__ import annotations

from scr_engine.cli import EXIT_NOT_FOUND
from support.clitools import Scr, scr

__all__ = ["scr"]  # the fixture, for pytest


def test_a_sar_command_on_an_unknown_review_is_not_found(scr: Scr) -> None:
    """A SAR's own command (``acknowledge_request``, ``record_information_response``)
    on a reference no review has is "no review" (exit 3), not an unknown command (exit
    2) nor the SCR's fields for a command of the same name."""
    scr.ready()
    for command, fields in (
        ("acknowledge_request", ()),
        ("record_chair_notified", ("--set", "notified_on=2026-10-02")),
        ("record_information_response", ("--set", "request=IR-1")),
    ):
        for extra in ((), ("--dry-run",), ("--template",)):
            result = scr("run", "SAR-2026-009", command, *fields, *extra, actor="u-bm")
            assert result.exit_code == EXIT_NOT_FOUND, (command, extra, result.output)
            assert "no review 'SAR-2026-009'" in result.stderr
        error = scr.json("run", "SAR-2026-009", command, *fields, actor="u-bm", code=3)
        assert error["error"]["kind"] == "not_found"
