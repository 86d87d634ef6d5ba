"""Fixtures of the service tests: a running service per module where possible."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest_pg import postgres_schema
from scr_engine import MemoryStore
from service.serving import Service, running


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A running service over a memory store, for the module."""
    with running(MemoryStore(), tmp_path_factory.mktemp("service")) as found:
        yield found


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def sql_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database for the module: a new SQLite file, or a new PostgreSQL schema
    (skipped when the server is unreachable, failed when ``CI=true``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'scr.db'}"
    else:
        with postgres_schema() as url:
            yield url
