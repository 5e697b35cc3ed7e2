"""Ingest: contract-checked landing folders -> quarantine or an atomic load into the raw zone."""
