"""The storage tests: the SQL store, its migrations, concurrency, crashes and tampering.

A package, so that its ``conftest`` and modules have names of their own
(``storage.conftest``) beside the top-level ``tests/conftest.py``, whose helpers
(``from conftest import START``) every test module imports by that bare name.
"""
