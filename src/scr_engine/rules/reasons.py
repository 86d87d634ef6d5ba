"""Reasons: why a command would be refused, each citing the rule it comes from.

:class:`Refusal` and :class:`RefusalKind` live in :mod:`scr_engine.errors.refusals`
(beside the errors that carry them); this module names them where they were first
published."""

from scr_engine.errors.refusals import Refusal, RefusalKind

__all__ = ["Refusal", "RefusalKind"]
