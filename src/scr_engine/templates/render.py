"""A template written out: as JSON, or as a commented TOML file that reads back,
unchanged, into the command."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scr_engine.rules.registry import RULES
from scr_engine.templates.fields import DATE_FORMAT, CommandTemplate, FieldKind, TemplateField
from scr_engine.templates.toml import toml_header, toml_key, toml_string, toml_value


def _named(rule: str, titles: Mapping[str, str]) -> str:
    """A rule's title: the template's own (its protocol's rules), else the SCR's."""
    return titles.get(rule) or RULES[rule].title


def _field_json(f: TemplateField, titles: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": f.path.replace(".KEY", ".*"),
        "type": f.words,
        "kind": f.kind.value,
        "required": f.required,
    }
    if f.default is not None:
        out["default"] = f.default
    if f.allowed:
        out["allowed"] = list(f.allowed)
    if f.format:
        out["format"] = f.format
    if f.personal:
        out["personal"] = True
    if f.description:
        out["description"] = f.description
    out["rules"] = [{"id": r, "title": _named(r, titles)} for r in f.rules]
    if f.fields:
        out["fields"] = [_field_json(inner, titles) for inner in f.fields]
    return out


def template_json(made: CommandTemplate) -> dict[str, Any]:
    """A template as JSON: what the command is, its fields described, and
    ``payload``, the command filled in as far as it can be (``--from`` reads the
    whole document back, or the payload alone)."""
    return {
        "command": made.command,
        "summary": made.summary,
        "roles": list(made.roles),
        "stages": list(made.stages),
        "leads_to": made.leads_to,
        "rules": [{"id": r, "title": _named(r, made.titles)} for r in made.rules],
        "fields": [_field_json(f, made.titles) for f in made.fields],
        "payload": dict(made.values),
    }


def _comment(f: TemplateField, titles: Mapping[str, str]) -> list[str]:
    lines = _comment_lines(f.description)
    parts = [f.words]
    if f.allowed and f.kind is FieldKind.CHOICE:
        parts = ["one of: " + ", ".join(f.allowed)]
    elif f.allowed and f.kind is FieldKind.LIST and f.item is FieldKind.CHOICE:
        parts = ["a list, each one of: " + ", ".join(f.allowed)]
    elif f.allowed and f.kind is not FieldKind.KEYED:
        parts.append("allowed: " + ", ".join(f.allowed))
    if f.required:
        parts.append("required")
    elif f.default is not None and f.default not in ("", [], {}):
        parts.append(f"optional (default {toml_value(f.default)})")
    else:
        parts.append("optional")
    if f.personal:
        parts.append("personal data")
    parts += [f"{r} {_named(r, titles)}" for r in f.rules]
    return lines + _comment_lines("; ".join(parts))


def _comment_lines(text: str) -> list[str]:
    """``text`` as comment lines of at most 88 characters."""
    import textwrap

    return ["# " + line for line in textwrap.wrap(text, 86, break_on_hyphens=False)]


def to_toml(made: CommandTemplate) -> str:
    """The template as a commented TOML file: a heading saying what the command is,
    who may issue it and when; then each field, preceded by a comment giving its type,
    allowed values, whether it is required and the rules that ask for it. Optional
    fields with no value are commented out, so that the file as printed reads back
    (``scr run REVIEW COMMAND --from FILE``) into the command filled in, or one
    refused naming each blank it must have."""
    head = _comment_lines(f"{made.command}: {made.summary}")
    head += _comment_lines(
        f"Issued by: {', '.join(made.roles) or 'nobody'}; from the stages: "
        f"{', '.join(made.stages) or 'none'}"
        + (f"; leads to {made.leads_to}." if made.leads_to else "; the stage stays.")
    )
    for rule in made.rules:
        head.append(f"# {rule}: {_named(rule, made.titles)}")
    head.append(f"# Fill it in, then: scr run REVIEW {made.command} --from FILE.toml")
    lines: list[str] = []
    _template_table(lines, [], made.fields, made.values, titles=made.titles)
    return "\n".join(head) + "\n" + "\n".join(lines) + "\n"


def _placeholder(f: TemplateField) -> str:
    if f.default is not None:
        return toml_value(f.default, as_date=f.kind is FieldKind.DATE)
    if f.kind is FieldKind.DATE:
        return DATE_FORMAT
    if f.kind is FieldKind.LIST:
        return "[]"
    if f.kind is FieldKind.NUMBER:
        return "0"
    if f.kind is FieldKind.BOOLEAN:
        return "false"
    return toml_string(f.allowed[0]) if f.allowed else '""'


def _template_table(
    lines: list[str],
    path: list[str],
    fields: Sequence[TemplateField],
    values: Mapping[str, Any],
    commented: bool = False,
    quiet: bool = False,
    *,
    titles: Mapping[str, str],
) -> None:
    hash_ = "# " if commented else ""
    tables: list[TemplateField] = []
    for f in fields:
        if f.kind in (FieldKind.TABLE, FieldKind.TABLES, FieldKind.KEYED):
            tables.append(f)
            continue
        if not (commented or quiet):
            lines.append("")
        if not quiet:
            lines += _comment(f, titles)
        if f.name in values:
            shown = toml_value(
                values[f.name], as_date=f.kind is FieldKind.DATE or f.item is FieldKind.DATE
            )
            lines.append(f"{hash_}{toml_key(f.name)} = {shown}")
        else:
            lines.append(f"# {toml_key(f.name)} = {_placeholder(f)}")
    for f in tables:
        inner = [*path, f.name]
        given = values.get(f.name)
        off = commented or given is None
        mark = "# " if off else ""
        lines.append("")
        lines += _comment(f, titles)
        if f.kind is FieldKind.TABLE:
            lines.append(f"{mark}[{toml_header(inner)}]")
            _template_table(lines, inner, f.fields, given or {}, off, titles=titles)
        elif f.kind is FieldKind.KEYED:
            keyed = given if isinstance(given, Mapping) else {}
            keys = (*f.allowed, *(k for k in keyed if k not in f.allowed))
            if not f.fields:  # text by key: one table, a line for each key
                lines.append(f"{mark}[{toml_header(inner)}]")
                for key in keys:
                    shown = toml_value(keyed[key]) if key in keyed else '""'
                    lines.append(
                        f"{'# ' if off or key not in keyed else ''}{toml_key(key)} = {shown}"
                    )
                continue
            for n, key in enumerate(keys):
                entry = keyed.get(key)
                lines += [
                    "",
                    f"{'# ' if off or entry is None else ''}[{toml_header([*inner, key])}]",
                ]
                _template_table(
                    lines,
                    [*inner, key],
                    f.fields,
                    entry or {},
                    off or entry is None,
                    n > 0,
                    titles=titles,
                )
        else:
            items = list(given) if isinstance(given, list | tuple) else []
            if not items:
                lines.append(f"# (none yet: one [[{toml_header(inner)}]] table each)")
                lines.append(f"# [[{toml_header(inner)}]]")
                _template_table(lines, inner, f.fields, {}, True, titles=titles)
            for n, item in enumerate(items):
                lines += ["", f"{mark}[[{toml_header(inner)}]]"]
                _template_table(lines, inner, f.fields, item, off, n > 0, titles=titles)
