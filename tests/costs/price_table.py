"""A small, hand-checkable price table for the cost-model tests (every price is made up)."""

PRICES = """
llm_api:
  base:
    input: {value: 0.15, unit: per 1M tokens, currency: USD, source: https://x.test, read_on: 2026-01-01}
    output: {value: 0.60, unit: per 1M tokens, currency: USD, source: https://x.test, read_on: 2026-01-01}
  tuned:
    training: {value: 3.0, unit: per 1M tokens, currency: USD, source: https://x.test, read_on: 2026-01-01}
    input: {value: 0.30, unit: per 1M tokens, currency: USD, source: https://x.test, read_on: 2026-01-01}
    output: {value: 1.20, unit: per 1M tokens, currency: USD, source: https://x.test, read_on: 2026-01-01}
embedding_api:
  emb:
    input: {value: 0.02, unit: per 1M tokens, currency: USD, source: https://x.test, read_on: 2026-01-01}
gpu:
  small:
    hourly: {value: 1.0, unit: per hour, currency: USD, source: https://x.test, read_on: 2026-01-01}
  big:
    hourly: {value: 4.0, unit: per hour, currency: USD, source: https://x.test, read_on: 2026-01-01}
vector_db:
  managed:
    monthly: {value: 50, unit: per month, currency: USD, source: https://x.test, read_on: 2026-01-01}
    read_units: {value: 16, unit: per 1M read units, currency: USD, source: https://x.test, read_on: 2026-01-01}
  vm:
    hourly: {value: 0.1, unit: per hour, currency: USD, source: https://x.test, read_on: 2026-01-01}
  broken:
    storage: {value: 0.33, unit: per month, currency: USD, source: https://x.test, read_on: 2026-01-01}
people:
  ml_engineer:
    hourly: {value: 100, unit: per hour, currency: USD, source: https://x.test, read_on: 2026-01-01, kind: assumption}
"""
