"""Protocol settings: the lengths of the clocks, and the limits on input, as data.

The defaults are those of the source text. A Board that changes them publishes a new
``version``; each review keeps the version it started under.
"""

from __future__ import annotations

from attrs import frozen

from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import Refusal

__all__ = ["DEFAULT_SETTINGS", "ProtocolSettings"]


@frozen
class ProtocolSettings:
    """The clock lengths a Board runs the protocol with."""

    version: str = "hsab-2008"
    """A stable name for these settings; stored on each review."""
    initial_meeting_months: int = 1
    """SU-5: the initial meeting within 1 calendar month of the Chair's receipt."""
    review_months: int = 6
    """SU-4: the review completes within 6 calendar months unless the terms of
    reference set otherwise."""
    chair_notification_days: int | None = None
    """RF-3: "as soon as practicable" has no number; a Board may set a target in
    calendar days."""
    chair_notification_working_days: int | None = None
    """RF-3 as a target in working days (England-and-Wales bank holidays excluded);
    takes precedence over ``chair_notification_days``. Needs the ``holidays`` extra."""
    initial_meeting_working_days: int | None = None
    """SU-5 counted in working days instead of calendar months, for Boards whose local
    protocol says so. Needs the ``holidays`` extra."""
    max_text_length: int = 100_000
    """The most characters one text field of a request or command may hold."""
    max_command_length: int = 1_000_000
    """The most characters a whole request or command may take as JSON."""
    max_actor_length: int = 256
    """The most characters an actor's id or name may hold (the id is recorded in every
    event and access-log entry it makes)."""
    max_amount_pounds: int = 1_000_000_000
    """The largest sum of money a command may record (SU-3's budget), in pounds."""

    def __attrs_post_init__(self) -> None:
        problems = []
        if not self.version.strip():
            problems.append(("version", "settings need a version name"))
        for name in ("initial_meeting_months", "review_months"):
            if not 1 <= getattr(self, name) <= 120:
                problems.append((name, f"{name} must be from 1 to 120"))
        for name in (
            "max_text_length",
            "max_command_length",
            "max_actor_length",
            "max_amount_pounds",
        ):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                problems.append((name, f"{name} must be a whole number of at least 1"))
        for name in (
            "chair_notification_days",
            "chair_notification_working_days",
            "initial_meeting_working_days",
        ):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 3660:
                problems.append((name, f"{name} must be from 1 to 3660 when set"))
        if problems:
            raise InvalidRequest(
                "settings",
                [Refusal.input(message, name) for name, message in problems],
            )


DEFAULT_SETTINGS = ProtocolSettings()
"""The source text's own settings."""
