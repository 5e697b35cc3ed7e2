"""Quality checks shared by the assets: Great Expectations run on DuckDB."""
