"""Reports: HTML from Jinja2 templates, PDF from that HTML, published as immutable editions."""
