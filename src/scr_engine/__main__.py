"""``python -m scr_engine``: the command line."""

import sys

from scr_engine.cli import main

sys.exit(main())
