"""``python -m scr_engine``: the command line (needs the ``cli`` extra)."""

import sys

try:
    from scr_engine.cli import main
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    if exc.name not in ("click", "rich"):
        raise
    sys.exit(
        "python -m scr_engine: the command line needs the cli extra: pip install 'scr_engine[cli]'"
    )

sys.exit(main())
