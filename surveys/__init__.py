"""The pure survey core: definitions, the flow engine, wave rules. No I/O beyond reading definitions."""
