"""The model layer: the declarations every stage shares (contracts, measures, reference tables, keys, layout); it imports nothing of the pipeline."""
