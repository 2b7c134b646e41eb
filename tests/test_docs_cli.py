"""`longdoc docs` at 80 columns and `longdoc --version`."""

from __future__ import annotations

from importlib.metadata import version

from rich.console import Console
from typer.testing import CliRunner

from longdoc.cli.docs_cmd import ID_CHARS, docs_table
from longdoc.cli.main import app
from longdoc.indexers.manifest import DocRecord


def _record(doc_id: str, title: str) -> DocRecord:
    return DocRecord(doc_id=doc_id, title=title, kind="pdf", pages=1234, words=1_234_567,
                     tokens=2_345_678, chunks=12345, ingested_at="2026-11-30T00:18:00+00:00")


def _render(records: list[DocRecord], width: int) -> list[str]:
    out = Console(width=width, record=True, color_system=None)
    out.print(docs_table(records, "docs", out.width))
    return out.export_text().splitlines()


def test_docs_at_80_columns_keeps_ids_and_titles_readable(sample_library):
    long_title = ("A Very Long Title About The History Of Lighthouses, Their Keepers, And The "
                  "Ships That Passed Them In The Night, Volume Two")
    records = sample_library.documents() + [_record("f" * 64, long_title)]
    lines = _render(records, 80)
    assert max(len(line.rstrip()) for line in lines) <= 80
    body = lines[3:]  # title, header, rule
    starts = [i for i, line in enumerate(body) if line[:ID_CHARS + 1].strip()]
    assert len(starts) == len(records)
    # each document takes at most two lines, and its whole id prefix is on its first line
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(body)
        assert end - start <= 2, body[start:end]
    ids = {line.split()[0] for line in (body[s] for s in starts)}
    assert ids == {r.doc_id[:ID_CHARS] for r in records}
    assert any("Hacker Folklore" in line for line in body)
    assert any("…" in line for line in body)  # the long title is cut, not wrapped on and on


def test_docs_wide_console_shows_words_and_time(sample_library):
    lines = _render(sample_library.documents(), 140)
    assert "words" in lines[1] and any(":" in line.split()[-1] for line in lines[3:])


def test_version_comes_from_package_metadata():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"longdoc {version('longdoc')}"


def test_titles_are_shown_as_written_not_as_markup():
    lines = _render([_record("a" * 64, "[bold]Draft[/] report")], 80)
    assert any("[bold]Draft[/]" in line for line in lines)
