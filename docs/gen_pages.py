"""Pages made when the site is built (mkdocs-gen-files): the rule catalogue, the
command-line reference, a page per command, the HTTP API reference and the stage
diagram (an SVG: no script, no network)."""

from __future__ import annotations

import sys
from pathlib import Path

import mkdocs_gen_files

from scr_engine.protocols.sar import SAR
from scr_engine.protocols.sar.annual import ANNUAL_REPORT
from scr_engine.protocols.sar.rules import SAR_RULES

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _catalogue
import _cli_reference
import _commands
import _diagram
import _protocol_pages

with mkdocs_gen_files.open("rules.md", "w") as page:
    page.write(_catalogue.markdown())

with mkdocs_gen_files.open("cli-reference.md", "w") as page:
    page.write(_cli_reference.markdown())

with mkdocs_gen_files.open("commands/index.md", "w") as page:
    page.write(_commands.index())

for name in _commands.NAMES:
    with mkdocs_gen_files.open(f"commands/{name}.md", "w") as page:
        page.write(_commands.page(name))

with mkdocs_gen_files.open("service-api.md", "w") as page:
    from scr_engine.service.openapi import markdown

    page.write(markdown())

with mkdocs_gen_files.open("stages.svg", "w") as image:
    image.write(_diagram.svg())

# The SAR's pages, generated from its definition (the SCR's are written by hand).
with mkdocs_gen_files.open("sar/index.md", "w") as page:
    page.write(_protocol_pages.overview(SAR))

with mkdocs_gen_files.open("sar/rules.md", "w") as page:
    page.write(
        _catalogue.protocol_markdown(
            SAR.title, SAR_RULES, "scr_engine.protocols.sar.rules.SAR_RULES"
        )
    )

with mkdocs_gen_files.open("sar/stages.svg", "w") as image:
    image.write(_diagram.svg(SAR))

# A page per command of the SAR and of its annual report (their codes are distinct).
for definition in (SAR, ANNUAL_REPORT):
    for name in _commands.names(definition):
        with mkdocs_gen_files.open(f"sar/commands/{name}.md", "w") as page:
            page.write(_commands.page(name, definition))

with mkdocs_gen_files.open("sar/commands/index.md", "w") as page:
    page.write(_commands.other_index((SAR, ANNUAL_REPORT)))
