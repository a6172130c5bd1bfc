"""The Telegram adapter and the application shell (handlers, scheduler wiring, CLI)."""
