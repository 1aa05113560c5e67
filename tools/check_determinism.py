#!/usr/bin/env python
"""Run each chapter twice in fresh kernels and compare every number it prints.

Usage (from the repository root)::

    .venv/bin/python tools/check_determinism.py [notebooks/01_introduction.ipynb ...]
        [--rtol 0] [--json report.json] [--timeout 900] [--save-executed DIR]

    # compare two notebooks that were already executed (for instance on two machines)
    .venv/bin/python tools/check_determinism.py --compare run_a.ipynb run_b.ipynb

With no notebook arguments every chapter ``notebooks/[0-9][0-9]_*.ipynb`` is checked.

Each run executes the notebook with nbclient in a fresh kernel, with ``notebooks/`` as working
directory (as nbval, the book build and ``tools/measure_notebook.py`` do), and with its **own**
empty ``EMBEDCOURSE_CACHE`` folder, so both runs compute everything and run 2 never reads what
run 1 cached. The kernel also gets ``PLOTLY_RENDERER=notebook``, ``HF_HUB_OFFLINE=1``,
``TRANSFORMERS_OFFLINE=1`` and ``TOKENIZERS_PARALLELISM=false`` unless already set, as in the
Makefile.

What is compared, cell by cell and output by output:

- the text of ``stream`` outputs (stdout and stderr; consecutive chunks of one stream are merged,
  since the way a stream is cut into chunks depends on timing);
- ``text/html`` of rich outputs (pandas tables), reduced to its text, or else ``text/plain``;
- the name and message of ``error`` outputs (an error in either run also fails the check).

Ignored: plotly figures (their HTML/JS payload), widget state, images, memory addresses
(``0x7f...``), UUIDs and each run's cache folder path. Every number (integers, decimals,
``1,234`` thousands, exponents, percentages) is extracted from the remaining text and compared
with its counterpart in the other run: by default textually (``--rtol 0``: the printed digits
must be identical), or with ``numpy.isclose(a, b, rtol=RTOL, atol=0)``. The words around the
numbers are compared too: if they differ (a neighbour list in another order, a different number
of numbers), the whole output is reported as a text difference.

**Legitimately varying output** (timings, throughput) goes in a cell tagged
``nondeterministic``: it is executed, an error in it still fails the check, but its outputs are
not compared. Keep such cells few and print nothing in them that a later claim depends on.

Exit status: 0 if both runs of every notebook print the same numbers and text, 1 otherwise.

This is a hand tool, not part of ``make test`` (it costs two full executions of each chapter).
To look for numeric fragility across machines, change the environment of the second run, e.g.
``--env2 OPENBLAS_CORETYPE=SkylakeX`` or ``--env2 NPY_DISABLE_CPU_FEATURES="AVX512_ICL X86_V4"``.
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient

SKIP_TAG = "nondeterministic"
KERNEL_ENV_DEFAULTS = {
    "PLOTLY_RENDERER": "notebook",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}

# a number: optional sign, digits with optional 1,234,567 grouping, optional decimals, exponent, %
NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?%?"
    r"|(?<=[A-Za-z_])\d+(?:\.\d+)?"  # digits glued to a word (x312, T_1): compared too
    r"|(?<![\w.])[-+]?\.\d+(?:[eE][-+]?\d+)?"
)
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")
UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
HTML_BLOCK = re.compile(r"<(style|script)\b.*?</\1\s*>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class Segment:
    """One comparable output of a cell: its kind and the text it shows."""

    kind: str
    text: str


@dataclass
class Run:
    nb: nbformat.NotebookNode
    wall_s: float
    cache: str | None = None
    errors: list[str] = field(default_factory=list)


def _html_text(markup: str) -> str:
    markup = HTML_BLOCK.sub(" ", markup)
    text = html.unescape(TAG.sub(" ", markup))
    return re.sub(r"[ \t]+", " ", re.sub(r"\s*\n\s*", "\n", text)).strip()


def _sanitise(text: str, masks: tuple[str, ...] = ()) -> str:
    for m in masks:
        if m:
            text = text.replace(m, "<cache>")
    text = ANSI.sub("", text)
    text = ADDRESS.sub("0x<address>", text)
    return UUID.sub("<uuid>", text)


def _is_plotly(data: dict) -> bool:
    if any(k.startswith("application/vnd.plotly") for k in data):
        return True
    markup = str(data.get("text/html", ""))
    return "plotly" in markup.lower() and "<script" in markup.lower()


def segments(cell: nbformat.NotebookNode, masks: tuple[str, ...] = ()) -> list[Segment]:
    """The comparable outputs of one code cell, in order (consecutive stream chunks merged)."""
    out: list[Segment] = []
    for o in cell.get("outputs", []):
        kind = o.get("output_type")
        if kind == "stream":
            name = f"stream:{o.get('name', 'stdout')}"
            text = o.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            if out and out[-1].kind == name:
                out[-1].text += text
            else:
                out.append(Segment(name, text))
        elif kind in ("execute_result", "display_data"):
            data = o.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data or _is_plotly(data):
                continue
            if "text/html" in data:
                out.append(Segment("text/html", _html_text("".join(data["text/html"]))))
            elif "text/plain" in data:
                out.append(Segment("text/plain", "".join(data["text/plain"])))
        elif kind == "error":
            out.append(Segment("error", f"{o.get('ename')}: {o.get('evalue')}"))
    for s in out:
        s.text = _sanitise(s.text, masks)
    return out


def _same(a: str, b: str, rtol: float) -> bool:
    if a == b:
        return True
    if rtol <= 0:
        return False
    try:
        x = float(a.rstrip("%").replace(",", ""))
        y = float(b.rstrip("%").replace(",", ""))
    except ValueError:
        return False
    return bool(np.isclose(x, y, rtol=rtol, atol=0.0, equal_nan=True))


def _context(text: str, match: re.Match, width: int = 50) -> str:
    lo, hi = max(0, match.start() - width), min(len(text), match.end() + width)
    snippet = text[lo:match.start()] + "[" + match.group() + "]" + text[match.end():hi]
    return " ".join(snippet.split())


def compare_notebooks(nb_a, nb_b, rtol: float = 0.0, masks_a=(), masks_b=()) -> dict:
    """Compare the printed numbers of two executed copies of one notebook."""
    differences: list[dict] = []
    n_numbers = n_cells = 0
    skipped: list[int] = []
    if len(nb_a.cells) != len(nb_b.cells):
        differences.append({"cell": None, "kind": "structure",
                            "a": f"{len(nb_a.cells)} cells", "b": f"{len(nb_b.cells)} cells", "context": ""})
    for index, (ca, cb) in enumerate(zip(nb_a.cells, nb_b.cells, strict=False)):
        if ca.cell_type != "code":
            continue
        cell_id = ca.get("id")
        if SKIP_TAG in ca.get("metadata", {}).get("tags", []):
            skipped.append(index)
            continue
        n_cells += 1
        sa, sb = segments(ca, tuple(masks_a)), segments(cb, tuple(masks_b))
        if [s.kind for s in sa] != [s.kind for s in sb]:
            differences.append({"cell": index, "cell_id": cell_id, "kind": "outputs",
                                "a": [s.kind for s in sa], "b": [s.kind for s in sb],
                                "context": "the cell shows different kinds or numbers of outputs"})
            # still compare the outputs the two runs have in common (same position, same kind)
            common = 0
            while common < min(len(sa), len(sb)) and sa[common].kind == sb[common].kind:
                common += 1
            sa, sb = sa[:common], sb[:common]
        for k, (xa, xb) in enumerate(zip(sa, sb, strict=False)):
            ma, mb = list(NUMBER.finditer(xa.text)), list(NUMBER.finditer(xb.text))
            words_a, words_b = NUMBER.sub("#", xa.text), NUMBER.sub("#", xb.text)
            if len(ma) != len(mb) or words_a != words_b:
                diff = [line for line in difflib.unified_diff(
                    xa.text.splitlines(), xb.text.splitlines(), "run 1", "run 2", n=0, lineterm="")
                    if not line.startswith(("---", "+++", "@@"))]
                differences.append({"cell": index, "cell_id": cell_id, "output": k, "kind": f"text ({xa.kind})",
                                    "a": f"{len(ma)} numbers", "b": f"{len(mb)} numbers",
                                    "context": "\n".join(diff[:12])})
                n_numbers += min(len(ma), len(mb))
                continue
            for x, y in zip(ma, mb, strict=True):
                n_numbers += 1
                if not _same(x.group(), y.group(), rtol):
                    differences.append({"cell": index, "cell_id": cell_id, "output": k, "kind": xa.kind,
                                        "a": x.group(), "b": y.group(), "context": _context(xa.text, x)})
    return {"numbers_compared": n_numbers, "cells_compared": n_cells,
            "cells_skipped_nondeterministic": skipped, "differences": differences}


def run_once(path: Path, timeout: int, env_extra: dict[str, str]) -> Run:
    """Execute a copy of the notebook in a fresh kernel with its own empty cache folder."""
    nb = nbformat.read(path, as_version=4)
    cache = tempfile.mkdtemp(prefix="embedcourse-det-")
    env = dict(os.environ)
    for key, value in KERNEL_ENV_DEFAULTS.items():
        env.setdefault(key, value)
    env["EMBEDCOURSE_CACHE"] = cache
    env.update(env_extra)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    t0 = time.perf_counter()
    errors = []
    try:
        client.execute(env=env)
    except Exception as exc:  # a timeout or a dead kernel: report, don't hide
        errors.append(f"{type(exc).__name__}: {str(exc)[:500]}")
    wall = time.perf_counter() - t0
    shutil.rmtree(cache, ignore_errors=True)
    for index, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                errors.append(f"cell {index}: {o.get('ename')}: {str(o.get('evalue'))[:300]}")
    return Run(nb, wall, cache, errors)


def _parse_env(items: list[str]) -> dict[str, str]:
    env = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--env/--env2 expects NAME=VALUE, got {item!r}")
        env[key] = value
    return env


def _print_report(name: str, result: dict, limit: int = 40) -> None:
    diffs = result["differences"]
    runs = ", ".join(f"run {i + 1} {r['wall_s']:.1f} s" for i, r in enumerate(result.get("runs", [])))
    status = "OK" if not diffs and not result.get("errors") else "DIFFERS" if diffs else "ERRORS"
    print(f"{name}: {status} - {result['numbers_compared']:,} numbers in {result['cells_compared']} code cells "
          f"compared, {len(diffs)} differences"
          + (f", skipped (tagged {SKIP_TAG}): cells {result['cells_skipped_nondeterministic']}"
             if result["cells_skipped_nondeterministic"] else "")
          + (f" ({runs})" if runs else ""), flush=True)
    for err in result.get("errors", []):
        print(f"  execution error: {err}")
    for d in diffs[:limit]:
        where = f"cell {d['cell']}" + (f" (id {d['cell_id']})" if d.get("cell_id") else "")
        print(f"  {where} [{d['kind']}]: run 1 {d['a']!s} | run 2 {d['b']!s}")
        if d.get("context"):
            print("      " + d["context"].replace("\n", "\n      "))
    if len(diffs) > limit:
        print(f"  ... and {len(diffs) - limit} more (see --json)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/[0-9][0-9]_*.ipynb")
    parser.add_argument("--rtol", type=float, default=0.0,
                        help="relative tolerance per number (default 0: the printed text must be identical)")
    parser.add_argument("--json", type=Path, help="write the full report to this JSON file")
    parser.add_argument("--timeout", type=int, default=900, help="per-cell timeout in seconds")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"),
                        help="compare two already executed notebooks instead of running anything")
    parser.add_argument("--save-executed", type=Path, metavar="DIR",
                        help="keep the executed copies as DIR/<name>.run1.ipynb and .run2.ipynb")
    parser.add_argument("--env", action="append", metavar="NAME=VALUE", help="extra kernel variable, both runs")
    parser.add_argument("--env2", action="append", metavar="NAME=VALUE",
                        help="extra kernel variable for run 2 only (to compare two numeric environments)")
    args = parser.parse_args(argv)

    if args.compare:
        nb_a, nb_b = (nbformat.read(p, as_version=4) for p in args.compare)
        result = compare_notebooks(nb_a, nb_b, rtol=args.rtol)
        result["notebook"] = f"{args.compare[0]} vs {args.compare[1]}"
        _print_report(result["notebook"], result)
        if args.json:
            args.json.write_text(json.dumps([result], indent=2))
        return 1 if result["differences"] else 0

    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        parser.error("no notebooks given and none found in notebooks/ (run from the repository root)")
    env_both, env_2 = _parse_env(args.env), _parse_env(args.env2)
    results, failed = [], False
    for path in paths:
        if not path.exists() and (Path("notebooks") / path).exists():
            path = Path("notebooks") / path
        runs = [run_once(path, args.timeout, env_both), run_once(path, args.timeout, {**env_both, **env_2})]
        result = compare_notebooks(runs[0].nb, runs[1].nb, rtol=args.rtol,
                                   masks_a=(runs[0].cache,), masks_b=(runs[1].cache,))
        result["notebook"] = path.name
        result["runs"] = [{"wall_s": round(r.wall_s, 1), "errors": r.errors} for r in runs]
        result["errors"] = [f"run {i + 1}, {e}" for i, r in enumerate(runs) for e in r.errors]
        if env_2:
            result["env2"] = env_2
        if args.save_executed:
            args.save_executed.mkdir(parents=True, exist_ok=True)
            for i, r in enumerate(runs, 1):
                nbformat.write(r.nb, args.save_executed / f"{path.stem}.run{i}.ipynb")
        results.append(result)
        failed |= bool(result["differences"] or result["errors"])
        _print_report(path.name, result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    total = sum(r["numbers_compared"] for r in results)
    n_diff = sum(len(r["differences"]) for r in results)
    print(f"total: {total:,} numbers compared in {len(results)} notebooks, {n_diff} differences"
          + (", execution errors" if any(r["errors"] for r in results) else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
