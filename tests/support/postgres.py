"""PostgreSQL for the store tests: one fresh schema per test, or a visible skip.

The server is ``SCR_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Each test gets its own,
uniquely named schema (the connection's ``search_path`` points at it) that is dropped
afterwards, so tests never share state and may run in parallel. When the server
cannot be reached the PostgreSQL tests are skipped with the reason, except when
``CI=true``, where they fail: CI must not pass without them.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

__all__ = ["POSTGRES_URL", "postgres_schema", "require_postgres"]

POSTGRES_URL = os.environ.get(
    "SCR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@functools.cache
def _unreachable() -> str | None:
    """Why the server cannot be used, or None when it can."""
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
    except Exception as exc:  # a malformed URL or a missing driver
        return f"{type(exc).__name__}: {exc}"
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        lines = str(getattr(exc, "orig", exc)).strip().splitlines()
        return f"{type(exc).__name__}: {lines[0] if lines else ''}"
    finally:
        engine.dispose()
    return None


def require_postgres() -> None:
    """Skip the calling test when PostgreSQL is unreachable (fail it when CI=true)."""
    reason = _unreachable()
    if reason is None:
        return
    shown = sa.make_url(POSTGRES_URL).render_as_string(hide_password=True)
    message = f"PostgreSQL unreachable at {shown} ({reason}); set SCR_TEST_POSTGRES_URL"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{message}. CI=true: the PostgreSQL tests must run.", pytrace=False)
    pytest.skip(message)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of a fresh, empty schema of the test server (its ``search_path``),
    dropped with everything in it on exit."""
    require_postgres()
    name = f"scr_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        # Commits need not wait for the disk in tests: durability is not what they prove.
        options = f"-csearch_path={name} -csynchronous_commit=off"
        url = sa.make_url(POSTGRES_URL).update_query_dict({"options": options})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    finally:
        admin.dispose()
