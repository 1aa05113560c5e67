"""Pooling: one vector per text from a transformer's token vectors.

A transformer returns one vector per token, shape (batch, seq_len, d), padded to the longest
text in the batch; the ``attention_mask`` (batch, seq_len) marks real tokens with 1 and padding
with 0. Pooling must ignore the padding, or a short text's vector would depend on which long
text it happened to share a batch with.

- :func:`mean_pool` averages the real tokens. It is what ``sentence_transformers.models.Pooling``
  does with ``pooling_mode="mean"`` for all-MiniLM-L6-v2, so our mean pool of the model's token
  outputs equals ``SentenceTransformer.encode`` (checked in ``tests/test_sentence.py``).
- :func:`max_pool` takes the per-dimension maximum over real tokens.
- :func:`cls_pool` takes the first token's vector (``[CLS]`` in BERT).

Every function accepts numpy arrays (returns float32 numpy) or torch tensors (returns a torch
tensor, gradients flow through), so the same code runs in a notebook and inside a model.

Taught in: chapter 03.
"""

from __future__ import annotations

from typing import Any

from embedcourse._validation import as_array, check_choice

import numpy as np

__all__ = ["mean_pool", "max_pool", "cls_pool", "pool", "POOLING_MODES"]

POOLING_MODES = ("mean", "max", "cls")


def _is_torch(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def _check(token_embs: Any, attention_mask: Any, func: str) -> tuple[Any, Any, bool, bool]:
    """Validate shapes; return (embs 3-d, mask 2-d, single, is_torch)."""
    if token_embs is None:
        raise ValueError(f"{func}: token_embs is None; pass an array of shape (batch, seq_len, d).")
    torch_in = _is_torch(token_embs)
    if torch_in:
        import torch

        E = token_embs
        if not torch.is_floating_point(E):
            raise TypeError(f"{func}: token_embs has dtype {E.dtype}; expected floating point.")
    else:
        E = as_array(token_embs, f"{func}: token_embs")
        if not np.issubdtype(E.dtype, np.number) or E.dtype == bool:
            raise TypeError(f"{func}: token_embs has dtype {E.dtype}; expected numbers.")
        E = E.astype(np.float32, copy=False)
        if E.size and not np.isfinite(E).all():
            raise ValueError(f"{func}: token_embs contains NaN or infinity; clean it first.")
    single = E.ndim == 2
    if single:
        E = E[None]
    if E.ndim != 3:
        raise ValueError(
            f"{func}: token_embs must have shape (batch, seq_len, d) or (seq_len, d); "
            f"got shape {tuple(E.shape)}."
        )
    if E.shape[0] == 0 or E.shape[1] == 0:
        raise ValueError(f"{func}: token_embs is empty (shape {tuple(E.shape)}); pass at least one token.")
    M: Any
    if attention_mask is None:
        M = torch.ones(E.shape[:2], dtype=E.dtype, device=E.device) if torch_in else np.ones(E.shape[:2], np.float32)
    else:
        if torch_in:
            M = attention_mask if _is_torch(attention_mask) else torch.as_tensor(np.asarray(attention_mask))
            M = M.to(device=E.device)
        else:
            if _is_torch(attention_mask):
                attention_mask = attention_mask.detach().cpu().numpy()
            M = np.asarray(attention_mask)
        if single and M.ndim == 1:
            M = M[None]
        if tuple(M.shape) != tuple(E.shape[:2]):
            raise ValueError(
                f"{func}: attention_mask has shape {tuple(M.shape)} but token_embs has "
                f"(batch, seq_len) = {tuple(E.shape[:2])}; they must match (one 0/1 per token)."
            )
        bad = ((M != 0) & (M != 1)).any()
        if bool(bad):
            raise ValueError(f"{func}: attention_mask must hold only 0 (padding) and 1 (token).")
        M = M.to(E.dtype) if torch_in else M.astype(np.float32)
    empty = (M.sum(1) == 0)
    if bool(empty.any()):
        first = int(empty.nonzero()[0][0]) if not torch_in else int(empty.nonzero()[0, 0])
        raise ValueError(
            f"{func}: row {first} of attention_mask is all zeros (a text with no tokens); "
            f"drop empty texts before pooling."
        )
    return E, M, single, torch_in


def mean_pool(token_embs: Any, attention_mask: Any = None) -> Any:
    """Average of the token vectors, padding excluded.

    Parameters
    ----------
    token_embs : array or torch.Tensor, shape (batch, seq_len, d) or (seq_len, d)
    attention_mask : array or torch.Tensor of 0/1, shape (batch, seq_len) or (seq_len,), optional
        1 for a real token, 0 for padding; ``None`` means every position is a real token.

    Returns
    -------
    array or torch.Tensor, shape (batch, d) (or (d,) for a single text)
        ``sum_t mask[t] * emb[t] / sum_t mask[t]``; not normalised (see
        :func:`embedcourse.ops.normalize_rows`).

    Examples
    --------
    >>> import numpy as np
    >>> E = np.array([[[1.0, 0.0], [3.0, 2.0], [100.0, 100.0]]])   # last token is padding
    >>> mean_pool(E, np.array([[1, 1, 0]]))
    array([[2., 1.]], dtype=float32)

    Taught in: chapter 03.
    """
    E, M, single, _ = _check(token_embs, attention_mask, "mean_pool")
    summed = (E * M[..., None]).sum(1)
    counts = M.sum(1)[:, None]
    out = summed / counts
    return out[0] if single else out


def max_pool(token_embs: Any, attention_mask: Any = None) -> Any:
    """Per-dimension maximum over the real tokens (padding can never win).

    Parameters and returns as :func:`mean_pool`.

    Taught in: chapter 03.
    """
    E, M, single, torch_in = _check(token_embs, attention_mask, "max_pool")
    if torch_in:
        import torch

        masked = E.masked_fill(M[..., None] == 0, torch.finfo(E.dtype).min)
        out = masked.max(dim=1).values
    else:
        masked = np.where(M[..., None] == 0, -np.inf, E)
        out = masked.max(axis=1).astype(np.float32)
    return out[0] if single else out


def cls_pool(token_embs: Any, attention_mask: Any = None) -> Any:
    """The first token's vector (``[CLS]`` for BERT-style models).

    ``attention_mask`` is only checked (the first position must be a real token).
    Parameters and returns as :func:`mean_pool`.

    Taught in: chapter 03.
    """
    E, M, single, _ = _check(token_embs, attention_mask, "cls_pool")
    if bool((M[:, 0] == 0).any()):
        raise ValueError(
            "cls_pool: some rows have padding in position 0; cls pooling expects right padding "
            "(the [CLS] token first), as Hugging Face tokenizers produce for BERT."
        )
    out = E[:, 0]
    return out[0] if single else out


def pool(token_embs: Any, attention_mask: Any = None, pooling: str = "mean") -> Any:
    """Dispatch to :func:`mean_pool`, :func:`max_pool` or :func:`cls_pool` by name.

    Parameters
    ----------
    pooling : {"mean", "max", "cls"}

    Taught in: chapter 03.
    """
    funcs = {"mean": mean_pool, "max": max_pool, "cls": cls_pool}
    pooling = check_choice("pooling", pooling, POOLING_MODES)
    return funcs[pooling](token_embs, attention_mask)
