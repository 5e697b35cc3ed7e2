"""One module per family of agency datasets; each exposes ``build(world) -> list[AgencyFile]``."""
