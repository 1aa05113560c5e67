"""Fine-tune the top of a sentence encoder with in-batch negatives, within a CPU budget.

Full fine-tuning of all-MiniLM-L6-v2 costs over a second per step of 32 pairs on two CPU
cores. The recipe here keeps the lower encoder layers frozen: their output for every text (the
hidden states ``h^(L)`` that enter layer ``L``) is computed once, stored as float16 and cached
on disk (:mod:`embedcourse.cache`), and only the top ``n_layers`` transformer layers are trained,
followed by MiniLM's mean pooling and unit length, with the multiple negatives ranking loss
(:func:`embedcourse.losses.multiple_negatives_ranking_loss`) in the seeded loop of
:func:`embedcourse.training.fit`. The trained weights are cached too, keyed by the training
texts and every setting, so a second call (or a later chapter) loads them instead of training.

- :func:`news_finetuning_split`: chapter 03's 1,000 test articles and the 2,519 disjoint ones to train on;
- :func:`layer_states`: the frozen part of the encoder, run once (:class:`LayerStates`);
- :class:`TopLayerFinetuner`: ``fit(X, y, negatives=None)`` then ``encode(texts)``;
- :func:`finetuned_news_minilm`: chapter 08's fine-tuned model in one call.

Taught in: chapter 08 (used in chapter 09).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_bool, check_float, check_int, check_texts
from embedcourse.cache import cache_array, cache_dir, content_hash

if TYPE_CHECKING:  # pragma: no cover - imports for type hints only
    import pandas as pd
    import torch
    from sentence_transformers import SentenceTransformer

__all__ = ["LayerStates", "layer_states", "TopLayerFinetuner", "news_finetuning_split", "finetuned_news_minilm"]


def news_finetuning_split(n_test: int = 1000, random_state: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The headline-to-lead task split: chapter 03's test articles and the rest to train on.

    Parameters
    ----------
    n_test : int
        Test articles, ``load_news_sample(None).sample(n_test, random_state=random_state)``
        (1,000 with seed 0 is chapter 03's sample).
    random_state : int
        Seed of the test sample.

    Returns
    -------
    train, test : pandas.DataFrame
        Disjoint; ``train`` keeps the corpus order (2,519 articles for the defaults), ``test``
        the sample's order with its index reset. Columns of :func:`embedcourse.data.load_news_sample`.

    Taught in: chapter 08.
    """
    from embedcourse.data import load_news_sample

    usable = load_news_sample(None)
    n_test = check_int("n_test", n_test, 1, len(usable) - 1, hint=" (leave at least one article to train on)")
    if isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer)) or random_state < 0:
        raise ValueError(f"random_state must be a non-negative int seed; got {random_state!r}.")
    test = usable.sample(n_test, random_state=int(random_state))
    train = usable.drop(test.index).reset_index(drop=True)
    return train, test.reset_index(drop=True)


def _trim_heap() -> None:
    """Hand freed heap memory back to the operating system (glibc's ``malloc_trim``; else nothing).

    Batches of texts have different lengths, so every step allocates activation tensors of new
    sizes and glibc's heap fragments: measured over the 78 training steps of chapter 08, resident
    memory grew by 450 MB that the process no longer used. Trimming every few steps keeps it flat.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, looked up once (``None`` elsewhere).

    Loaded by its soname, not ``ctypes.util.find_library``: that runs ``ldconfig`` in a
    subprocess, and forking a process of a gigabyte or more every few steps costs time and
    shows up as a doubled footprint to anything that sums a process tree's memory.
    """
    import ctypes

    try:
        return getattr(ctypes.CDLL("libc.so.6"), "malloc_trim", None)
    except OSError:  # not glibc (macOS, musl, Windows): nothing to trim
        return None


def _release_memory() -> None:
    """Collect garbage, then trim the heap (after a large batched computation)."""
    import gc

    gc.collect()
    _trim_heap()


def _bert(model: Any) -> Any:
    try:
        bert = model[0].auto_model
        bert.encoder.layer  # noqa: B018 - check the attribute exists
    except (AttributeError, TypeError, IndexError, KeyError):
        raise TypeError(f"model must be a sentence-transformers model with a BERT-style transformer "
                        f"(e.g. ec.data.load_minilm()); got {type(model).__name__}.") from None
    return bert


def _run_layers(layers: Any, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Pass hidden states (B, T, d) through encoder layers, padding masked out."""
    import torch

    additive = (1.0 - mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min
    for layer in layers:
        out = layer(h, attention_mask=additive)
        h = out[0] if isinstance(out, tuple) else out
    return h


def _mean_pool_unit(h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    import torch

    m = mask[..., None].to(h.dtype)
    return torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=1)


@dataclass(frozen=True)
class LayerStates:
    """Hidden states of a list of texts at one layer, stored flat in float16.

    Attributes
    ----------
    flat : numpy.ndarray, shape (total_tokens, d), float16
        Every text's token vectors, one text after the other.
    offsets : numpy.ndarray, shape (n + 1,), int64
        Text ``i`` is ``flat[offsets[i]:offsets[i + 1]]``.
    layer : int
        ``h^(layer)``: the input of encoder layer ``layer`` (0 = the embedding layer's output).

    Taught in: chapter 08.
    """

    flat: npt.NDArray[np.float16]
    offsets: npt.NDArray[np.int64]
    layer: int

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def batch(self, idx: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded float32 states (B, T, d) and the 0/1 mask (B, T) of texts ``idx``."""
        import torch

        idx = np.atleast_1d(np.asarray(idx, dtype=np.int64))
        if idx.ndim != 1 or len(idx) == 0 or idx.min() < 0 or idx.max() >= len(self):
            raise ValueError(f"idx must be a non-empty 1-d array of text indices in [0, {len(self)}).")
        lengths = self.offsets[idx + 1] - self.offsets[idx]
        h = torch.zeros(len(idx), int(lengths.max()), self.flat.shape[1])
        mask = torch.zeros(len(idx), int(lengths.max()))
        for row, (i, n) in enumerate(zip(idx, lengths, strict=True)):
            h[row, :n] = torch.from_numpy(self.flat[self.offsets[i]:self.offsets[i + 1]].astype(np.float32))
            mask[row, :n] = 1.0
        return h, mask


def _model_label(model: Any) -> str:
    bert = _bert(model)
    cfg = bert.config
    return f"{type(bert).__name__}-{cfg.num_hidden_layers}x{cfg.hidden_size}-{getattr(cfg, '_name_or_path', '')}"


def layer_states(model: SentenceTransformer, texts: Sequence[str], *, layer: int = 5, max_seq_length: int = 128,
                 batch_size: int = 16, cache: bool = True) -> LayerStates:
    """Run the frozen lower part of the encoder once: ``h^(layer)`` for every text.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
        A BERT-style model such as ``ec.data.load_minilm()``.
    texts : list of str, length n
    layer : int
        Number of encoder layers applied (0 .. n_layers - 1); the rest are left to train.
    max_seq_length : int
        Word pieces kept per text (128 truncates no 50-word news lead).
    batch_size : int
        Texts per forward pass (sorted by length, so little padding).
    cache : bool
        Read and write the on-disk cache (keyed by the model, ``layer``, ``max_seq_length`` and texts).

    Returns
    -------
    LayerStates

    Taught in: chapter 08.
    """
    import torch

    bert = _bert(model)
    texts = check_texts(texts, "texts")
    layer = check_int("layer", layer, 0, len(bert.encoder.layer) - 1)
    max_seq_length = check_int("max_seq_length", max_seq_length, 2, bert.config.max_position_embeddings)
    batch_size = check_int("batch_size", batch_size, 1)
    cache = check_bool("cache", cache)
    ids = [model.tokenizer(t, truncation=True, max_length=max_seq_length)["input_ids"] for t in texts]
    lengths = np.array([len(i) for i in ids], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)

    def compute() -> npt.NDArray[np.float16]:
        flat = np.empty((int(offsets[-1]), bert.config.hidden_size), dtype=np.float16)
        order = np.argsort(lengths, kind="stable")
        with torch.no_grad():
            for start in range(0, len(order), batch_size):
                if start % (4 * batch_size) == 0:
                    _trim_heap()  # batches grow in length: keep the heap from fragmenting (see _trim_heap)
                chunk = order[start:start + batch_size]
                feats = model.tokenizer.pad({"input_ids": [ids[i] for i in chunk]}, return_tensors="pt")
                h = bert.embeddings(input_ids=feats["input_ids"])
                h = _run_layers(bert.encoder.layer[:layer], h, feats["attention_mask"])
                for row, i in enumerate(chunk):
                    flat[offsets[i]:offsets[i + 1]] = h[row, :lengths[i]].numpy().astype(np.float16)
        _release_memory()
        return flat

    if not cache:
        return LayerStates(compute(), offsets, layer)
    key = content_hash("layer-states-v1", _model_label(model), layer, max_seq_length, texts)
    return LayerStates(cache_array(key, compute, namespace="layer_states"), offsets, layer)


class TopLayerFinetuner:
    """A sentence encoder whose top ``n_layers`` are fine-tuned with in-batch negatives.

    Parameters
    ----------
    model : SentenceTransformer or None
        The base encoder (``None``: ``ec.data.load_minilm()``); it is never modified.
    n_layers : int
        Top encoder layers trained (1 = the last of MiniLM's six); the others stay frozen.
    scale : float
        Inverse temperature 1 / tau of the loss (20 = tau 0.05).
    batch_size : int
        Pairs per step (batches of exactly this size; the remainder of an epoch is dropped).
    epochs : int
    lr : float
        AdamW learning rate (constant).
    max_seq_length : int
        Word pieces kept per text.
    random_state : int
        Seeds the batch order and dropout (via :func:`embedcourse.training.fit`).
    progress : bool or int
        Text progress lines of the fit loop (an int N: also a line every N steps).
    cache : bool
        Cache the frozen layers' states and the trained weights on disk.

    Attributes
    ----------
    layers_ : torch.nn.ModuleList
        The tuned layers (eval mode).
    loss_history_ : numpy.ndarray, shape (steps,)
        The loss of every training step.
    from_cache_ : bool
        True when the weights were loaded from the cache instead of trained.

    Taught in: chapter 08 (used in chapter 09).
    """

    def __init__(self, model: Any = None, *, n_layers: int = 1, scale: float = 20.0, batch_size: int = 32,
                 epochs: int = 1, lr: float = 1e-4, max_seq_length: int = 128, random_state: int = 0,
                 progress: bool | int = True, cache: bool = True) -> None:
        self.model = model
        self.n_layers = n_layers
        self.scale = scale
        self.batch_size = batch_size
        self.epochs = epochs
        self.lr = lr
        self.max_seq_length = max_seq_length
        self.random_state = random_state
        self.progress = progress
        self.cache = cache

    def _base(self) -> Any:
        if self.model is None:
            from embedcourse.data import load_minilm

            return load_minilm()
        _bert(self.model)
        return self.model

    def fit(self, X: Sequence[str], y: Sequence[str], *, negatives: Sequence[str] | None = None) -> TopLayerFinetuner:
        """Train the top layers on (query ``X[i]``, positive ``y[i]``, optional ``negatives[i]``) triples.

        Returns
        -------
        self

        Taught in: chapter 08.
        """
        import torch

        from embedcourse.losses import multiple_negatives_ranking_loss
        from embedcourse.training import fit, index_batches

        _release_memory()  # start from a compact heap: the states below are a few hundred MB
        base = self._base()
        bert = _bert(base)
        n_total = len(bert.encoder.layer)
        n_layers = check_int("n_layers", self.n_layers, 1, n_total)
        scale = check_float("scale", self.scale, 0.0, None, low_open=True)
        epochs = check_int("epochs", self.epochs, 1)
        lr = check_float("lr", self.lr, 0.0, None, low_open=True)
        check_int("max_seq_length", self.max_seq_length, 2, bert.config.max_position_embeddings)
        cache = check_bool("cache", self.cache)
        X, y = check_texts(X, "X"), check_texts(y, "y")
        if len(y) != len(X):
            raise ValueError(f"y has {len(y)} texts but X has {len(X)}; one positive per query.")
        batch_size = check_int("batch_size", self.batch_size, 2, len(X), hint=" (in-batch negatives need >= 2 pairs)")
        negs = None if negatives is None else check_texts(negatives, "negatives")
        if negs is not None and len(negs) != len(X):
            raise ValueError(f"negatives has {len(negs)} texts but X has {len(X)}; one hard negative per query.")
        self.layer_ = n_total - n_layers
        unique = list(dict.fromkeys([*X, *y, *(negs or [])]))
        where = {t: i for i, t in enumerate(unique)}
        cols = [np.array([where[t] for t in texts]) for texts in (X, y, *([negs] if negs else []))]
        layers = torch.nn.ModuleList(copy.deepcopy(bert.encoder.layer[self.layer_:]))
        settings = dict(n_layers=n_layers, scale=scale, batch_size=batch_size, epochs=epochs, lr=lr,
                        max_seq_length=self.max_seq_length, random_state=int(self.random_state))
        key = content_hash("finetune-v1", _model_label(base), settings, X, y, negs)
        trained: dict[str, Any] = {}

        def train() -> npt.NDArray[np.float32]:

            def embed(net: Any, rows: npt.NDArray[np.int64]) -> torch.Tensor:
                h, mask = states.batch(rows)
                return _mean_pool_unit(_run_layers(net, h, mask), mask)

            steps = [0]

            def loss_fn(net: Any, idx: npt.NDArray[np.int64]) -> torch.Tensor:
                steps[0] += 1
                if steps[0] % 2 == 0:
                    _trim_heap()
                return multiple_negatives_ranking_loss(*(embed(net, c[idx]) for c in cols), scale=scale)

            result = fit(layers, loss_fn, index_batches(len(X), batch_size, drop_last=True), epochs=epochs, lr=lr,
                         optimizer="adamw", random_state=int(self.random_state), progress=self.progress)
            trained["seconds"] = result.seconds
            _release_memory()
            return result.losses.astype(np.float32)

        root = cache_dir() if cache else None
        stored = root is not None and all((root / "finetuned" / f"{k}.npy").exists() for k in (key, key + "-losses"))
        if stored:
            def missing() -> npt.NDArray[np.float32]:
                raise FileNotFoundError(key)  # pragma: no cover - checked just above

            weights = cache_array(key, missing, namespace="finetuned")
            losses = cache_array(key + "-losses", missing, namespace="finetuned")
            torch.nn.utils.vector_to_parameters(torch.from_numpy(np.array(weights, dtype=np.float32)), layers.parameters())
        else:
            # the frozen states are needed only to train (and are computed lazily by encode later)
            states = layer_states(base, unique, layer=self.layer_, max_seq_length=self.max_seq_length, cache=cache)
            losses = train()
            if root is not None:
                vector = torch.nn.utils.parameters_to_vector(layers.parameters()).detach().numpy().copy()
                cache_array(key, lambda: vector, namespace="finetuned")
                cache_array(key + "-losses", lambda: losses, namespace="finetuned")
        layers.eval()
        self.base_ = base
        self.states_: LayerStates | None = None if stored else states
        self.index_: dict[str, int] = {} if stored else where
        self.layers_ = layers
        self.loss_history_ = np.asarray(losses, dtype=np.float64)
        self.from_cache_ = stored
        self.fit_seconds_ = trained.get("seconds", 0.0)
        return self

    def _states(self, texts: list[str]) -> tuple[LayerStates, npt.NDArray[np.int64]]:
        """States holding ``texts`` and each text's row in them (fit's states when all were seen in fit)."""
        if self.states_ is not None and all(t in self.index_ for t in texts):
            return self.states_, np.array([self.index_[t] for t in texts], dtype=np.int64)
        states = layer_states(self.base_, texts, layer=self.layer_, max_seq_length=self.max_seq_length,
                              cache=bool(self.cache))
        return states, np.arange(len(texts), dtype=np.int64)

    def encode(self, texts: Sequence[str], *, batch_size: int = 16, normalize_embeddings: bool = True,
               convert_to_numpy: bool = True, show_progress_bar: bool = False, base: bool = False,
               **kwargs: Any) -> npt.NDArray[np.float32]:
        """Embed ``texts`` with the frozen lower layers and the tuned top layers (mean pooling, unit rows).

        Accepts sentence-transformers' ``encode`` keywords, so it fits any harness that calls
        ``model.encode(texts)``. ``base=True`` applies the base model's own top layers to the same
        frozen states instead: the "before" of a before/after comparison, at the cost of the top
        layers only. Returns a float32 array of shape (n, d).

        Taught in: chapter 08.
        """
        import torch

        if not hasattr(self, "layers_"):
            raise ValueError("This TopLayerFinetuner is not fitted yet: call fit(X, y) first.")
        texts = check_texts(texts, "texts")
        batch_size = check_int("batch_size", batch_size, 1)
        check_bool("normalize_embeddings", normalize_embeddings)
        layers = _bert(self.base_).encoder.layer[self.layer_:] if check_bool("base", base) else self.layers_
        states, rows = self._states(texts)
        out = np.empty((len(texts), states.flat.shape[1]), dtype=np.float32)
        order = np.argsort(np.diff(states.offsets)[rows], kind="stable")
        with torch.no_grad():
            for start in range(0, len(order), batch_size):
                chunk = order[start:start + batch_size]
                h, mask = states.batch(rows[chunk])
                out[chunk] = _mean_pool_unit(_run_layers(layers, h, mask), mask).numpy()
        _release_memory()
        return out  # unit rows whatever normalize_embeddings says: mean pooling then Normalize, as MiniLM

    def to_sentence_transformer(self) -> SentenceTransformer:
        """A copy of the base model with the tuned layers in place (for saving or any ST tool).

        Taught in: chapter 08.
        """
        if not hasattr(self, "layers_"):
            raise ValueError("This TopLayerFinetuner is not fitted yet: call fit(X, y) first.")
        tuned = copy.deepcopy(self.base_)
        encoder = _bert(tuned).encoder
        for i, layer in enumerate(self.layers_):
            encoder.layer[self.layer_ + i] = copy.deepcopy(layer)
        return tuned


def finetuned_news_minilm(*, n_train: int | None = None, random_state: int = 0,
                          progress: bool | int = True, model: Any = None) -> TopLayerFinetuner:
    """Chapter 08's model: MiniLM with its last layer tuned on the training headline-lead pairs.

    Settings: last layer only, scale 20, batch 32, one epoch, AdamW lr 1e-4, max_seq_length 128,
    on the pairs of :func:`news_finetuning_split` (disjoint from chapter 03's 1,000 test articles).
    Cached on disk: after the first call (or after chapter 08 ran) it loads in seconds.

    Parameters
    ----------
    n_train : int or None
        Train on the first ``n_train`` pairs only (``None``: all 2,519); at least 2.
    random_state : int
        Seed of the batch order and dropout.
    progress : bool or int
        Progress lines of the fit loop.
    model : SentenceTransformer or None
        The base MiniLM if the caller has it loaded already (saves loading a second copy);
        ``None`` loads it. It is never modified.

    Taught in: chapter 08 (compared with other models in chapter 09).
    """
    check_int("random_state", random_state, 0)
    if not isinstance(progress, (bool, int, np.integer)):
        raise TypeError(f"progress must be True, False or an int (a line every N steps); got {progress!r}.")
    train, _ = news_finetuning_split()
    n = len(train) if n_train is None else check_int("n_train", n_train, 2, len(train))
    return TopLayerFinetuner(model, random_state=random_state, progress=progress, batch_size=min(32, n)).fit(
        list(train.title[:n]), list(train.lead[:n]))
