"""The book's structure: TOC <-> notebooks, clean notebooks, citations, and a -W build.

The build here runs with notebook execution switched off: nbval executes every notebook once in
the same `make test` run, and `make book` is the build that executes them for the HTML.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return files


def _resolve(entry: str) -> Path | None:
    for suffix in ("", ".md", ".ipynb"):
        candidate = ROOT / f"{entry}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def test_every_toc_entry_exists():
    missing = [f for f in _toc_files() if _resolve(f) is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = {str(_resolve(f).relative_to(ROOT)) for f in _toc_files() if _resolve(f)}
    absent = [str(nb.relative_to(ROOT)) for nb in NOTEBOOKS if str(nb.relative_to(ROOT)) not in listed]
    assert not absent, f"notebooks missing from _toc.yml: {absent}"


def test_there_are_chapters():
    assert NOTEBOOKS, "no chapter notebooks found in notebooks/"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_without_outputs(nb_path):
    nb = json.loads(nb_path.read_text())
    dirty = [
        i for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{nb_path.name}: cells {dirty} have outputs or execution counts; strip them "
        f"(jupyter nbconvert --clear-output --inplace {nb_path.name})"
    )


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_structure(nb_path):
    nb = json.loads(nb_path.read_text())
    cells = nb["cells"]
    number = int(nb_path.name[:2])
    first = "".join(cells[0]["source"]) if cells else ""
    assert cells[0]["cell_type"] == "markdown" and first.startswith(f"# Chapter {number}:"), (
        f"{nb_path.name}: the first cell must be a markdown title '# Chapter {number}: ...'"
    )
    h1 = [c for c in cells if c["cell_type"] == "markdown"
          and re.search(r"^# ", "".join(c["source"]), flags=re.M)]
    assert len(h1) == 1, f"{nb_path.name}: exactly one level-1 heading expected, found {len(h1)}"
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    # the chapter template (CONTRIBUTING.md): these sections, in this order
    order = ["Learning objectives", "Prerequisites", "## Summary", "## What's next", "## Exercises",
             "## References"]
    where = [text.find(h) for h in order]
    missing = [h for h, pos in zip(order, where, strict=True) if pos < 0]
    assert not missing, f"{nb_path.name}: the chapter template asks for {missing}"
    assert where == sorted(where), f"{nb_path.name}: sections out of the template's order {order}"
    assert re.search(r"\{admonition\}\s*Solution[^\n]*\n:class: dropdown", text), (
        f"{nb_path.name}: no conceptual exercise with a hidden solution "
        f"(a markdown {{admonition}} Solution with :class: dropdown)")
    assert "{term}`" in text, f"{nb_path.name}: link glossary terms with {{term}}`...`"
    solutions = [c for c in cells if c["cell_type"] == "code"
                 and "hide-cell" in c.get("metadata", {}).get("tags", [])]
    assert solutions, f"{nb_path.name}: no exercise solutions (code cells tagged hide-cell)"
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert code.count("assert ") >= 5, f"{nb_path.name}: claims must be asserted on real figures"
    for bad in ("!pip", "%pip", "urlretrieve", "requests.get(", "hf_hub_download", "np.random.seed(",
                "torch.manual_seed(", "from tqdm.auto", "import *"):
        assert bad not in code, f"{nb_path.name}: uses {bad!r} (see CONTRIBUTING.md)"


def _bib_keys() -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for bib in sorted((ROOT / "book" / "bib").glob("*.bib")):
        for key in re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", bib.read_text(), flags=re.M):
            keys.setdefault(key, []).append(bib.name)
    return keys


def test_bib_files_are_configured_and_keys_unique():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    configured = set(config["bibtex_bibfiles"])
    present = {str(p.relative_to(ROOT)) for p in (ROOT / "book" / "bib").glob("*.bib")}
    assert configured == present, f"_config.yml bibtex_bibfiles {configured} != files {present}"
    dupes = {k: v for k, v in _bib_keys().items() if len(v) > 1}
    assert not dupes, f"duplicate BibTeX keys: {dupes}"


def test_every_citation_resolves():
    keys = set(_bib_keys())
    sources = [*NOTEBOOKS, *(ROOT / "book").glob("*.md")]
    cited: dict[str, str] = {}
    for src in sources:
        text = src.read_text()
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text):
            for key in group.split(","):
                cited[key.strip()] = src.name
    missing = {k: f for k, f in cited.items() if k not in keys}
    assert not missing, f"citations with no BibTeX entry: {missing}"


@pytest.mark.slow
def test_book_builds_with_warnings_as_errors(tmp_path):
    """Build the whole book with -W (execution off: nbval already ran every notebook)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    # paths in the config are relative to the config file, which now lives in tmp_path
    local = config["sphinx"].get("local_extensions", {})
    config["sphinx"]["local_extensions"] = {k: str(ROOT / v) for k, v in local.items()}
    config["bibtex_bibfiles"] = [str(ROOT / b) for b in config["bibtex_bibfiles"]]
    cfg = tmp_path / "_config.yml"
    cfg.write_text(yaml.safe_dump(config))
    out = tmp_path / "out"
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb if jb.exists() else shutil.which("jupyter-book")), "build", str(ROOT),
           "--config", str(cfg), "--path-output", str(out), "-W", "--keep-going", "--all"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    log = proc.stdout[-6000:] + proc.stderr[-6000:]
    assert proc.returncode == 0, f"book build failed:\n{log}"
    html = out / "_build" / "html"
    for entry in _toc_files():
        page = html / (Path(entry).with_suffix("").as_posix() + ".html")
        assert page.is_file(), f"page not built: {page}"
    bib = (html / "book" / "bibliography.html").read_text()
    assert "Pennington" in bib, "the bibliography page lists no cited references"
