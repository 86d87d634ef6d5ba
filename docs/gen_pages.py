"""Pages made when the site is built (mkdocs-gen-files): the rule catalogue, the
command-line reference, a page per command, the HTTP API reference and the stage
diagram (an SVG: no script, no network)."""

from __future__ import annotations

import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _catalogue
import _cli_reference
import _commands
import _diagram

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
