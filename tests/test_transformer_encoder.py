"""Tests for embedcourse.sentence.transformer_encoder: MiniLM's BERT encoder written from its weights.

Oracles: the Hugging Face ``BertModel`` inside the sentence-transformers model (hidden states of
every layer with ``output_hidden_states=True``; attention weights from its eager attention) and
``SentenceTransformer.encode``. Tolerance: max abs difference below 1e-4 in float32.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import oracle

from embedcourse.sentence import (
    embed_tokens,
    encode_from_scratch,
    encoder_layer,
    self_attention,
    transformer_forward,
    transformer_weights,
)

TEXTS = ["A short one.", "The overdraft fees at my bank were unbelievable, said a customer in Zürich.", "Hi"]
TOL = 1e-4

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minilm():
    from embedcourse.data import load_minilm

    return load_minilm()


@pytest.fixture(scope="module")
def W(minilm):
    return transformer_weights(minilm)


@pytest.fixture(scope="module")
def batch(minilm):
    return minilm.tokenizer(TEXTS, padding=True, return_tensors="pt")


@pytest.fixture(scope="module")
def reference(minilm, batch):
    torch = oracle("torch")
    with torch.no_grad():
        return minilm[0].auto_model(**batch, output_hidden_states=True)


def test_weights_and_shapes(W, batch):
    assert W["n_heads"] == 12 and W["n_layers"] == 6
    assert tuple(W["embeddings.word_embeddings.weight"].shape) == (30522, 384)
    hidden, attentions = transformer_forward(W, batch["input_ids"], batch["attention_mask"])
    B, T = batch["input_ids"].shape
    assert len(hidden) == 7 and len(attentions) == 6
    assert tuple(hidden[-1].shape) == (B, T, 384) and tuple(attentions[0].shape) == (B, 12, T, T)


def test_attention_rows_sum_to_one_and_ignore_padding(W, batch):
    h = embed_tokens(W, batch["input_ids"])
    _, A = self_attention(W, 0, h, batch["attention_mask"])
    assert np.allclose(A.sum(-1).numpy(), 1.0, atol=1e-5)
    pad = batch["attention_mask"] == 0
    assert bool(pad.any())
    keys_masked = A.masked_select(pad[:, None, None, :].expand_as(A))
    assert float(keys_masked.abs().max()) == 0.0


def test_oracle_hidden_states_every_layer(W, batch, reference):
    hidden, _ = transformer_forward(W, batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])
    for layer, (ours, theirs) in enumerate(zip(hidden, reference.hidden_states, strict=True)):
        gap = float((ours - theirs).abs().max())
        assert gap < TOL, (layer, gap)


def test_oracle_one_layer_from_the_model_input(W, batch, reference):
    h1, _ = encoder_layer(W, 0, reference.hidden_states[0], batch["attention_mask"])
    assert float((h1 - reference.hidden_states[1]).abs().max()) < TOL


def test_oracle_attention_weights_against_eager_attention(minilm, W, batch):
    torch = oracle("torch")
    import copy

    bert = copy.deepcopy(minilm[0].auto_model)
    bert.set_attn_implementation("eager")
    with torch.no_grad():
        ref = bert(**batch, output_attentions=True).attentions
    _, ours = transformer_forward(W, batch["input_ids"], batch["attention_mask"])
    for layer, (a, b) in enumerate(zip(ours, ref, strict=True)):
        assert float((a - b).abs().max()) < TOL, layer


def test_oracle_encode(minilm, W):
    ref = minilm.encode(TEXTS, normalize_embeddings=True)
    ours = encode_from_scratch(minilm, TEXTS, batch_size=2, W=W)
    assert ours.shape == (3, 384) and ours.dtype == np.float32
    assert float(np.abs(ours - ref).max()) < 1e-5


def test_deterministic(minilm, W):
    assert np.array_equal(encode_from_scratch(minilm, TEXTS[:2], W=W), encode_from_scratch(minilm, TEXTS[:2], W=W))


def test_bad_input(minilm, W, batch):
    ids = batch["input_ids"]
    with pytest.raises(TypeError, match="model must be"):
        transformer_weights("minilm")
    with pytest.raises(TypeError, match="W must be"):
        embed_tokens({"a": 1}, ids)
    with pytest.raises(TypeError, match="input_ids must hold integers"):
        embed_tokens(W, ids.float())
    with pytest.raises(ValueError, match="input_ids holds ids outside"):
        embed_tokens(W, ids + 40_000)
    with pytest.raises(ValueError, match="token_type_ids has shape"):
        embed_tokens(W, ids, ids[:, :2] * 0)
    h = embed_tokens(W, ids)
    with pytest.raises(ValueError, match="layer must be an int in"):
        encoder_layer(W, 6, h)
    with pytest.raises(ValueError, match="attention_mask has shape"):
        self_attention(W, 0, h, batch["attention_mask"][:, :2])
    with pytest.raises(ValueError, match="attention_mask has a row with no real token"):
        self_attention(W, 0, h, batch["attention_mask"] * 0)
    with pytest.raises(TypeError, match="h must be"):
        self_attention(W, 0, h.numpy())
    with pytest.raises(TypeError, match="texts must be a list"):
        encode_from_scratch(minilm, "one text")
    with pytest.raises(ValueError, match="batch_size"):
        encode_from_scratch(minilm, TEXTS, batch_size=0)
