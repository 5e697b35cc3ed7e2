"""The analysis stage: each dataset as analysts may see it, in the warehouse, without identifiers."""
