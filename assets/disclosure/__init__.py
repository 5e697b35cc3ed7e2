"""Disclosure control and its judge: the suppression (``disclosure_control``, with
``interval_protection``) and the intruder audit (``intruder_audit``), which shares no code with
them so that it judges the suppression's output as a reader would (docs/disclosure-control.md)."""
