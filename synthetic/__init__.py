"""Synthetic agency data for the Promise Story of Progress: one fictional Scotland, many agencies.

Method notes: docs/synthetic.md, "Notes on `synthetic/__init__.py`".
"""
