"""Errors the product raises on purpose, each with a message a user can act on."""


class SasciError(Exception):
    """Base class: the CLI prints the message on one line and exits non-zero, no traceback."""


class DataValidationError(SasciError, ValueError):
    """Input data broke a rule; the message names file, row, column, value and what was expected."""


class DatabaseError(SasciError):
    """The database cannot be reached, created or written."""
