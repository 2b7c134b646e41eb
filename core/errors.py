"""Errors that reach the user as one line, never as a traceback."""


class LongdocError(Exception):
    """A problem the user can act on; the CLI prints its message and exits with code 2."""


class LoadError(LongdocError):
    """A file could not be turned into a document (the message says why, in a few words)."""


class LibraryBusy(LongdocError):
    """Another process holds the library's write lock."""
