"""The pure survey core: definitions, the flow engine, wave rules (no I/O but definition files)."""
