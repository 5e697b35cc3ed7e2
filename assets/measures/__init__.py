"""Measures for the three Story of Progress questions, each declared once in the catalogue."""
