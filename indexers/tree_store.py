"""The tree of summaries of one document for one model: nodes, and how they are kept on disk.

Leaves are the library's chunks (level 0); a parent summarises a run of consecutive children.
A tree is stored in `trees/<doc_id>/<model>.json` only when complete; while it is being built
its nodes go to `<model>.partial.json`, which a later build resumes and no question ever reads.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from longdoc.core.files import write_json_atomic
from longdoc.indexers.types import pages_label

TREE_FORMAT = 1


@dataclass
class Node:
    id: int
    level: int
    text: str
    children: list[int]
    leaves: list[int]  # chunk indexes of the leaves under this node (itself, for a leaf)
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    tokens: int
    vector: list[float] = field(default_factory=list, repr=False)

    @property
    def is_leaf(self) -> bool:
        return self.level == 0

    def pages_label(self) -> str:
        return pages_label(self.page_start, self.page_end)


@dataclass
class Tree:
    doc_id: str
    model_id: str
    settings: dict
    nodes: list[Node]
    root: int = -1
    build: dict = field(default_factory=dict)  # tokens, calls, seconds spent building
    format: int = TREE_FORMAT

    @property
    def complete(self) -> bool:
        return self.root >= 0

    def levels(self) -> int:
        return max((n.level for n in self.nodes), default=0) + 1

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict) -> Tree:
        nodes = [Node(**n) for n in raw["nodes"]]
        return cls(raw["doc_id"], raw["model_id"], raw["settings"], nodes, raw["root"],
                   raw.get("build", {}), raw.get("format", TREE_FORMAT))


class TreeStore:
    """The trees of a library's documents, one folder per document (`trees/<doc_id>/`).

    The library owns this store: removing a document removes its trees through `remove`.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def paths(self, doc_id: str, model_id: str) -> tuple[Path, Path]:
        """(complete tree, partial build) files of one document and model."""
        base = self.root / doc_id / model_id[:24]
        return base.with_suffix(".json"), base.with_suffix(".partial.json")

    def load_complete(self, doc_id: str, model_id: str, settings_key: dict) -> Tree | None:
        final, _ = self.paths(doc_id, model_id)
        tree = _load(final)
        if tree and tree.complete and tree.settings == settings_key:
            return tree
        return None

    def load_partial(self, doc_id: str, model_id: str, settings_key: dict) -> Tree | None:
        _, partial = self.paths(doc_id, model_id)
        tree = _load(partial)
        if tree and tree.settings == settings_key and tree.model_id == model_id:
            return tree
        return None

    def save_partial(self, tree: Tree) -> None:
        write_json_atomic(self.paths(tree.doc_id, tree.model_id)[1], tree.to_json())

    def save_complete(self, tree: Tree) -> None:
        final, partial = self.paths(tree.doc_id, tree.model_id)
        write_json_atomic(final, tree.to_json())
        partial.unlink(missing_ok=True)

    def remove(self, doc_id: str) -> None:
        shutil.rmtree(self.root / doc_id, ignore_errors=True)


def _load(path: Path) -> Tree | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        tree = Tree.from_json(raw)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return tree if tree.format == TREE_FORMAT else None
