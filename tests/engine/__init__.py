"""The engine's API across the protocol: errors and refusals, bad input, idempotency,
serialization, JSON Schemas, the demo review."""
