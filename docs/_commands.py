"""A page per command, made from the command's fields (the same classes its JSON
Schema is made from) and the protocol's table: what it does, who may issue it, from
which stages, under which rules, and every field. Used by ``gen_pages.py``."""

from __future__ import annotations

import json

from _catalogue import link

from scr_engine.cli.shapes import STAGE_WORDS, command_words
from scr_engine.commands import COMMANDS
from scr_engine.rules.registry import RULES
from scr_engine.templates import FieldKind, TemplateField, template, to_toml

NAMES = sorted(n for n in COMMANDS if n != "submit_request")
"""The commands ``scr run`` issues (a request is submitted with ``scr submit``)."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(fields: tuple[TemplateField, ...]) -> list[str]:
    rows = []
    for f in fields:
        name = f.path.replace(".KEY", ".*")
        if f.kind is FieldKind.KEYED:
            allowed = "keys: " + ", ".join(f"`{a}`" for a in f.allowed)
        elif f.allowed:
            allowed = ", ".join(f"`{a}`" for a in f.allowed)
        elif f.default not in (None, "", [], {}):
            allowed = f"default `{json.dumps(f.default, ensure_ascii=False)}`"
        else:
            allowed = ""
        rules = ", ".join(link(r, "../rules.md") for r in f.rules)
        what = f.description + (" *Personal data.*" if f.personal else "")
        rows.append(
            f"| `{name}` | {_cell(f.words)} | {'yes' if f.required else 'no'} "
            f"| {_cell(allowed)} | {rules} | {_cell(what)} |"
        )
        rows += _rows(f.fields)
    return rows


def page(name: str) -> str:
    """The page of one command."""
    made = template(name)
    stages = ", ".join(f"{STAGE_WORDS.get(s, s)} (`{s}`)" for s in made.stages) or "—"
    leads = (
        f"{STAGE_WORDS.get(made.leads_to, made.leads_to)} (`{made.leads_to}`)"
        if made.leads_to
        else "the review stays at its stage"
    )
    lines = [
        f"# {command_words(name)} (`{name}`)",
        "",
        made.summary,
        "",
        f"- **Who may issue it:** {', '.join(f'`{r}`' for r in made.roles)}",
        f"- **From the stages:** {stages}",
        f"- **Leads to:** {leads}",
        "",
        "## Rules",
        "",
        "The rules it answers to (see [the rule catalogue](../rules.md)):",
        "",
        *[f"- **{link(r, '../rules.md')}** — {RULES[r].title}" for r in made.rules],
        "",
        "## Fields",
        "",
    ]
    if made.fields:
        lines += [
            "| Field | Type | Required | Allowed or default | Rules asking for it | What it is |",
            "|---|---|---|---|---|---|",
            *_rows(made.fields),
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
        "commands are in [its overview](../sar/index.md#commands)). `scr show REVIEW`",
        "lists those open now, and",
        "`scr run REVIEW COMMAND --template` prints one to fill in (see",
        "[the command line](../cli.md)). A request is submitted with `scr submit`",
        "([its form](../cli.md)). These pages are generated when the site is built.",
        "",
        "| Command | What it does | Who |",
        "|---|---|---|",
    ]
    for name in NAMES:
        made = template(name)
        lines.append(
            f"| [{command_words(name)}]({name}.md) (`{name}`) | {_cell(made.summary)} "
            f"| {', '.join(made.roles)} |"
        )
    return "\n".join(lines) + "\n"
