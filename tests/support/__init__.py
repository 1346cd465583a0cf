"""Test oracles (CRD schemas, the real Llama Stack config check) and test-only helpers."""
