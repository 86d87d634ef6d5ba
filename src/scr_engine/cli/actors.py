"""The actors file: who may act through ``scr``, with which roles, for which agency.

A TOML file, ``scr-actors.toml`` beside the SQLite database by default (``--actors
FILE`` or ``SCR_ACTORS`` to name another), one table per person under ``actors``,
keyed by the person's id (the id the history records)::

    [actors.u-bm]
    name = "Cal Manager"
    roles = ["business_manager"]

    [actors.u-pm-gp]
    name = "Gita Member"
    roles = ["panel_member"]
    agency = "gp"            # optional: the agency the person works for

``name`` and ``roles`` are required; ``roles`` are the protocol's role codes
(:class:`~scr_engine.Role`). Anything else is refused, naming the file and the field.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from attrs import frozen

from scr_engine.cli.errors import CliError, usage
from scr_engine.records import Actor, Role

__all__ = ["ACTORS_FILE", "TEMPLATE", "Actors", "actors_path", "load_actors"]

ACTORS_FILE = "scr-actors.toml"
"""The actors file's name, looked for beside a SQLite database (in the current
directory for PostgreSQL) unless ``--actors`` or ``SCR_ACTORS`` names one."""

TEMPLATE = """\
# scr-actors.toml: the people who act through `scr` (scr --as ID ...).
# One table per person, keyed by their id (the id the review's history records).
#   name   (required) the person's name, shown beside their id
#   roles  (required) role codes: requester, board_chair, business_manager,
#          subgroup_chair, panel_chair, panel_member, imr_writer, overview_writer, board;
#          for Safeguarding Adults Reviews also referrer, lead_reviewer,
#          agency_contributor, la_advocacy_lead
#   agency (optional) the agency code the person works for (a panel member's agency,
#          an agency contributor's)

[actors.u-req]
name = "Dr Ada Requester"
roles = ["requester"]
agency = "gp"

[actors.u-chair]
name = "Bea Chair"
roles = ["board_chair"]

[actors.u-bm]
name = "Cal Manager"
roles = ["business_manager"]

[actors.u-pc]
name = "Dee Panelchair"
roles = ["panel_chair"]

[actors.u-ow]
name = "Eve Writer"
roles = ["overview_writer"]

[actors.u-pm-asc]
name = "Panel member for asc"
roles = ["panel_member"]
agency = "asc"

[actors.u-pm-gp]
name = "Panel member for gp"
roles = ["panel_member"]
agency = "gp"

[actors.u-pm-police]
name = "Panel member for police"
roles = ["panel_member"]
agency = "police"

# The people of a Safeguarding Adults Review (scr submit --protocol sar; scr demo
# --protocol sar) besides the chair and the business manager above.

[actors.u-sub]
name = "Gus Subgroup"
roles = ["subgroup_chair"]

[actors.u-lead]
name = "Hal Reviewer"
roles = ["lead_reviewer"]

[actors.u-board]
name = "The Board"
roles = ["board"]

[actors.u-ref]
name = "Ivy Referrer"
roles = ["referrer"]

[actors.u-adv]
name = "Jo Advocacy"
roles = ["la_advocacy_lead"]

[actors.u-asc]
name = "Contact at asc"
roles = ["agency_contributor"]
agency = "asc"

[actors.u-nhs]
name = "Contact at nhs"
roles = ["agency_contributor"]
agency = "nhs"

[actors.u-housing]
name = "Contact at housing"
roles = ["agency_contributor"]
agency = "housing"
"""
"""An actors file with the demo's people (``scr actors --template``)."""

_ROLES = {role.value: role for role in Role}
_KEYS = frozenset({"name", "roles", "agency"})


@frozen
class Actors:
    """The people of an actors file, by id."""

    path: Path
    people: dict[str, Actor]

    def get(self, actor_id: str) -> Actor:
        """The person with this id; a usage error naming the known ids otherwise."""
        person = self.people.get(actor_id)
        if person is None:
            known = ", ".join(self.people) or "none"
            raise usage(f"{self.path} lists no actor {actor_id!r} (actors: {known})")
        return person


def actors_path(given: str | None, database: Path | None) -> Path:
    """The actors file: ``given``, else :data:`ACTORS_FILE` beside the SQLite
    ``database`` (in the current directory for another database)."""
    if given:
        return Path(given)
    folder = database.parent if database is not None else Path()
    return folder / ACTORS_FILE


def load_actors(path: Path) -> Actors:
    """Read and check an actors file; a usage error (exit 2) naming the file and every
    field that is wrong."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        raise usage(
            f"no actors file at {path}: write one (`scr actors --template > {path}`) "
            "or name it with --actors FILE"
        ) from None
    except OSError as exc:
        raise usage(f"cannot read the actors file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise usage(f"{path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise usage(f"{path} is not valid TOML: it is not UTF-8 text") from None
    problems: list[str] = []
    people: dict[str, Actor] = {}
    extra = sorted(set(data) - {"actors"})
    if extra:
        problems.append(f"unknown table or key {', '.join(extra)} (only [actors.ID] tables)")
    table = data.get("actors", {})
    if not isinstance(table, dict):
        problems.append("actors must be tables: [actors.ID]")
        table = {}
    for actor_id, entry in table.items():
        where = f"actors.{actor_id}"
        if not actor_id.strip():
            problems.append("an actor's id must not be blank")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{where} must be a table with name and roles")
            continue
        unknown = sorted(set(entry) - _KEYS)
        if unknown:
            problems.append(f"{where}: unknown key {', '.join(unknown)} (name, roles, agency)")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name: give the person's name as text")
        roles = entry.get("roles")
        found: set[Role] = set()
        if not isinstance(roles, list) or not roles:
            problems.append(
                f'{where}.roles: give a list of role codes, e.g. roles = ["board_chair"]'
            )
        else:
            for code in roles:
                role = _ROLES.get(code) if isinstance(code, str) else None
                if role is None:
                    problems.append(
                        f"{where}.roles: unknown role {code!r} (roles: {', '.join(_ROLES)})"
                    )
                else:
                    found.add(role)
        agency = entry.get("agency")
        if agency is not None and (not isinstance(agency, str) or not agency.strip()):
            problems.append(f"{where}.agency: give the agency's code as text")
        if isinstance(name, str) and name.strip() and found:
            people[actor_id] = Actor(actor_id, name, frozenset(found), agency)
    if problems:
        raise CliError(f"{path}: " + "; ".join(problems), 2, kind="usage")
    if not people:
        raise usage(f"{path} lists no actors: add [actors.ID] tables (see `scr actors --template`)")
    return Actors(path, people)
