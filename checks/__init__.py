"""The quality checks, one module per family: pure functions that turn what a stage produced into
a verdict (``assets.model.outcome.CheckOutcome``: what was seen and the threshold used); the
asset factories attach them, and no stage's own logic imports them.

``contract_rules`` (each rule of a data contract), ``intake`` (files refused, the raw table
against its contract), ``freshness`` (returns on time), ``linkage`` (the linkage rate holds),
``measures`` (council coverage, early warnings), ``publication`` (the stored mart,
identifiers in the warehouse and the published files, undeclared indicators), ``data_map`` (the
Data Map's coverage and gaps), ``voices`` (quotes and accounts consented and redacted, theme
counts controlled, no ranking). The engines they judge live with their stage: the contracts'
expectations in ``assets.ingest``, the identifier scan in ``assets.privacy``, disclosure control
and the intruder audit in ``assets.disclosure``.
"""
