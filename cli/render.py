"""How answers look in the terminal: citations panel and a one-line usage summary."""

from __future__ import annotations

from rich.markup import escape
from rich.panel import Panel

from longdoc.pipelines.answer import Answer


def usage_line(answer: Answer) -> str:
    u, t = answer.usage, answer.timings
    first = f"{t.first_token_s:.2f} s" if t.first_token_s is not None else "-"
    reused = f" ({u.reused_tokens:,} reused)" if u.reused_tokens else ""
    route = answer.trace.summary()
    return (f"{answer.pipeline}{f' ({route})' if route else ''}: {u.prompt_tokens:,} prompt "
            f"tokens{reused} · {u.completion_tokens:,} generated · {u.calls} LLM "
            f"call{'s' * (u.calls != 1)} · first token {first} · total {t.total_s:.2f} s")


def citations_panel(answer: Answer) -> Panel:
    if not answer.citations:
        body = "[dim]no passage of the documents supports this answer[/]"
        return Panel(body, title="citations", title_align="left")
    lines = []
    for i, c in enumerate(answer.citations, 1):
        lines.append(f"[bold cyan]\\[{i}] {escape(c.label())}[/]")
        if c.quote:
            lines.append(f"    [italic]\u201c{escape(c.quote)}\u201d[/]")
    return Panel("\n".join(lines), title="citations", title_align="left")


def truncation_note(answer: Answer) -> str | None:
    if answer.kept_fraction is not None and answer.kept_fraction < 1.0:
        return (f"note: the documents did not fit the context; kept {answer.kept_fraction:.0%} "
                "of their tokens (beginning and end, middle dropped)")
    return None


def trace_lines(answer: Answer) -> list[str]:
    """The pipeline's working, as lines of rich markup."""
    return [f"[cyan]{escape(line.label)}[/] {escape(line.text)}"
            for line in answer.trace.lines()]
