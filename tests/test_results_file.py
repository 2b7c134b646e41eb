"""results.jsonl: bad lines are reported and kept, only a cut-off last line is repaired."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from longdoc.core.errors import LongdocError
from longdoc.eval.results import load_results


def _row(i: int) -> bytes:
    return json.dumps({"qid": f"q{i}", "dataset": "d", "pipeline": "full",
                       "score": i / 21}).encode() + b"\n"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longdoc.cli.main", *args],
                          capture_output=True, text=True, timeout=600)


def test_a_bad_line_in_the_middle_is_reported_and_kept(tmp_path):
    path = tmp_path / "results.jsonl"
    lines = [_row(i) for i in range(21)]
    lines[4] = b'{"qid": "q4", "dataset": "d", "pipeline": "full", "sco\n'
    lines[9] = b'["a list, not a result"]\n'
    path.write_bytes(b"".join(lines))
    before = path.read_bytes()
    loaded = load_results(path)
    assert [r["qid"] for r in loaded.rows] == [f"q{i}" for i in range(21) if i not in (4, 9)]
    assert not loaded.repaired
    assert len(loaded.problems) == 2
    assert loaded.problems[0].startswith(f"{path}:5: malformed JSON")
    assert loaded.problems[1].startswith(f"{path}:10: not a JSON object")
    assert path.read_bytes() == before  # nothing was rewritten


def test_only_a_cut_off_last_line_is_repaired(tmp_path):
    path = tmp_path / "results.jsonl"
    good = b"".join(_row(i) for i in range(3))
    path.write_bytes(good + b"not json\n" + _row(3)[:20])
    loaded = load_results(path)
    assert loaded.repaired and [r["qid"] for r in loaded.rows] == ["q0", "q1", "q2"]
    assert path.read_bytes() == good + b"not json\n"
    # a complete last line without its newline keeps its result and gets the newline
    path.write_bytes(good + _row(3).rstrip(b"\n"))
    loaded = load_results(path)
    assert loaded.repaired and len(loaded.rows) == 4 and path.read_bytes() == good + _row(3)


def test_a_results_folder_is_a_clear_error(tmp_path):
    (tmp_path / "results.jsonl").mkdir()
    with pytest.raises(LongdocError, match="cannot read"):
        load_results(tmp_path / "results.jsonl")


def test_report_warns_about_a_bad_line_and_goes_on(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    lines = [_row(i) for i in range(21)]
    lines[10] = b"garbage\n"
    (run / "results.jsonl").write_bytes(b"".join(lines))
    result = _cli("report", str(run))
    assert result.returncode == 0, result.stderr
    assert "results.jsonl:11: malformed JSON" in result.stderr
    summary = json.loads((run / "summary.json").read_text())
    assert summary["questions"] == 20
    assert (run / "results.jsonl").read_bytes() == b"".join(lines)


def test_report_on_a_results_folder_and_eval_out_a_file(tmp_path):
    run = tmp_path / "run"
    (run / "results.jsonl").mkdir(parents=True)
    result = _cli("report", str(run))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot read" in result.stderr and "results.jsonl" in result.stderr
    out = tmp_path / "out.txt"
    out.write_text("x")
    (tmp_path / "q.jsonl").write_text("")
    result = _cli("eval", str(tmp_path / "q.jsonl"), "--out", str(out))
    assert result.returncode == 2 and "is a file, not a run folder" in result.stderr
    result = _cli("eval", str(tmp_path / "q.jsonl"), "--out", str(run))
    assert result.returncode == 2 and "is a folder, not a results file" in result.stderr
