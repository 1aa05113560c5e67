"""The glossary is consistent: every {term} link resolves, every entry's citations exist.

Pure text parsing, no Sphinx build. Sphinx (7.x) resolves a ``:term:`` target first exactly,
then case-insensitively (``StandardDomain._resolve_term_xref`` lowercases it), after collapsing
runs of whitespace; ``{term}`text <target>``` links to ``target``. The tests mirror that.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "book" / "glossary.md"

# One pass over the text finds roles and code spans in the order they start, so that a role
# written inside inline code (``{term}`x` ``, as the glossary's own intro does) is not a link.
_TOKEN = re.compile(r"\{term\}`(?P<term>[^`]+)`|``.+?``|`[^`\n]*`", re.S)
_CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")


def _target(role_text: str) -> str:
    """The glossary term a role's text points at, normalised as Sphinx compares it."""
    explicit = re.match(r"^(.*?)\s*<([^<>]+)>\s*$", role_text, flags=re.S)
    target = explicit.group(2) if explicit else role_text
    return re.sub(r"\s+", " ", target).strip().lower()


def _strip_code_fences(text: str) -> str:
    """Drop fenced code blocks (``` or ```python), keep directive bodies (```{glossary} ...)."""
    result, stack = [], []  # stack of open fences: (marker, "directive" | "code")
    for line in text.splitlines():
        match = _FENCE.match(line.strip())
        if match:
            marker, info = match.group(1), match.group(2).strip()
            if stack and not info and marker.startswith(stack[-1][0]):
                stack.pop()
                continue
            stack.append((marker, "directive" if info.startswith("{") else "code"))
            continue
        if not any(kind == "code" for _, kind in stack):
            result.append(line)
    return "\n".join(result)


def _sources() -> list[tuple[str, str]]:
    """(name, markdown text) of every notebook's markdown cells and every book page."""
    sources = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        sources.append((nb.name, text))
    for page in sorted((ROOT / "book").glob("*.md")):
        sources.append((f"book/{page.name}", page.read_text()))
    return sources


def _term_links(text: str) -> list[str]:
    text = _strip_code_fences(text)
    return [_target(m.group("term")) for m in _TOKEN.finditer(text) if m.group("term")]


def _glossary_entries() -> list[tuple[list[str], str]]:
    """(term lines, definition) of every entry of the glossary directive."""
    text = GLOSSARY.read_text()
    match = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```\s*$", text, flags=re.S | re.M)
    assert match, "book/glossary.md has no ```{glossary} block"
    entries: list[tuple[list[str], str]] = []
    for chunk in re.split(r"\n\s*\n(?=\S)", match.group(1).strip("\n")):
        lines = chunk.splitlines()
        terms = [ln.strip() for ln in lines if ln and not ln[0].isspace()]
        body = "\n".join(ln for ln in lines if ln and ln[0].isspace())
        entries.append((terms, body))
    return entries


def _bib_keys() -> set[str]:
    keys: set[str] = set()
    for bib in (ROOT / "book" / "bib").glob("*.bib"):
        keys.update(re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", bib.read_text(), flags=re.M))
    return keys


def _defined_terms() -> set[str]:
    return {re.sub(r"\s+", " ", t).lower() for terms, _ in _glossary_entries() for t in terms}


def test_glossary_parses_into_entries():
    entries = _glossary_entries()
    assert len(entries) > 50, f"only {len(entries)} glossary entries found: is the parser broken?"
    empty = [terms for terms, body in entries if not terms or not body.strip()]
    assert not empty, f"glossary entries without a term line or a definition: {empty}"


def test_glossary_terms_are_unique():
    counts = Counter(re.sub(r"\s+", " ", t).lower() for terms, _ in _glossary_entries() for t in terms)
    dupes = sorted(t for t, c in counts.items() if c > 1)
    assert not dupes, f"terms defined twice in book/glossary.md (Sphinx compares them lowercased): {dupes}"


def test_glossary_is_alphabetical():
    firsts = [terms[0] for terms, _ in _glossary_entries()]
    expected = sorted(firsts, key=str.lower)
    misplaced = [(i, got, want) for i, (got, want) in enumerate(zip(firsts, expected, strict=True)) if got != want]
    assert not misplaced, (
        "book/glossary.md entries are not in alphabetical order of their first term "
        f"(case-insensitive); first mismatch (position, found, expected): {misplaced[0]}"
    )


@pytest.mark.parametrize("name,text", _sources(), ids=[name for name, _ in _sources()])
def test_every_term_link_resolves(name, text):
    defined = _defined_terms()
    missing = sorted({t for t in _term_links(text) if t not in defined})
    assert not missing, f"{name}: {{term}} links with no entry in book/glossary.md: {missing}"


def test_glossary_citations_exist():
    keys = _bib_keys()
    missing = {}
    for terms, body in _glossary_entries():
        for group in _CITE.findall(body):
            for key in (k.strip() for k in group.split(",")):
                if key not in keys:
                    missing.setdefault(terms[0], []).append(key)
    assert not missing, f"glossary citations with no key in book/bib/*.bib: {missing}"


def test_the_link_parser_follows_sphinx():
    text = (
        "See {term}`Cosine Similarity`, {term}`the loss <InfoNCE>` and {term}`multiple\nnegatives"
        " ranking loss`; ``{term}`not a link` `` and `{term}` are code.\n"
        "```python\nx = '{term}`inside code`'\n```\n"
        "```{admonition} Note\n{term}`in a directive`\n```\n"
    )
    assert _term_links(text) == [
        "cosine similarity", "infonce", "multiple negatives ranking loss", "in a directive",
    ]
