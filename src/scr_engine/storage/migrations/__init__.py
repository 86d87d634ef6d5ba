"""The SQL store's Alembic migrations, shipped with the package.

Run them with :func:`scr_engine.storage.sql.upgrade` or
``python -m scr_engine db upgrade --url URL``; no ``alembic.ini`` is needed.
"""
