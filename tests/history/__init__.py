"""The history: its stored form, commitments and checkpoints, replay, digests and seals
(PR-d, PR-e)."""
