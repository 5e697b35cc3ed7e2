"""Dagster wiring for the Story of Progress: Definitions, resources, jobs, schedules, sensors."""
