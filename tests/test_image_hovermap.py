"""Tests for embedcourse.image.hovermap: the PNG encoder (Pillow as the oracle) and the hover-map HTML."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
import torch
from conftest import oracle

import embedcourse.image as IM


def _decode(png: bytes) -> np.ndarray:
    Image = oracle("PIL.Image")
    return np.asarray(Image.open(io.BytesIO(png)))


def test_png_roundtrip_grey_and_rgb():
    rng = np.random.default_rng(0)
    grey = rng.random((28, 28)).astype(np.float32)
    assert np.array_equal(_decode(IM.png_bytes(grey)), np.round(grey * 255).astype(np.uint8))
    assert np.array_equal(_decode(IM.png_bytes(grey[None])), _decode(IM.png_bytes(grey)))  # (1, H, W) = (H, W)
    rgb = rng.integers(0, 256, size=(3, 7, 5))
    assert np.array_equal(_decode(IM.png_bytes(rgb)), np.moveaxis(rgb, 0, -1).astype(np.uint8))
    assert np.array_equal(_decode(IM.png_bytes(torch.tensor(grey))), _decode(IM.png_bytes(grey)))
    assert IM.png_bytes(grey) == IM.png_bytes(grey.copy())  # deterministic bytes


def test_png_is_small_and_uri_decodes():
    digit = IM.load_images("digits").images[0]
    uri = IM.png_data_uri(digit)
    assert uri.startswith("data:image/png;base64,") and len(uri) < 400
    png = base64.b64decode(uri.split(",", 1)[1])
    assert np.array_equal(_decode(png), np.round(digit[0] * 255).astype(np.uint8))


def test_png_bad_input():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        IM.png_bytes(np.full((4, 4), 1.5))
    with pytest.raises(ValueError, match="shape"):
        IM.png_bytes(np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="NaN"):
        IM.png_bytes(np.full((4, 4), np.nan))
    with pytest.raises(TypeError, match="image"):
        IM.png_bytes("digit.png")
    with pytest.raises(TypeError, match="real numbers"):
        IM.png_bytes(np.zeros((4, 4), bool))


def _figure(n_per_trace=(3, 2)):
    go = oracle("plotly.graph_objects")
    fig, start = go.Figure(), 0
    for t, n in enumerate(n_per_trace):
        fig.add_trace(go.Scatter(x=np.arange(n), y=np.arange(n), mode="markers", name=f"class {t}",
                                 customdata=np.arange(start, start + n)))
        start += n
    return fig


def test_hover_html_holds_plot_panel_and_script():
    thumbs = [IM.png_data_uri(np.full((4, 4), v / 10)) for v in range(5)]
    fig = _figure()
    html = IM.image_hover_html(fig, thumbs, image_px=96, caption="a <b>", div_id="umap-1")
    assert 'id="umap-1-img"' in html and 'width="96"' in html and "a &lt;b&gt;" in html
    assert "plotly_hover" in html and "getElementById('umap-1-img')" in html
    assert json.dumps(thumbs) in html  # every thumbnail once, in a JavaScript array
    assert html.index('id="umap-1-img"') < html.index("Plotly.newPlot")  # the panel exists before the script runs
    assert "plotly.js v" not in html  # plotly.js comes from the page by default
    data = re.search(r'Plotly\.newPlot\(\s*"umap-1",\s*(\[.*?\]),\s*\{', html, re.S)
    assert data is not None
    assert [tr["customdata"] for tr in json.loads(data.group(1))] == [[[0], [1], [2]], [[3], [4]]]
    assert isinstance(fig.data[0].customdata, np.ndarray) or fig.data[0].customdata is not None  # input untouched


def test_hover_html_bad_input():
    thumbs = [IM.png_data_uri(np.zeros((2, 2)))] * 4
    with pytest.raises(ValueError, match="customdata"):
        IM.image_hover_html(_figure(), thumbs)  # 5 points, 4 thumbnails
    with pytest.raises(TypeError, match="fig"):
        IM.image_hover_html({"data": []}, thumbs)
    with pytest.raises(ValueError, match="thumbnails"):
        IM.image_hover_html(_figure((2,)), ["cat.png", "dog.png"])
    with pytest.raises(TypeError, match="thumbnails"):
        IM.image_hover_html(_figure((2,)), [])
    with pytest.raises(ValueError, match="div_id"):
        IM.image_hover_html(_figure((2,)), thumbs, div_id="two words")
