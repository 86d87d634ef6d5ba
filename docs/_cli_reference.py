"""The command-line reference, generated from the ``scr`` program itself (click):
every command and group with its usage, help and options. Used by ``gen_pages.py``."""

from __future__ import annotations

import inspect

import click

from scr_engine.cli import cli


def _usage(command: click.Command, context: click.Context) -> list[str]:
    """A command's usage line and help text."""
    usage = command.get_usage(context).strip()
    return ["```text", usage, "```", "", inspect.cleandoc(command.help or ""), ""]


def _command(name: str, command: click.Command, parent: click.Context) -> list[str]:
    context = click.Context(command, info_name=name, parent=parent)
    lines = [f"## `{context.command_path}`", "", *_usage(command, context)]
    params = [p for p in command.get_params(context) if p.get_help_record(context)]
    if params:
        lines += ["| option | what it does |", "|---|---|"]
        for param in params:
            record = param.get_help_record(context)
            assert record is not None
            names, text = record
            text = text.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{names}` | {text} |")
        lines.append("")
    return lines + _subcommands(command, context)


def _subcommands(command: click.Command, context: click.Context) -> list[str]:
    lines: list[str] = []
    if isinstance(command, click.Group):
        for sub in sorted(command.list_commands(context)):
            found = command.get_command(context, sub)
            if found is not None and not found.hidden:
                lines += _command(sub, found, context)
    return lines


def markdown() -> str:
    """The reference page."""
    root = click.Context(cli, info_name="scr")
    lines = [
        "# Command-line reference",
        "",
        "Every `scr` command, as `scr COMMAND --help` describes it (this page is",
        "generated from the program when the site is built). The [guide](cli.md)",
        "explains the actors file, the JSON shapes and the exit statuses.",
        "",
        *_usage(cli, root),
        *_subcommands(cli, root),
    ]
    return "\n".join(lines)
