"""A scatter plot of image embeddings that shows the image under the mouse, in a static page.

Plotly's hover labels hold text only. To see the *image* of the point under the mouse, each
image is encoded as a tiny PNG (:func:`png_bytes`, written out with ``zlib``: a PNG is a
signature, an ``IHDR`` header chunk, the zlib-compressed rows each prefixed by a filter byte, and
an ``IEND`` chunk, each chunk with a CRC-32), turned into a ``data:`` URI (:func:`png_data_uri`),
and :func:`image_hover_html` wraps a plotly figure in HTML with an ``<img>`` beside it and a few
lines of JavaScript: on plotly's ``plotly_hover`` event the ``<img>`` shows the thumbnail whose
index is the hovered point's ``customdata``. Nothing needs a running kernel, so the page works in
the static book; plotly.js itself comes from the page (the ``notebook`` renderer inlines it once
at the first figure) unless ``include_plotlyjs`` says otherwise.

Taught in: chapter 04.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from embedcourse._validation import check_int

__all__ = ["png_bytes", "png_data_uri", "image_hover_html"]


def _as_uint8(image: Any) -> np.ndarray:
    if image is None or isinstance(image, (str, bytes)):
        raise TypeError(f"image must be an array of shape (H, W), (1, H, W) or (3, H, W); got {type(image).__name__}.")
    if hasattr(image, "detach"):
        image = image.detach().cpu().numpy()
    try:
        a = np.asarray(image)
    except ValueError:
        raise ValueError("image could not be read as an array (ragged input?).") from None
    if a.dtype == bool or a.dtype.kind not in "fiu":
        raise TypeError(f"image must hold real numbers; got dtype {a.dtype}.")
    if a.ndim == 3 and a.shape[0] in (1, 3):
        a = a[0] if a.shape[0] == 1 else np.moveaxis(a, 0, -1)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] != 3) or 0 in a.shape:
        raise ValueError(f"image must have shape (H, W), (1, H, W) or (3, H, W); got {np.shape(image)}.")
    if a.dtype.kind == "f":
        if not np.isfinite(a).all():
            raise ValueError("image contains NaN or infinity.")
        if a.min() < 0 or a.max() > 1:
            raise ValueError(f"image values must lie in [0, 1]; got {a.min():.3g} to {a.max():.3g}.")
        return np.round(a * 255).astype(np.uint8)
    if a.min() < 0 or a.max() > 255:
        raise ValueError(f"integer image values must lie in [0, 255]; got {a.min()} to {a.max()}.")
    return a.astype(np.uint8)


def png_bytes(image: Any) -> bytes:
    """Encode one image as a PNG file (8 bits per channel, no filtering, zlib level 9).

    Parameters
    ----------
    image : array-like, shape (H, W), (1, H, W) or (3, H, W)
        Floats in [0, 1] or integers in [0, 255]; one channel gives a grey PNG, three an RGB one.

    Returns
    -------
    bytes
        A complete PNG file, readable by any decoder (Pillow is the test's oracle).

    Examples
    --------
    >>> png_bytes(np.zeros((28, 28)))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'

    Taught in: chapter 04.
    """
    a = _as_uint8(image)
    h, w = a.shape[:2]
    colour_type = 0 if a.ndim == 2 else 2                      # 0: grey, 2: RGB

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + row.tobytes() for row in a.reshape(h, -1))   # filter byte 0 ("none") per row
    header = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def png_data_uri(image: Any) -> str:
    """The image as a ``data:image/png;base64,...`` URI, usable as an ``<img src>``.

    Parameters
    ----------
    image : array-like, shape (H, W), (1, H, W) or (3, H, W)
        As for :func:`png_bytes`.

    Returns
    -------
    str

    Examples
    --------
    >>> png_data_uri(np.ones((2, 2)))[:22]
    'data:image/png;base64,'

    Taught in: chapter 04.
    """
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def image_hover_html(fig: Any, thumbnails: Sequence[str], *, image_px: int = 112, caption: str = "",
                     div_id: str = "image-hover-map", include_plotlyjs: bool | str = False) -> str:
    """HTML for a plotly figure with an image beside it that follows the mouse.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Every trace's ``customdata`` holds, per point, the index of its image in ``thumbnails``
        (an int, or a list whose first element is that int).
    thumbnails : sequence of str
        Data URIs (from :func:`png_data_uri`), one per image.
    image_px : int
        Displayed width and height of the image, in CSS pixels (small images are scaled up
        with sharp pixels).
    caption : str
        Text under the image before any hover (plain text; it is escaped).
    div_id : str
        HTML id of the plot (letters, digits, ``-`` and ``_``); unique within the page.
    include_plotlyjs : bool or str
        Passed to ``fig.to_html``: ``False`` when the page already holds plotly.js (the
        ``notebook`` renderer inlines it at the first figure), ``True`` to inline it here.

    Returns
    -------
    str
        An HTML fragment: show it with ``IPython.display.HTML``. The panel shows the first
        point's image until the mouse moves over another point.

    Examples
    --------
    >>> display(HTML(image_hover_html(fig, [png_data_uri(x) for x in images])))  # doctest: +SKIP

    Taught in: chapter 04.
    """
    if not hasattr(fig, "to_html") or not hasattr(fig, "data"):
        raise TypeError(f"fig must be a plotly Figure; got {type(fig).__name__}.")
    if isinstance(thumbnails, (str, bytes)) or not isinstance(thumbnails, Sequence) or len(thumbnails) == 0:
        raise TypeError("thumbnails must be a non-empty sequence of data URIs (png_data_uri).")
    if not all(isinstance(t, str) and t.startswith("data:image/") for t in thumbnails):
        raise ValueError("thumbnails must all be 'data:image/...' URIs (use png_data_uri).")
    image_px = check_int("image_px", image_px, 8, 1024)
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a string; got {type(caption).__name__}.")
    if not isinstance(div_id, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", div_id):
        raise ValueError(f"div_id must start with a letter and hold only letters, digits, '-' and '_'; got {div_id!r}.")
    if not isinstance(include_plotlyjs, (bool, str)):
        raise TypeError(f"include_plotlyjs must be a bool or a string; got {type(include_plotlyjs).__name__}.")
    n = len(thumbnails)
    fig = type(fig)(fig)  # a copy: customdata is rewritten as plain JSON lists of ints below
    for trace in fig.data:
        custom = getattr(trace, "customdata", None)
        idx = np.asarray([c[0] if np.ndim(c) else c for c in custom]) if custom is not None else np.array([])
        if custom is None or idx.size == 0 or idx.dtype.kind not in "iu" or idx.min() < 0 or idx.max() >= n:
            raise ValueError(f"every trace's customdata must hold image indices in [0, {n}); "
                             f"trace {getattr(trace, 'name', '')!r} does not.")
        trace.customdata = [[int(i)] for i in idx]   # not a typed array: readable as is in the page
    script = f"""
var gd = document.getElementById('{{plot_id}}');
var thumbs = {json.dumps(list(thumbnails))};
var img = document.getElementById('{div_id}-img'), cap = document.getElementById('{div_id}-cap');
function show(p) {{
  var c = p.customdata, i = Array.isArray(c) ? c[0] : c;
  img.src = thumbs[i]; cap.textContent = (p.data.name || '') + ' (image ' + i + ')';
}}
gd.on('plotly_hover', function (ev) {{ show(ev.points[0]); }});
show({{customdata: gd.data[0].customdata[0], data: gd.data[0]}});  // before any hover
"""
    plot = fig.to_html(include_plotlyjs=include_plotlyjs, full_html=False, div_id=div_id, post_script=script)
    safe_caption = caption.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    panel = (f'<div style="order:2;flex:0 0 {image_px + 16}px;text-align:center;font:13px sans-serif">'
             f'<img id="{div_id}-img" width="{image_px}" height="{image_px}" alt="the image under the mouse" '
             f'style="image-rendering:pixelated;border:1px solid #999;background:#000">'
             f'<div id="{div_id}-cap">{safe_caption}</div></div>')
    # the panel comes first in the page, so it exists when the plot's script runs; CSS puts it on the right
    return (f'<div style="display:flex;align-items:flex-start;gap:8px">{panel}'
            f'<div style="order:1;flex:1 1 0;min-width:0">{plot}</div></div>')
