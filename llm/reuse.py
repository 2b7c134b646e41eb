"""Which KV cells of a llama.cpp context a prompt may reuse, so that its scores and answer never
depend on the prompts before it.

llama.cpp's sums (with flash attention, the default) depend on how tokens are grouped into
batches: the same prompt evaluated from a different starting point gives slightly different
logits, enough to change a greedy answer or a multiple-choice pick. Reusing "whatever prefix the
context holds" therefore made an evaluation's answers depend on question order. Every prompt is
now evaluated one canonical way, and only cells computed exactly that way are reused:

- a prompt with a reusable prefix (the document, up to `cache_prefix`): the prefix from position
  0 in whole batches of `batch` tokens (the last one ending at the prefix's end), then the rest
  from the prefix's end;
- any other prompt: from position 0 in whole batches.

A batch is the same computation wherever it is evaluated, so cells of whole batches from 0 are
shared by both ways, and a saved prefix state (computed the first way) loads the same cells.
"""

from __future__ import annotations

from dataclasses import dataclass


def whole_batches(n: int, batch: int) -> int:
    """The largest multiple of `batch` not above `n`."""
    return n // batch * batch


@dataclass
class HeldCells:
    """What one context's KV cells hold that a canonical evaluation would also compute."""

    batch: int
    grid: int = 0  # leading cells computed in whole batches from position 0
    prefix: int = 0  # cells [0, prefix) computed as one prompt prefix (0: none)

    def holds_prefix(self, common: int, n_prefix: int) -> bool:
        """Whether the context holds the prompt's prefix of `n_prefix` tokens as computed on
        its own (`common`: how many leading tokens of the prompt the context holds)."""
        return n_prefix > 0 and common >= n_prefix and (
            self.prefix == n_prefix or self.grid >= n_prefix == whole_batches(n_prefix,
                                                                                self.batch))

    def prefix_start(self, common: int, n_prefix: int) -> int:
        """Where computing a prefix of `n_prefix` tokens starts: after the whole batches held."""
        return whole_batches(min(common, self.grid, n_prefix), self.batch)

    def prefix_done(self, n_prefix: int) -> None:
        """The cells [0, n_prefix) now hold a prefix computed (or loaded) on its own."""
        self.prefix = n_prefix
        self.grid = whole_batches(n_prefix, self.batch)

    def plain_start(self, common: int, length: int) -> int:
        """Where a prompt of `length` tokens without a prefix starts, reusing whole batches
        only; at least its last batch is evaluated, so its logits are computed the same way."""
        start = whole_batches(min(common, self.grid), self.batch)
        if start >= length:
            start = whole_batches(length - 1, self.batch)
        return start

    def truncate(self, start: int) -> None:
        """The cells from `start` on are about to be evaluated again."""
        self.grid = min(self.grid, whole_batches(start, self.batch))
        if start < self.prefix:
            self.prefix = 0

    def plain_done(self, length: int) -> None:
        """A prompt of `length` tokens without a prefix was evaluated from `plain_start`."""
        self.grid = whole_batches(length, self.batch)

    def forget(self) -> None:
        self.grid = self.prefix = 0
