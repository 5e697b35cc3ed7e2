"""Software-defined assets: ingest, linkage, measures, publication and reports."""
