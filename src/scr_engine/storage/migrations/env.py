"""Alembic environment of the SQL store's migrations.

Alembic is configured in code (:func:`scr_engine.storage.sql.alembic_config`): the
connection to migrate is passed in ``config.attributes["connection"]`` and the
migrations run inside its transaction. Versions are recorded in
``scr_alembic_version``, so a host's own Alembic history can share the database.

To write a new migration against a database at the current head::

    from alembic import command
    from scr_engine.storage.sql import alembic_config, create_engine

    with create_engine(url).begin() as conn:
        config = alembic_config(conn)
        command.revision(config, "what changes", autogenerate=True, rev_id="0002")

then edit the generated file so it states its operations explicitly (a migration
never imports :mod:`scr_engine.storage.schema`, which keeps changing).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from scr_engine.storage.schema import VERSION_TABLE, metadata

config = context.config

if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "scr_engine's migrations run through scr_engine.storage.sql.upgrade() "
            "(or `python -m scr_engine db upgrade --url URL`), which passes the connection"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
