"""Helpers the test folders share, imported by tests rather than taken from ``conftest.py``."""
