"""A BERT encoder (MiniLM) written from its weight tensors in plain torch.

The transformer inside ``all-MiniLM-L6-v2`` is a 6-layer BERT encoder with d = 384, H = 12
heads of d_h = 32 dimensions and a 1,536-wide feed-forward block. This module computes it from
the model's own weight tensors with nothing but matrix products, so every step can be read:

- :func:`transformer_weights`: the weight tensors by name (``"embeddings.word_embeddings.weight"``,
  ``"encoder.layer.0.attention.self.query.weight"``, ...), detached, float32;
- :func:`embed_tokens`: word + learned absolute position + token-type embeddings, then LayerNorm
  (this is ``h^(0)``);
- :func:`self_attention`: multi-head scaled dot-product attention with the padding mask; returns
  the attention weights too;
- :func:`encoder_layer`: attention, residual, LayerNorm, feed-forward (GELU), residual, LayerNorm;
- :func:`transformer_forward`: every hidden state ``h^(0) ... h^(L)`` and every layer's attention;
- :func:`encode_from_scratch`: mean pooling over real tokens and unit length: the sentence vector
  of ``SentenceTransformer.encode``.

Oracles (``tests/test_encoder_layer.py``): the hidden states of the Hugging Face ``BertModel``
(``output_hidden_states=True``, max abs difference below 1e-4 in float32), its attention weights
(eager attention), and ``SentenceTransformer.encode``. Dropout is not applied (inference).

Taught in: chapter 03.
"""

from __future__ import annotations

import math
from typing import Any
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from embedcourse._validation import check_int, check_texts

__all__ = [
    "transformer_weights",
    "embed_tokens",
    "self_attention",
    "encoder_layer",
    "transformer_forward",
    "encode_from_scratch",
]


def _bert(model: Any) -> Any:
    """The Hugging Face BERT inside a sentence-transformers model (or the BERT itself)."""
    inner = model
    try:
        inner = model[0].auto_model
    except (TypeError, AttributeError, IndexError, KeyError):
        pass
    if not (hasattr(inner, "state_dict") and hasattr(getattr(inner, "config", None), "num_attention_heads")):
        raise TypeError(
            f"model must be a sentence-transformers model with a BERT inside (ec.data.load_minilm()) "
            f"or a transformers BertModel; got {type(model).__name__}."
        )
    return inner


def transformer_weights(model: Any) -> dict[str, Any]:
    """The weight tensors of the BERT encoder inside ``model``, by name (detached, float32).

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer or transformers.BertModel

    Returns
    -------
    dict str -> torch.Tensor
        The ``state_dict`` of the BERT model (keys such as
        ``"encoder.layer.0.attention.self.query.weight"``, shape (d, d)), plus ``"config"``
        entries ``"n_heads"``, ``"n_layers"`` and ``"eps"`` as Python numbers. The tensors share
        memory with the model (no copy): replace an entry (``W[name] = new``) to experiment,
        never modify one in place.

    Taught in: chapter 03.
    """
    bert = _bert(model)
    W: dict[str, Any] = {k.removeprefix("bert."): v.detach().float() for k, v in bert.state_dict().items()}
    W["n_heads"] = int(bert.config.num_attention_heads)
    W["n_layers"] = int(bert.config.num_hidden_layers)
    W["eps"] = float(bert.config.layer_norm_eps)
    return W


def _check_weights(W: Any) -> Mapping[str, Any]:
    if not isinstance(W, Mapping) or "embeddings.word_embeddings.weight" not in W or "n_heads" not in W:
        raise TypeError("W must be the dict returned by transformer_weights(model).")
    return W


def _ids(x: Any, name: str, high: int | None = None) -> Any:
    import torch

    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(np.asarray(x))
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{name} must be a (batch, seq_len) array of integer ids; got {type(x).__name__}.") from None
    if x.dtype.is_floating_point or x.dtype.is_complex or x.dtype == torch.bool:
        raise TypeError(f"{name} must hold integers; got dtype {x.dtype}.")
    if x.ndim == 1:
        x = x[None]
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must have shape (batch, seq_len) with at least one token; got {tuple(x.shape)}.")
    if x.min() < 0 or (high is not None and x.max() >= high):
        raise ValueError(f"{name} holds ids outside [0, {high}); got min {int(x.min())}, max {int(x.max())}.")
    return x.long()


def _layer_norm(x: Any, g: Any, b: Any, eps: float) -> Any:
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / (var + eps).sqrt() * g + b


def _linear(W: Mapping[str, Any], x: Any, name: str) -> Any:
    return x @ W[f"{name}.weight"].T + W[f"{name}.bias"]


def embed_tokens(W: Mapping[str, Any], input_ids: Any, token_type_ids: Any = None) -> Any:
    """``h^(0)``: word + position + token-type embeddings, then LayerNorm.

    Parameters
    ----------
    W : dict
        From :func:`transformer_weights`.
    input_ids : array-like of int, shape (batch, seq_len) or (seq_len,)
    token_type_ids : array-like of int, same shape, optional
        Segment ids (0 for a single sentence, the default).

    Returns
    -------
    torch.Tensor, shape (batch, seq_len, d)

    Taught in: chapter 03.
    """
    import torch

    W = _check_weights(W)
    E = W["embeddings.word_embeddings.weight"]
    P = W["embeddings.position_embeddings.weight"]
    ids = _ids(input_ids, "input_ids", E.shape[0])
    if ids.shape[1] > P.shape[0]:
        raise ValueError(f"input_ids has {ids.shape[1]} tokens; the model has positions for at most {P.shape[0]}.")
    types = torch.zeros_like(ids) if token_type_ids is None else _ids(token_type_ids, "token_type_ids",
                                                                      W["embeddings.token_type_embeddings.weight"].shape[0])
    if types.shape != ids.shape:
        raise ValueError(f"token_type_ids has shape {tuple(types.shape)}; input_ids has {tuple(ids.shape)}.")
    x = E[ids] + P[torch.arange(ids.shape[1])] + W["embeddings.token_type_embeddings.weight"][types]
    return _layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], W["eps"])


def _mask(attention_mask: Any, shape: tuple[int, int]) -> Any:
    import torch

    if attention_mask is None:
        return torch.ones(shape, dtype=torch.long)
    m = _ids(attention_mask, "attention_mask", 2)
    if tuple(m.shape) != shape:
        raise ValueError(f"attention_mask has shape {tuple(m.shape)}; expected {shape} (batch, seq_len).")
    if (m.sum(1) == 0).any():
        raise ValueError("attention_mask has a row with no real token (all zeros); every text needs at least one.")
    return m


def _hidden(h: Any) -> Any:
    import torch

    if not isinstance(h, torch.Tensor) or not h.dtype.is_floating_point or h.ndim != 3:
        raise TypeError("h must be a float torch tensor of shape (batch, seq_len, d), e.g. from embed_tokens.")
    if not torch.isfinite(h).all():
        raise ValueError("h contains NaN or infinity.")
    return h


def self_attention(W: Mapping[str, Any], layer: int, h: Any, attention_mask: Any = None) -> tuple[Any, Any]:
    """Multi-head self-attention of one layer, with its output projection (no residual).

    softmax(Q K^T / sqrt(d_h)) V per head, padding keys masked out, heads concatenated and
    projected back to d dimensions.

    Parameters
    ----------
    W : dict
        From :func:`transformer_weights`.
    layer : int
        0 .. n_layers - 1.
    h : torch.Tensor, shape (batch, seq_len, d)
        The layer's input, ``h^(layer)``.
    attention_mask : array-like of 0/1, shape (batch, seq_len), optional
        1 for real tokens, 0 for padding (default: all real).

    Returns
    -------
    out : torch.Tensor, shape (batch, seq_len, d)
    weights : torch.Tensor, shape (batch, H, seq_len, seq_len)
        Attention weights; each row sums to 1 over the real tokens.

    Taught in: chapter 03.
    """
    W = _check_weights(W)
    layer = check_int("layer", layer, 0, W["n_layers"] - 1)
    h = _hidden(h)
    B, T, d = h.shape
    mask = _mask(attention_mask, (B, T))
    H = W["n_heads"]
    dh = d // H
    p = f"encoder.layer.{layer}.attention."

    def heads(x: Any) -> Any:          # (B, T, d) -> (B, H, T, d_h)
        return x.view(B, T, H, dh).transpose(1, 2)

    Q, K, V = (heads(_linear(W, h, p + f"self.{n}")) for n in ("query", "key", "value"))
    scores = Q @ K.transpose(-1, -2) / math.sqrt(dh)
    scores = scores.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
    weights = scores.softmax(dim=-1)
    context = (weights @ V).transpose(1, 2).reshape(B, T, d)
    return _linear(W, context, p + "output.dense"), weights


def encoder_layer(W: Mapping[str, Any], layer: int, h: Any, attention_mask: Any = None) -> tuple[Any, Any]:
    """One encoder layer: ``h^(layer)`` -> ``h^(layer+1)`` (post-LayerNorm, as in BERT).

    ``a = LayerNorm(h + Attention(h))``, then ``LayerNorm(a + W_2 GELU(W_1 a + b_1) + b_2)``.

    Parameters
    ----------
    W : dict
        From :func:`transformer_weights`.
    layer : int
    h : torch.Tensor, shape (batch, seq_len, d)
    attention_mask : array-like of 0/1, shape (batch, seq_len), optional

    Returns
    -------
    h_next : torch.Tensor, shape (batch, seq_len, d)
    weights : torch.Tensor, shape (batch, H, seq_len, seq_len)

    Taught in: chapter 03.
    """
    import torch

    attn, weights = self_attention(W, layer, h, attention_mask)
    p = f"encoder.layer.{layer}."
    a = _layer_norm(h + attn, W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"], W["eps"])
    z = _linear(W, a, p + "intermediate.dense")
    ff = _linear(W, 0.5 * z * (1 + torch.erf(z / math.sqrt(2))), p + "output.dense")   # exact GELU
    return _layer_norm(a + ff, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], W["eps"]), weights


def transformer_forward(W: Mapping[str, Any], input_ids: Any, attention_mask: Any = None,
                        token_type_ids: Any = None) -> tuple[list[Any], list[Any]]:
    """Run the whole encoder from scratch.

    Parameters
    ----------
    W : dict
        From :func:`transformer_weights`.
    input_ids, attention_mask, token_type_ids : array-like of int, shape (batch, seq_len)
        As a tokenizer returns them.

    Returns
    -------
    hidden_states : list of torch.Tensor, length n_layers + 1, each (batch, seq_len, d)
        ``h^(0)`` (embeddings) to ``h^(L)``; the model's ``output_hidden_states=True``.
    attentions : list of torch.Tensor, length n_layers, each (batch, H, seq_len, seq_len)

    Taught in: chapter 03.
    """
    import torch

    W = _check_weights(W)
    with torch.no_grad():
        h = embed_tokens(W, input_ids, token_type_ids)
        mask = _mask(attention_mask, tuple(h.shape[:2]))
        hidden, attentions = [h], []
        for layer in range(W["n_layers"]):
            h, a = encoder_layer(W, layer, h, mask)
            hidden.append(h)
            attentions.append(a)
    return hidden, attentions


def encode_from_scratch(model: Any, texts: Sequence[str], *, batch_size: int = 32,
                        W: Mapping[str, Any] | None = None) -> npt.NDArray[np.float32]:
    """Sentence vectors computed from scratch: tokenizer, :func:`transformer_forward`, mean pool, unit length.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
        A mean-pooling BERT model such as ``ec.data.load_minilm()`` (its tokenizer and weights
        are used; texts are truncated at ``model.max_seq_length`` tokens).
    texts : list of str, length n
    batch_size : int
    W : dict, optional
        Weights from :func:`transformer_weights` (read from ``model`` when not given).

    Returns
    -------
    numpy.ndarray, shape (n, d), float32
        Equal to ``model.encode(texts, normalize_embeddings=True)`` to about 1e-6.

    Taught in: chapter 03.
    """
    texts = check_texts(texts, "texts")
    batch_size = check_int("batch_size", batch_size, 1)
    W = transformer_weights(model) if W is None else _check_weights(W)
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is None:
        raise TypeError(f"model must be a sentence-transformers model with a tokenizer; got {type(model).__name__}.")
    max_length = int(getattr(model, "max_seq_length", None) or 512)
    out = []
    for start in range(0, len(texts), batch_size):
        enc = tokenizer(texts[start:start + batch_size], padding=True, truncation=True, max_length=max_length,
                        return_tensors="pt")
        hidden, _ = transformer_forward(W, enc["input_ids"], enc["attention_mask"], enc.get("token_type_ids"))
        m = enc["attention_mask"][..., None].float()
        pooled = (hidden[-1] * m).sum(1) / m.sum(1)
        out.append((pooled / pooled.norm(dim=1, keepdim=True).clamp_min(1e-12)).numpy())
    return np.concatenate(out).astype(np.float32)
