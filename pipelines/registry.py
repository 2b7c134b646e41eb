"""Pipeline names to classes, so `--pipeline`, `compare` and `eval` treat them alike."""

from __future__ import annotations

from longdoc.core.errors import LongdocError
from longdoc.pipelines.auto import Auto
from longdoc.pipelines.base import Pipeline
from longdoc.pipelines.closed_book import ClosedBook
from longdoc.pipelines.coa import ChainOfAgents
from longdoc.pipelines.full import FullContext
from longdoc.pipelines.rag import Rag
from longdoc.pipelines.tree import TreeOfSummaries

PIPELINES: dict[str, type[Pipeline]] = {
    p.name: p for p in (ClosedBook, FullContext, Rag, ChainOfAgents, TreeOfSummaries, Auto)
}
# what 'all' means: every way of reading, once (auto only re-runs some of them)
READING_PIPELINES = [n for n in PIPELINES if n not in ("none", "auto")]


def get_pipeline(name: str) -> Pipeline:
    try:
        return PIPELINES[name.strip().lower()]()
    except KeyError:
        raise LongdocError(f"unknown pipeline '{name}' (choose from: "
                           f"{', '.join(PIPELINES)})") from None


def parse_pipelines(spec: str) -> list[str]:
    """'all' or a comma-separated list of names, validated, in the given order."""
    if spec.strip().lower() == "all":
        return list(READING_PIPELINES)
    names = [n.strip().lower() for n in spec.split(",") if n.strip()]
    for name in names:
        get_pipeline(name)
    if not names:
        raise LongdocError("no pipeline named")
    return list(dict.fromkeys(names))
