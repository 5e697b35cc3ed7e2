"""Where Splink scores record pairs: the choices ``STORY_LINKAGE_BACKEND`` may name (see ``assets.linkage.probabilistic``)."""

LINKAGE_BACKENDS = ("duckdb", "spark")
