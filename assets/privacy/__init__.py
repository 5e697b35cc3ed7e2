"""Privacy: the scan for identifiers that publication runs on the warehouse and the published files, and the checks judge."""
