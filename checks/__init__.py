"""The quality checks, one module per family, each a pure function returning what it saw and
the threshold it used (``outcome.CheckOutcome``); the asset factories attach them.

``contract_rules`` (each rule of a data contract), ``intake`` (files refused, the raw table
against its contract), ``freshness`` (returns on time), ``linkage`` (the linkage rate holds),
``measures`` (council coverage, early warnings), ``publication`` (the stored mart,
identifiers in the warehouse, undeclared indicators), ``data_map`` (the Data Map's coverage
and gaps), ``voices`` (quotes and accounts consented and redacted, theme counts controlled,
no ranking), ``disclosure_audit`` (the intruder audit), ``identifier_scan`` (the scan behind
the privacy checks), ``expectations_sql`` (the contracts' expectations as SQL) and
``expectations_duckdb`` (Great Expectations on DuckDB).
"""
