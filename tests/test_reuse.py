"""Which KV cells a prompt may reuse (reuse.py): only those a canonical evaluation computes."""

from __future__ import annotations

from longdoc.llm.reuse import HeldCells


def test_a_plain_prompt_reuses_whole_batches_only():
    held = HeldCells(batch=512)
    assert held.plain_start(common=0, length=1000) == 0
    held.plain_done(1000)
    assert held.grid == 512
    # the next prompt shares 900 tokens, but the cells 512-899 came from a batch cut at 1000
    assert held.plain_start(common=900, length=980) == 512
    assert held.plain_start(common=300, length=980) == 0


def test_the_last_batch_of_a_prompt_is_always_evaluated():
    held = HeldCells(batch=512, grid=1024)
    assert held.plain_start(common=1024, length=1024) == 512


def test_a_prefix_is_computed_after_the_whole_batches_held_and_then_reused():
    held = HeldCells(batch=512, grid=512)
    assert not held.holds_prefix(common=900, n_prefix=800)
    assert held.prefix_start(common=900, n_prefix=800) == 512
    held.prefix_done(800)
    assert (held.prefix, held.grid) == (800, 512)
    assert held.holds_prefix(common=850, n_prefix=800)
    assert not held.holds_prefix(common=799, n_prefix=800)  # another document
    assert not held.holds_prefix(common=850, n_prefix=700)  # a shorter prefix: cut differently


def test_a_prefix_of_whole_batches_is_held_by_any_prompt_that_computed_them():
    held = HeldCells(batch=512, grid=1024)
    assert held.holds_prefix(common=1100, n_prefix=1024)
    assert not held.holds_prefix(common=1100, n_prefix=1000)


def test_evaluating_before_a_prefix_ends_forgets_it():
    held = HeldCells(batch=512)
    held.prefix_done(800)
    held.truncate(800)  # the question after the prefix: the prefix stays
    assert held.prefix == 800
    held.truncate(512)  # a prompt that differs inside the prefix's last batch
    assert (held.prefix, held.grid) == (0, 512)
    held.forget()
    assert (held.prefix, held.grid) == (0, 0)
