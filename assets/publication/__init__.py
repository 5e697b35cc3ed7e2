"""Publication: disclosure control and the publication mart, the only source reports read."""
