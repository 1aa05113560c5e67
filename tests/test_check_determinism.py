"""Tests for tools/check_determinism.py: number extraction and comparison (no kernel is started)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "check_determinism.py"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("check_determinism", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    for outputs, tags in cells:
        cell = nbformat.v4.new_code_cell("pass", metadata={"tags": tags} if tags else {})
        cell.outputs = outputs
        nb.cells.append(cell)
    return nb


def _stream(text, name="stdout"):
    return nbformat.v4.new_output("stream", name=name, text=text)


def _rich(data):
    return nbformat.v4.new_output("display_data", data=data)


TABLE = "<style>#T_{u} td {{color: red}}</style><table id='T_{u}'><tr><td>{x}</td><td>12,870</td></tr></table>"


def test_numbers_are_extracted(tool):
    text = "p = 7.8e-05 over 12,870 splits; 45% kept; x312 faster; [1, 2]; -0.5"
    assert [m.group() for m in tool.NUMBER.finditer(text)] == [
        "7.8e-05", "12,870", "45%", "312", "1", "2", "-0.5"]


def test_identical_runs_pass_and_noise_is_ignored(tool):
    a = _nb(([_stream("acc 0.93\n"), _stream("n = 5\n"), _rich({"text/html": TABLE.format(u="a1b2c", x="0.25")})], None),
            ([_rich({"text/plain": "<Figure at 0x7f00aa>"})], None),
            ([_rich({"text/html": "<div>plotly</div><script>Plotly.newPlot('u-1', [1, 2])</script>"})], None))
    b = _nb(([_stream("acc 0.93\nn = 5\n"), _rich({"text/html": TABLE.format(u="ffff0", x="0.25")})], None),
            ([_rich({"text/plain": "<Figure at 0x7fbbcc>"})], None),
            ([_rich({"text/html": "<div>plotly</div><script>Plotly.newPlot('u-2', [3, 4])</script>"})], None))
    result = tool.compare_notebooks(a, b)
    assert result["differences"] == []
    assert result["numbers_compared"] == 5  # 0.93, 5, 0.25, 12,870 and the stripped 0x address's 0


def test_a_changed_number_is_reported_with_its_cell(tool):
    a = _nb(([_stream("speed 1.4x\n")], None), ([_stream("acc 0.931\n")], None))
    b = _nb(([_stream("speed 1.2x\n")], ["nondeterministic"]), ([_stream("acc 0.932\n")], None))
    a.cells[0].metadata["tags"] = ["nondeterministic"]
    result = tool.compare_notebooks(a, b)
    assert result["cells_skipped_nondeterministic"] == [0]
    [diff] = result["differences"]
    assert (diff["cell"], diff["a"], diff["b"]) == (1, "0.931", "0.932") and "acc" in diff["context"]
    # with a relative tolerance the two agree
    assert tool.compare_notebooks(a, b, rtol=1e-2)["differences"] == []


def test_reordered_words_and_errors_are_reported(tool):
    a = _nb(([_stream("['dog', 'rabbit']\n")], None), ([_stream("ok 1\n")], None))
    b = _nb(([_stream("['rabbit', 'dog']\n")], None),
            ([_stream("ok 1\n"), nbformat.v4.new_output("error", ename="AssertionError", evalue="0.0", traceback=[])], None))
    kinds = [d["kind"] for d in tool.compare_notebooks(a, b)["differences"]]
    assert kinds == ["text (stream:stdout)", "outputs"]
