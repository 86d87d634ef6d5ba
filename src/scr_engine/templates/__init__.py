"""Command templates: every field a command takes, in words, ready to fill in.

:func:`template` describes one command — each field's type in words, its allowed
values, its format, whether it is required and its default, the tables and lists it
holds, the rules that ask for it — and, given a review, fills in what the review
already knows (its agencies, its people, the IMRs' merged chronology for the overview
report, the terms of reference to revise). :func:`to_toml` writes it as a commented
TOML file that reads back, unchanged, into the command (``scr run REVIEW COMMAND
--template``, then ``--from FILE``); :func:`template_json` gives the same as JSON;
:func:`dumps_toml` writes any JSON-ready table as TOML.

The rules that ask for a field are found in the guards themselves (:mod:`scr_engine.rules`):
a refusal naming a rule of the registry and the field, in the guard of the command or
a helper it calls. A field no guard names has none.
"""

from __future__ import annotations

from scr_engine.templates.fields import CommandTemplate, FieldKind, TemplateField
from scr_engine.templates.fill import fields_summary, form_template, template
from scr_engine.templates.render import template_json, to_toml
from scr_engine.templates.rules import field_rules
from scr_engine.templates.toml import dumps_toml

__all__ = [
    "CommandTemplate",
    "FieldKind",
    "TemplateField",
    "dumps_toml",
    "field_rules",
    "fields_summary",
    "form_template",
    "template",
    "template_json",
    "to_toml",
]
