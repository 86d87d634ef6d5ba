"""The SAR review as a state machine, driven at random through the pure runner
(SAR-D-2, SAR-D-6, SAR-C-1, SAR-C-5, SAR-C-8, SAR-A-4): the machine and what it proves
are in :mod:`support.sar_machine`; ``tests/engine/test_protocols_machine.py`` runs it
through the engine and a store, beside SCRs."""

from __future__ import annotations

from support.sar_machine import SarMachine

TestSarMachine = SarMachine.TestCase
