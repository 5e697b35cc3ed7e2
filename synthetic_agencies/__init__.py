"""Synthetic agencies: one fictional population of Scotland, written as each agency would send it."""
