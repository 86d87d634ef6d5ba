"""Write the service's OpenAPI document into ``docs/openapi.json`` (the copy the docs
site serves and a test keeps fresh).

    .venv/bin/python scripts/openapi.py

Run it after changing a command, a record or a resource of the service:
``tests/service/test_service_openapi.py`` fails while the copy is stale.
"""

from __future__ import annotations

from pathlib import Path

from scr_engine.service.openapi import openapi_json

TARGET = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"

if __name__ == "__main__":
    TARGET.write_text(openapi_json(), encoding="utf-8")
    print(f"wrote {TARGET}")
