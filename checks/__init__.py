"""Quality checks: Great Expectations on DuckDB, identifier scans, disclosure checks."""
