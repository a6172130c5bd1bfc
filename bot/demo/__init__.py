"""The local demo: the real bot against the built-in Bot API server, a web chat page, residents."""
