"""Dialects: the wire formats of the same product. Each parses and renders; none holds a rule."""
