"""Analogies "a is to b as c is to ?": one rule, used by ``WordVectors.analogy``, the plots and the benchmark.

The answer of 3CosAdd (Mikolov et al., 2013) is the word whose unit vector has the highest
cosine with ``unit(b) - unit(a) + unit(c)``, excluding ``a``, ``b`` and ``c``: gensim's
``most_similar(positive=[b, c], negative=[a])``. 3CosMul (Levy and Goldberg, 2014) multiplies
shifted cosines instead: ``most_similar_cosmul(positive=[b, c], negative=[a])``.
:func:`analogy_candidates` is that rule, written once: :meth:`WordVectors.analogy
<embedcourse.vectors.WordVectors.analogy>` and :func:`solve_analogy` (which also gathers the
neighbours the plots of :mod:`embedcourse.viz` draw) both call it, with an
:class:`~embedcourse.vectors.WordVectors` or a gensim ``KeyedVectors`` alike.
``WordVectors.evaluate_word_analogies`` scores the same two formulas for thousands of
questions at once, in blocks of matrix products.

Taught in: chapter 01 (word analogies), chapter 02 (evaluating trained vectors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from embedcourse._validation import check_choice, check_int

if TYPE_CHECKING:  # pragma: no cover
    from embedcourse.vectors.keyed import WordVectors

__all__ = ["AnalogyResult", "solve_analogy"]

#: the analogy objectives: 3CosAdd (``most_similar``) and 3CosMul (``most_similar_cosmul``)
ANALOGY_METHODS = ("3cosadd", "3cosmul")


def analogy_candidates(
    wv: Any, a: str, b: str, c: str, *, topn: int, method: str = "3cosadd", restrict_vocab: int | None = None
) -> list[tuple[str, float]]:
    """The ``topn`` best answers to "``a`` is to ``b`` as ``c`` is to ?" (the one analogy rule).

    ``"3cosadd"``: ``wv.most_similar(positive=[b, c], negative=[a])``; ``"3cosmul"``:
    ``wv.most_similar_cosmul(positive=[b, c], negative=[a])``; ``wv`` is a ``WordVectors`` or a
    gensim ``KeyedVectors``.
    """
    method = check_choice("method", method, ANALOGY_METHODS)
    verb = wv.most_similar if method == "3cosadd" else wv.most_similar_cosmul
    found = verb(positive=[b, c], negative=[a], topn=topn, restrict_vocab=restrict_vocab)
    return [(str(w), float(s)) for w, s in found]


def analogy(
    self: WordVectors,
    a: str,
    b: str,
    c: str,
    topn: int = 1,
    method: str = "3cosadd",
    restrict_vocab: int | None = None,
) -> list[tuple[str, float]]:
    """Answer "``a`` is to ``b`` as ``c`` is to ?", i.e. the words nearest ``b - a + c``.

    ``analogy("man", "king", "woman")`` gives ``[("queen", ...)]`` on GloVe.

    Parameters
    ----------
    a, b, c : str
    topn : int
    method : {"3cosadd", "3cosmul"}
        "3cosadd": ``most_similar(positive=[b, c], negative=[a])``;
        "3cosmul": ``most_similar_cosmul(positive=[b, c], negative=[a])``.
    restrict_vocab : int, optional

    Returns
    -------
    list of (str, float), best first (a list even for ``topn=1``).
    """
    return analogy_candidates(self, a, b, c, topn=topn, method=method, restrict_vocab=restrict_vocab)


def check_analogy_words(wv: Any, words: Sequence[Any], where: str = "") -> None:
    """Raise ``TypeError`` for a non-string or empty word, ``KeyError`` listing every unknown one."""
    bad = [w for w in words if not isinstance(w, str) or not w]
    if bad:
        raise TypeError(f"Analogy words must be non-empty strings{where}; got {bad!r}.")
    missing = [w for w in dict.fromkeys(words) if w not in wv]
    if missing:
        listed = ", ".join(repr(w) for w in missing)
        hint = " (GloVe and the course vectors are lower-case)" if any(w != w.lower() for w in missing) else ""
        raise KeyError(
            f"Not in the vocabulary{where}: {listed}{hint}. Check the spelling or pick other words; "
            f"`word in wv` tells whether a word is known."
        )


@dataclass
class AnalogyResult:
    """The solved analogy "a is to b as c is to ?".

    Attributes
    ----------
    a, b, c : str
        The query words.
    candidates : list of (str, float)
        The ``topn`` best answers with their scores, best first.
    method : str
        ``"3cosadd"`` (scores are cosines with ``b - a + c``) or ``"3cosmul"``.
    context : list of str
        Nearest neighbours of a, b, c and the answer (only when asked for; used by the plots).

    Taught in: chapter 01.
    """

    a: str
    b: str
    c: str
    candidates: list[tuple[str, float]]
    method: str = "3cosadd"
    context: list[str] = field(default_factory=list)

    @property
    def answer(self) -> str:
        """The best candidate, ``candidates[0][0]``."""
        return self.candidates[0][0]


def solve_analogy(
    wv: Any, a: str, b: str, c: str, *, topn: int = 5, method: str = "3cosadd", context: int = 0
) -> AnalogyResult:
    """Solve "``a`` is to ``b`` as ``c`` is to ?" with the word vectors ``wv``.

    Parameters
    ----------
    wv : embedcourse.vectors.WordVectors or gensim.models.KeyedVectors
        Anything with gensim's verbs ``most_similar`` / ``most_similar_cosmul`` and ``word in wv``.
    a, b, c : str
        For "man is to king as woman is to ?" pass ``a="man", b="king", c="woman"``; the answer
        is the word nearest to ``king - man + woman``.
    topn : int
        Number of candidates to keep, at most the vocabulary size minus 3.
    method : {"3cosadd", "3cosmul"}
        ``"3cosadd"``: nearest word to ``b - a + c`` by cosine (``most_similar``);
        ``"3cosmul"``: Levy and Goldberg's multiplicative objective (``most_similar_cosmul``).
    context : int
        Also collect up to this many nearest neighbours of each of a, b, c and the answer.

    Returns
    -------
    AnalogyResult

    Taught in: chapter 01.
    """
    method = check_choice("method", method, ANALOGY_METHODS)
    check_analogy_words(wv, [a, b, c])
    topn = check_int("topn", topn, 1, max(1, len(wv) - 3), hint=" (at most the vocabulary minus a, b, c)")
    context = check_int("context", context, 0, None)
    candidates = analogy_candidates(wv, a, b, c, topn=topn, method=method)
    if not candidates:
        raise ValueError("The vocabulary has no word besides the three inputs; nothing to answer with.")
    ctx: list[str] = []
    if context:
        taken = {a, b, c, *(w for w, _ in candidates)}
        for w in (a, b, c, candidates[0][0]):
            added = 0
            for nb, _ in wv.most_similar(w, topn=context + len(taken) + len(ctx)):
                if nb in taken or nb in ctx:
                    continue
                ctx.append(str(nb))
                added += 1
                if added == context:
                    break
    return AnalogyResult(a, b, c, candidates, method, ctx)
