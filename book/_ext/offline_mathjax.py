"""Serve MathJax from the built book itself, so formulas render with no network.

Sphinx loads MathJax 3 from a CDN by default; a reader offline (or behind a firewall) then sees
raw LaTeX. MathJax 3.2.2 ships inside the PyPI package ``django-static-mathjax`` (Apache-2.0;
only its files are used, Django is not needed). We copy its self-contained SVG build
(``es5/tex-svg.js``, no font files) into ``_static/mathjax/`` and point ``mathjax_path`` at it.
"""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

DIST = "django-static-mathjax"
MEMBER = "mathjax/static/mathjax/es5/tex-svg.js"
TARGET = "mathjax/tex-svg.js"  # relative to _static


def _source() -> Path:
    try:
        path = Path(metadata.distribution(DIST).locate_file(MEMBER))
    except metadata.PackageNotFoundError as exc:
        raise RuntimeError(
            f"offline MathJax needs the package {DIST!r}: pip install {DIST}==3.2.2.1 "
            f"(make install does it)"
        ) from exc
    if not path.is_file():
        raise RuntimeError(f"{DIST} is installed but {MEMBER} is missing; reinstall it.")
    return path


def _config_inited(app, config) -> None:
    _source()  # fail early and clearly
    config.mathjax_path = TARGET


def _builder_inited(app) -> None:
    if app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / TARGET
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_source(), dest)


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
