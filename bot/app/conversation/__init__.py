"""The resident conversation as use cases: an input in, a Reply (screens as plain data) out."""
