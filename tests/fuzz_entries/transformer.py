"""Fuzz entries for the transformer section of chapter 03: WordPiece, the encoder from scratch, losses."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

import embedcourse as ec
from test_fuzz import Mut, _close, entry, matrix, minilm, posint, text, texts

S = ec.sentence
VOCAB = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "!", "a", "##a"])}


def _vocab_muts() -> list[Mut]:
    return [Mut("none", lambda v, d: None), Mut("empty", lambda v, d: {}), Mut("string", lambda v, d: "vocab.txt"),
            Mut("list_of_int", lambda v, d: [1, 2, 3])]


def _basic_ref(a: dict, r: Any) -> None:
    from tokenizers import normalizers, pre_tokenizers

    text = normalizers.BertNormalizer(lowercase=a["lowercase"]).normalize_str(a["text"])
    assert r == [w for w, _ in pre_tokenizers.BertPreTokenizer().pre_tokenize_str(text)], r


entry("sentence.basic_tokenize", lambda text, lowercase: S.basic_tokenize(text, lowercase=lowercase),
      {"text": "Don't stop, Café!", "lowercase": True},
      muts={"text": text(), "lowercase": [Mut("string", lambda v, d: "yes"), Mut("int", lambda v, d: 2)]},
      oracle=lambda a, r: _basic_ref(a, r))
entry("sentence.wordpiece_split", lambda word, vocab, max_chars_per_word: S.wordpiece_split(
          word, vocab, max_chars_per_word=max_chars_per_word),
      {"word": "unaffable", "vocab": VOCAB, "max_chars_per_word": 100},
      muts={"word": text(empty="raise") + [Mut("spaces", lambda v, d: "un aff")], "vocab": _vocab_muts(),
            "max_chars_per_word": posint()},
      oracle=lambda a, r: _close(len(r), 3 if a["max_chars_per_word"] >= 9 else 1))
entry("sentence.WordPieceTokenizer", lambda vocab, lowercase: S.WordPieceTokenizer(vocab, lowercase=lowercase).tokenize("Unaffable!"),
      {"vocab": list(VOCAB), "lowercase": True},
      muts={"vocab": _vocab_muts() + [Mut("no_specials", lambda v, d: ["a", "b"])],
            "lowercase": [Mut("string", lambda v, d: "yes")]},
      covers=("sentence.WordPieceTokenizer.tokenize",))
entry("sentence.WordPieceTokenizer.encode", lambda text, add_special_tokens: S.WordPieceTokenizer(VOCAB).encode(
          text, add_special_tokens=add_special_tokens),
      {"text": "Unaffable!", "add_special_tokens": True},
      muts={"text": text(), "add_special_tokens": [Mut("int", lambda v, d: 1), Mut("none", lambda v, d: None)]},
      oracle=lambda a, r: _close(r, [2, 4, 5, 6, 7, 3][int(not a["add_special_tokens"]):len(r) + 1]) if a["text"] == "Unaffable!" else None)
entry("sentence.WordPieceTokenizer.from_vocab_file", lambda path: S.WordPieceTokenizer.from_vocab_file(path).encode("a"),
      lambda: {"path": str(ec.data.locate("minilm", "vocab.txt"))},
      muts={"path": [Mut("missing", lambda v, d: v + ".missing"), Mut("none", lambda v, d: None), Mut("int", lambda v, d: 3)]},
      slow=True, examples=1)


@functools.cache
def _weights() -> Any:
    return S.transformer_weights(minilm())


def _ids() -> np.ndarray:
    return np.array([[101, 7592, 2088, 102], [101, 7592, 102, 0]])


def _mask() -> np.ndarray:
    return np.array([[1, 1, 1, 1], [1, 1, 1, 0]])


def _ids_muts() -> list[Mut]:
    return [Mut("float", lambda v, d: np.asarray(v, np.float64) + 0.5), Mut("negative", lambda v, d: -np.asarray(v)),
            Mut("too_big", lambda v, d: np.asarray(v) + 40_000), Mut("empty", lambda v, d: np.zeros((1, 0), int)),
            Mut("ndim3", lambda v, d: np.asarray(v)[None]), Mut("string", lambda v, d: "101 102"),
            Mut("none", lambda v, d: None)]


def _mask_muts() -> list[Mut]:
    return [Mut("wrong_shape", lambda v, d: np.asarray(v)[:, :2]), Mut("all_zero", lambda v, d: np.zeros_like(v)),
            Mut("values", lambda v, d: np.asarray(v) * 2), Mut("float", lambda v, d: np.asarray(v) * 0.5)]


def _h_muts() -> list[Mut]:
    return [Mut("numpy", lambda v, d: v.numpy()), Mut("nan", lambda v, d: v * float("nan")),
            Mut("ndim2", lambda v, d: v[0]), Mut("none", lambda v, d: None)]


def _layer_muts() -> list[Mut]:
    return posint(zero="either", big=5)


_W_MUT = [Mut("dict", lambda v, d: {"a": 1}), Mut("none", lambda v, d: None)]

entry("sentence.transformer_weights", lambda model: len(S.transformer_weights(model)), lambda: {"model": minilm()},
      muts={"model": [Mut("string", lambda v, d: "minilm"), Mut("none", lambda v, d: None)]}, slow=True, examples=1)
entry("sentence.embed_tokens", lambda W, input_ids: S.embed_tokens(W, input_ids).numpy(),
      lambda: {"W": _weights(), "input_ids": _ids()},
      muts={"W": _W_MUT, "input_ids": _ids_muts()}, slow=True, examples=1)


def _h() -> Any:
    return S.embed_tokens(_weights(), _ids())


entry("sentence.self_attention", lambda layer, h, attention_mask: S.self_attention(_weights(), layer, h, attention_mask)[1].numpy(),
      lambda: {"layer": 0, "h": _h(), "attention_mask": _mask()},
      muts={"layer": _layer_muts(), "h": _h_muts(), "attention_mask": _mask_muts()},
      oracle=lambda a, r: _close(r.sum(-1), np.ones(r.shape[:-1]), rtol=1e-5), slow=True, examples=1)
entry("sentence.encoder_layer", lambda layer, h, attention_mask: S.encoder_layer(_weights(), layer, h, attention_mask)[0].numpy(),
      lambda: {"layer": 0, "h": _h(), "attention_mask": _mask()},
      muts={"layer": _layer_muts(), "h": _h_muts(), "attention_mask": _mask_muts()}, slow=True, examples=1)
entry("sentence.transformer_forward", lambda input_ids, attention_mask: S.transformer_forward(
          _weights(), input_ids, attention_mask)[0][-1].numpy(),
      lambda: {"input_ids": _ids(), "attention_mask": _mask()},
      muts={"input_ids": _ids_muts(), "attention_mask": _mask_muts()}, slow=True, examples=1)
entry("sentence.encode_from_scratch", lambda texts, batch_size: S.encode_from_scratch(minilm(), texts, batch_size=batch_size, W=_weights()),
      {"texts": ["A short one.", "The bank of the river."], "batch_size": 1},
      muts={"texts": texts(empty_doc="either"), "batch_size": posint()},
      oracle=lambda a, r: _close(r, minilm().encode(a["texts"], normalize_embeddings=True), rtol=1e-4, atol=1e-5),
      slow=True, examples=1)


# ---- losses ---------------------------------------------------------------------------------
def _pair() -> dict:
    r = np.random.default_rng(0)
    return {"anchors": r.normal(size=(4, 6)), "positives": r.normal(size=(4, 6)), "negatives": r.normal(size=(4, 2, 6)),
            "scale": 20.0}


def _mnrl_ref(a: dict, r: Any) -> None:
    import torch

    F = torch.nn.functional
    A = F.normalize(torch.as_tensor(np.asarray(a["anchors"], np.float64)), dim=1)
    P = torch.as_tensor(np.asarray(a["positives"], np.float64))
    N = torch.as_tensor(np.asarray(a["negatives"], np.float64)).reshape(-1, P.shape[1])
    docs = F.normalize(torch.cat([P, N]), dim=1)
    _close(float(r), float(F.cross_entropy(a["scale"] * A @ docs.T, torch.arange(A.shape[0]))), rtol=1e-6)


def _emb_muts() -> list[Mut]:
    return [m for m in matrix(ncols=True) if m.label not in ("zero_row",)] + [Mut("none", lambda v, d: None)]


for _name, _call in (("losses.multiple_negatives_ranking_loss", lambda **a: ec.losses.multiple_negatives_ranking_loss(
                          a["anchors"], a["positives"], a["negatives"], scale=a["scale"])),
                     ("losses.MultipleNegativesRankingLoss", lambda **a: ec.losses.MultipleNegativesRankingLoss(
                          scale=a["scale"])(a["anchors"], a["positives"], a["negatives"]))):
    entry(_name, _call, _pair,
          muts={"anchors": _emb_muts(), "positives": _emb_muts(),
                "negatives": [Mut("wrong_batch", lambda v, d: v[:2]), Mut("string", lambda v, d: "x"),
                              Mut("nan", lambda v, d: v * np.nan), Mut("none_ok", lambda v, d: None, "either")],
                "scale": [Mut("zero", lambda v, d: 0.0), Mut("negative", lambda v, d: -1.0),
                          Mut("nan", lambda v, d: float("nan")), Mut("string", lambda v, d: "20")]},
          oracle=lambda a, r: _mnrl_ref(a, r) if a["negatives"] is not None and np.ndim(a["anchors"]) == 2 else None,
          covers=("losses.MultipleNegativesRankingLoss.forward",))
