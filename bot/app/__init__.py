"""The channel-neutral application core: use cases that return plain data, no Telegram types."""
