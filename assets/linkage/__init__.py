"""Linkage zone: find the same person across agencies; hand the warehouse only pseudonymous ids."""
