"""The storage tests: the SQL store, its migrations, concurrency, crashes and tampering.

A package, so that its ``conftest`` and modules have names of their own
(``storage.conftest``) beside the top-level ``tests/conftest.py``; helpers come from
``tests/support/``.
"""
