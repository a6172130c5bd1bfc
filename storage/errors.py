"""Errors raised by the storage layer, each with a message fit to show staff."""


class StorageError(Exception):
    """A storage operation could not be done; the message says why in one line."""


class ResponseClosedError(StorageError):
    """An answer was given to a response that is already submitted."""
