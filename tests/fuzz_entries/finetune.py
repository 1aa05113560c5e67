"""Fuzz entries of embedcourse.sentence.finetune (chapter 08); see tests/test_fuzz.py.

Every entry loads MiniLM (slow) and works on two or four short documents.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import embedcourse.sentence as S
from test_fuzz import DOCS, Mut, _close, entry, minilm, posint, positive_float, seed, texts


def _tuned(**kw: Any) -> Any:
    return S.TopLayerFinetuner(minilm(), batch_size=2, progress=False, cache=False, **kw).fit(DOCS[:2], DOCS[2:4])


entry("sentence.news_finetuning_split", lambda n_test, random_state: len(S.news_finetuning_split(n_test, random_state)[1]),
      {"n_test": 10, "random_state": 0}, muts={"n_test": posint(big=10**6), "random_state": seed()},
      oracle=lambda a, r: _close(r, a["n_test"]), slow=True, examples=1)
entry("sentence.layer_states",
      lambda texts, layer, max_seq_length: S.layer_states(minilm(), texts, layer=layer, max_seq_length=max_seq_length,
                                                         cache=False).flat.shape[1],
      lambda: {"texts": DOCS[:2], "layer": 5, "max_seq_length": 16},
      muts={"texts": texts(empty_doc="either"), "layer": posint(zero="either", big=6) + [Mut("negative", lambda v, d: -1)],
            "max_seq_length": posint(big=10**6)},
      oracle=lambda a, r: _close(r, 384), slow=True, examples=1)
entry("sentence.LayerStates", lambda idx: S.layer_states(minilm(), DOCS[:2], layer=5, cache=False).batch(idx)[0].shape[0],
      {"idx": np.array([0, 1])},
      muts={"idx": [Mut("out_of_range", lambda v, d: np.array([0, 5])), Mut("empty", lambda v, d: np.zeros(0, int)),
                    Mut("negative", lambda v, d: np.array([-1]))]},
      oracle=lambda a, r: _close(r, len(a["idx"])), slow=True, examples=1, covers=("sentence.LayerStates.batch",))
entry("sentence.TopLayerFinetuner",
      lambda X, y, n_layers, lr, epochs: S.TopLayerFinetuner(minilm(), n_layers=n_layers, lr=lr, epochs=epochs, batch_size=2,
                                                             progress=False, cache=False).fit(X, y).loss_history_.shape[0],
      lambda: {"X": DOCS[:2], "y": DOCS[2:4], "n_layers": 1, "lr": 1e-4, "epochs": 1},
      muts={"X": texts(empty_doc="either"), "y": texts(empty_doc="either") + [Mut("short", lambda v, d: v[:1])],
            "n_layers": posint(big=7), "lr": positive_float(), "epochs": posint()},
      oracle=lambda a, r: _close(r, a["epochs"]), slow=True, examples=1,
      covers=("sentence.TopLayerFinetuner.fit",))
entry("sentence.TopLayerFinetuner.encode", lambda texts, batch_size: _tuned().encode(texts, batch_size=batch_size).shape,
      lambda: {"texts": DOCS[:2], "batch_size": 2},
      muts={"texts": texts(empty_doc="either"), "batch_size": posint()},
      oracle=lambda a, r: _close(list(r), [len(a["texts"]), 384]), slow=True, examples=1)
entry("sentence.TopLayerFinetuner.to_sentence_transformer", lambda: type(_tuned().to_sentence_transformer()).__name__, {},
      slow=True, examples=1)
entry("sentence.finetuned_news_minilm",
      lambda n_train, random_state: S.finetuned_news_minilm(n_train=n_train, random_state=random_state,
                                                            progress=False).loss_history_.shape[0],
      {"n_train": 4, "random_state": 0}, muts={"n_train": posint(big=10**6), "random_state": seed()},
      oracle=lambda a, r: _close(r, 1), slow=True, examples=1)
