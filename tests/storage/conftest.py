"""Fixtures shared by the storage tests: the database every SQL test runs on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.postgres import postgres_schema


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new PostgreSQL schema (``conftest_pg``:
    skipped with the reason when the server is unreachable, failed when ``CI=true``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scr.db'}"
    else:
        with postgres_schema() as pg_url:
            yield pg_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty database that is a new SQLite file only."""
    return f"sqlite:///{tmp_path / 'scr.db'}"
