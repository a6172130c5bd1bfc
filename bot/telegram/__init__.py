"""The Telegram adapter: PTB application, handlers that parse, call one use case and render."""
