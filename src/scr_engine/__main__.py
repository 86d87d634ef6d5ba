"""``python -m scr_engine``: the command line (needs the ``cli`` extra)."""

from scr_engine._program import run

run()
