"""What the tests share: helpers, never tests.

Every test module imports its helpers from here (``from support.builders import
to_stage``; ``tests/`` is on pytest's ``pythonpath``), and no test module imports
another:

- :mod:`support.builders` — reviews brought to a stage, the people of the demo review,
  ``START`` (when every test's clock starts);
- :mod:`support.strategies` — Hypothesis strategies for commands, requests and facts;
- :mod:`support.asserts` — ``assert_refused``: a refusal with its rule, field and class;
- :mod:`support.machine` — the protocol state machine, run over every store;
- :mod:`support.postgres` — a fresh PostgreSQL schema per test, or a visible skip;
- :mod:`support.legacy` — stores written in an older format;
- :mod:`support.crash_writer` — the writer the SQLite crash test kills;
- :mod:`support.jsondocs` — paths into JSON documents;
- :mod:`support.clitools` — running ``scr`` in-process;
- :mod:`support.serving` — the HTTP service, served in a thread for the service tests;
- :mod:`support.documents` — the reviews the document tests render;
- :mod:`support.chromium` — headless Chromium with the network off, and its DevTools pipe.
"""
