"""The report templates (Jinja2: ``base``, ``report``, ``organisation``, ``digest``, ``macros/``, ``partials/``) and their stylesheet.

A package so the renderer finds them through the import system wherever the code is installed
(``assets.reports.render``), never by a path from the repository's root.
"""
