"""A page per command, made from the command's fields (the same classes its JSON
Schema is made from) and its protocol's table: what it does, who may issue it, from
which stages, under which rules, and every field. Used by ``gen_pages.py``: the SCR's
in ``commands/``, the SAR's and its annual report's in ``sar/commands/``, each page
beside an index and one folder below its protocol's rule catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from _catalogue import link

from scr_engine.cli.shapes import STAGE_WORDS, command_words
from scr_engine.commands import COMMANDS
from scr_engine.protocols import DEFAULT, Protocol
from scr_engine.rules.registry import RULES
from scr_engine.templates import FieldKind, TemplateField, template, to_toml

NAMES = sorted(n for n in COMMANDS if n != "submit_request")
"""The SCR's commands ``scr run`` issues (a request is submitted with ``scr submit``)."""


def names(definition: Protocol) -> list[str]:
    """The commands of ``definition`` that ``scr run`` issues (all but its request)."""
    return sorted(r.command for r in definition.table if r.command != "submit_request")


def _linker(definition: Protocol) -> Callable[[str], str]:
    """A rule ID as a link from a command's page: to the protocol's catalogue one folder
    up, or (another protocol's page citing the engine's ``MAP`` …) to the SCR's."""
    if definition is DEFAULT:
        return lambda rid: link(rid, "../rules.md")
    return lambda rid: link(rid, "../../rules.md" if rid in RULES else "../rules.md")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(fields: tuple[TemplateField, ...], linked: Callable[[str], str]) -> list[str]:
    rows = []
    for f in fields:
        name = f.path.replace(".KEY", ".*")
        if f.kind is FieldKind.KEYED:
            allowed = "keys: " + ", ".join(f"`{a}`" for a in f.allowed) if f.allowed else ""
        elif f.allowed:
            allowed = ", ".join(f"`{a}`" for a in f.allowed)
        elif f.default not in (None, "", [], {}):
            allowed = f"default `{json.dumps(f.default, ensure_ascii=False)}`"
        else:
            allowed = ""
        rules = ", ".join(linked(r) for r in f.rules)
        what = f.description + (" *Personal data.*" if f.personal else "")
        rows.append(
            f"| `{name}` | {_cell(f.words)} | {'yes' if f.required else 'no'} "
            f"| {_cell(allowed)} | {rules} | {_cell(what)} |"
        )
        rows += _rows(f.fields, linked)
    return rows


def _stage(definition: Protocol, code: str) -> str:
    words = STAGE_WORDS.get(code, code) if definition is DEFAULT else code.replace("_", " ")
    return f"{words} (`{code}`)"


def page(name: str, definition: Protocol = DEFAULT) -> str:
    """The page of one command of ``definition`` (the SCR's by default)."""
    made = template(name, definition=definition)
    linked = _linker(definition)
    stages = ", ".join(_stage(definition, s) for s in made.stages) or "—"
    leads = _stage(definition, made.leads_to) if made.leads_to else "the review stays at its stage"
    lines = [
        f"# {command_words(name)} (`{name}`)",
        "",
        made.summary,
        "",
        f"- **Protocol:** {definition.title} (`{definition.name}`)",
        f"- **Who may issue it:** {', '.join(f'`{r}`' for r in made.roles)}",
        f"- **From the stages:** {stages}",
        f"- **Leads to:** {leads}",
        "",
        "## Rules",
        "",
        "The rules it answers to (see [the rule catalogue](../rules.md)):",
        "",
        *[f"- **{linked(r)}** — {made.titles.get(r) or RULES[r].title}" for r in made.rules],
        "",
        "## Fields",
        "",
    ]
    if made.fields:
        lines += [
            "| Field | Type | Required | Allowed or default | Rules asking for it | What it is |",
            "|---|---|---|---|---|---|",
            *_rows(made.fields, linked),
            "",
        ]
    else:
        lines += ["It takes no fields.", ""]
    lines += [
        "## Template",
        "",
        f"`scr run REVIEW {name} --template` prints it filled in from the review where it",
        f"can be; then `scr run REVIEW {name} --from FILE.toml`. Without a review:",
        "",
        "```toml",
        to_toml(made).rstrip("\n"),
        "```",
        "",
    ]
    return "\n".join(lines)


def index() -> str:
    """The list of commands, each with its page."""
    lines = [
        "# Commands",
        "",
        "Every command of the Serious Case Review protocol, with its fields, who may issue",
        "it, from which stages and under which rules (a Safeguarding Adults Review's",
        "commands are [in its section](../sar/commands/index.md)). `scr show REVIEW`",
        "lists those open now, and",
        "`scr run REVIEW COMMAND --template` prints one to fill in (see",
        "[the command line](../cli.md)). A request is submitted with `scr submit`",
        "([its form](../cli.md)). These pages are generated when the site is built.",
        "",
        *_table(DEFAULT),
    ]
    return "\n".join(lines) + "\n"


def other_index(definitions: Iterable[Protocol]) -> str:
    """The list of the commands of ``definitions`` (not the SCR), a section each, every
    command with its page beside the list."""
    lines = [
        "# Commands",
        "",
        "Every command of the Safeguarding Adults Review and of the Board's annual report,",
        "with its fields, who may issue it, from which stages and under which rules (see",
        "[the overview](../index.md) for the stages, and the [rule catalogue](../rules.md)).",
        "`scr show REVIEW` lists those open now, and `scr run REVIEW COMMAND --template`",
        "prints one to fill in (see [the command line](../../cli.md)). These pages are",
        "generated when the site is built.",
    ]
    for definition in definitions:
        lines += [
            "",
            f"## {definition.title}",
            "",
            f"Protocol code `{definition.name}`.",
            "",
            *_table(definition),
        ]
    return "\n".join(lines) + "\n"


def _table(definition: Protocol) -> list[str]:
    """The table of ``definition``'s commands: each linked to its page beside it, what
    it does, who may issue it."""
    lines = ["| Command | What it does | Who |", "|---|---|---|"]
    for name in names(definition):
        made = template(name, definition=definition)
        lines.append(
            f"| [{command_words(name)}]({name}.md) (`{name}`) | {_cell(made.summary)} "
            f"| {', '.join(made.roles)} |"
        )
    return lines
