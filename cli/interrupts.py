"""Ctrl-C that is never lost while a model answers.

llama.cpp calls back into Python (its logger) from C. A KeyboardInterrupt raised while such a
ctypes callback runs is printed and dropped by ctypes, so a Ctrl-C could let the answer run on
and reach the prompt unseen. `KeptInterrupt` remembers every Ctrl-C in a flag, so the caller
can stop once its own code runs again.
"""

from __future__ import annotations

import signal


class KeptInterrupt:
    """Within `with`: Ctrl-C raises KeyboardInterrupt as usual and also sets `hit`."""

    def __init__(self) -> None:
        self.hit = False
        self._previous = None

    def __enter__(self) -> KeptInterrupt:
        self._previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum, frame) -> None:
        self.hit = True
        raise KeyboardInterrupt

    def __exit__(self, *exc) -> bool:
        signal.signal(signal.SIGINT, self._previous or signal.default_int_handler)
        return False

    def raise_if_hit(self) -> None:
        """Raise the Ctrl-C that a callback swallowed."""
        if self.hit:
            raise KeyboardInterrupt
