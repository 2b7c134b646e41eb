"""What each pipeline did, typed: every trace says how it is shown (`lines`), so no caller
needs to know which pipeline made it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TraceLine:
    label: str  # what the line is about (a page range, a worker, a step)
    text: str


@dataclass
class Trace:
    def lines(self) -> list[TraceLine]:
        return []

    def summary(self) -> str | None:
        """One line for the usage summary, when the pipeline has something to add."""
        return None


@dataclass
class FullTrace(Trace):
    context_tokens: int
    reused_tokens: int
    kept_fraction: float
    focus_pages: list[str] = field(default_factory=list)  # --full-focus: passages repeated

    def lines(self) -> list[TraceLine]:
        lines = [TraceLine("context", f"{self.context_tokens:,} prompt tokens, "
                                      f"{self.reused_tokens:,} reused from the KV cache; kept "
                                      f"{self.kept_fraction:.0%} of the text")]
        if self.focus_pages:
            lines.append(TraceLine("focus", "repeated before the question: "
                                            + ", ".join(self.focus_pages)))
        return lines


@dataclass
class RetrievedChunk:
    doc_id: str
    chunk: int
    pages: str
    fused: float
    dense: int | None
    bm25: int | None
    text: str


@dataclass
class RagTrace(Trace):
    chunks: list[RetrievedChunk]
    passages: int
    context_tokens: int

    def lines(self) -> list[TraceLine]:
        return [TraceLine(c.pages, f"fused {c.fused:.4f} (dense #{c.dense or '-'}, bm25 "
                                   f"#{c.bm25 or '-'}): {short(c.text)}") for c in self.chunks]


@dataclass
class WorkerStep:
    worker: int
    source: str
    segment_tokens: int
    prompt_tokens: int
    reply: str
    found: str
    notes: str
    notes_trimmed: bool


@dataclass
class CoaTrace(Trace):
    segments: int
    segment_budget: int
    workers: list[WorkerStep]
    manager_prompt_tokens: int

    def lines(self) -> list[TraceLine]:
        return [TraceLine(f"worker {w.worker}", f"({w.source}, {w.segment_tokens:,} tokens): "
                                                f"{short(w.notes, 300)}") for w in self.workers]


@dataclass
class TreeNodeUsed:
    doc_id: str
    node: int
    level: int
    pages: str
    score: float | None
    text: str


@dataclass
class NavigationStep:
    node: int
    choice: int
    reply: str
    fallback: bool


@dataclass
class TreeTrace(Trace):
    mode: str
    nodes: list[TreeNodeUsed]
    path: list[NavigationStep] = field(default_factory=list)
    build: dict = field(default_factory=dict)  # per document: tokens, calls, seconds, nodes

    def lines(self) -> list[TraceLine]:
        out = [TraceLine("step", f"node {p.node} -> part {p.choice}"
                                 f"{' (fallback)' if p.fallback else ''}") for p in self.path]
        for n in self.nodes:
            score = "" if n.score is None else f" score {n.score:.4f}"
            out.append(TraceLine(f"level {n.level}", f"{n.pages}{score}: {short(n.text)}"))
        return out


@dataclass
class RouteStep:
    pipeline: str
    reason: str  # why the route went on from here, or "answered"
    prompt_tokens: int
    seconds: float
    answer: str = ""  # this step's answer (a replay of other policies scores it)
    margin: float | None = None  # multiple choice: the gap between the two likeliest options


@dataclass
class AutoTrace(Trace):
    steps: list[RouteStep]
    final: Trace  # the trace of the pipeline that answered

    def summary(self) -> str:
        route = " → ".join(s.pipeline for s in self.steps)
        reasons = "; ".join(f"{s.pipeline}: {s.reason}" for s in self.steps[:-1])
        return f"route {route}" + (f" ({reasons})" if reasons else "")

    def lines(self) -> list[TraceLine]:
        steps = [TraceLine(f"step {i}", f"{s.pipeline}: {s.reason} · {s.prompt_tokens:,} "
                                        f"prompt tokens · {s.seconds:.1f} s"
                                        + ("" if s.margin is None else f" · margin {s.margin:.2f}"))
                 for i, s in enumerate(self.steps, 1)]
        return steps + self.final.lines()


def short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
