"""The SAR review as a state machine, driven at random (SAR-D-2, SAR-D-6, SAR-C-1,
SAR-C-5, SAR-C-8, SAR-A-4): whatever order of decisions, assessments, withdrawals,
reopenings and steps along the way the Board takes, and whoever issues them,

- a refused command cites only rules of the SAR's registry and changes nothing;
- an accepted one is a move of the table, landing where the table says;
- a SAR decided while the mandatory test is met is a mandatory SAR, and a review
  redirected or not taken forward is one whose test was not met (SAR-D-2: "Met: only
  `sar_mandatory` is accepted");
- a mandatory SAR is never withdrawn for ``other``;
- a closed review has every action ended and its publication decision carried out
  (SAR-A-4).
"""

from __future__ import annotations

from support.sar_machine import SarMachine

TestSarMachine = SarMachine.TestCase
