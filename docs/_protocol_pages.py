"""A protocol's overview page, generated from its definition when the site is built:
its stages, its commands (from where, to where, who, which rules), its clocks and its
settings. Used by ``gen_pages.py`` for every protocol but the SCR, whose pages are
written by hand around the same data."""

from __future__ import annotations

from collections.abc import Iterable

from _catalogue import link

from scr_engine.protocols import Protocol
from scr_engine.rules.registry import RULES


def _rules(ids: Iterable[str]) -> str:
    """Rule IDs as links to their entries: the protocol's own in its catalogue
    (``rules.md`` beside the page), the engine's (``MAP`` …) in the SCR's."""
    return ", ".join(link(rid, "../rules.md" if rid in RULES else "rules.md") for rid in ids)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def overview(definition: Protocol) -> str:
    """The overview page of ``definition``."""
    lines = [
        f"# {definition.title}",
        "",
        f"Protocol code `{definition.name}`, version {definition.version}. Every stage, "
        "command, clock and setting below is read from the definition the engine runs; "
        f"the [rule catalogue](rules.md) gives each rule's text, force and source.",
        "",
        "## Stages",
        "",
        "![The stages of a review and the commands between them](stages.svg)",
        "",
        "| Stage | Meaning | Ends the review |",
        "| --- | --- | --- |",
    ]
    for stage in definition.stages:
        ends = "yes" if stage.terminal else ""
        lines.append(f"| `{stage.code}` | {_cell(stage.meaning)} | {ends} |")
    lines += [
        "",
        "## Commands",
        "",
        "Each command's page has its fields, and a template to fill in: see "
        "[every command](commands/index.md).",
        "",
        "| Command | Issued from | Leads to | Who | Rules |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in definition.table:
        sources = ", ".join(f"`{s}`" for s in row.sources) or "(creates the review)"
        dest = f"`{row.dest}`" if row.dest is not None else "(same stage)"
        who = ", ".join(sorted(str(r) for r in row.roles))
        rules = _rules(row.rules)
        name = f"`{row.command}`"
        if row.command != "submit_request":  # each other command has a page of its own
            name = f"[{name}](commands/{row.command}.md)"
        lines.append(f"| {name} | {sources} | {dest} | {who} | {rules} |")
    lines += [
        "",
        "## Clocks",
        "",
        "| Deadline | Rule | Its length comes from | What |",
        "| --- | --- | --- | --- |",
    ]
    for clock in definition.clocks:
        rule, basis = _rules([clock.rule]), clock.basis.value
        lines.append(f"| `{clock.key}` | {rule} | {basis} | {_cell(clock.title)} |")
    lines += [
        "",
        "## A Board's settings",
        "",
        "Each review keeps the version of the settings it started under. The rules the",
        "law fixes are never settings"
        + (f": {_rules(definition.fixed)}." if definition.fixed else "."),
        "",
        "| Setting | Default | Rules |",
        "| --- | --- | --- |",
    ]
    for setting in definition.setting_defs:
        default = _cell(repr(setting.default))
        lines.append(f"| `{setting.name}` | `{default}` | {_rules(setting.rules)} |")
    lines.append("")
    return "\n".join(lines)
