"""The active coding loop: which excerpts to code next, and the coded examples behind a suggestion.

An evaluator codes in rounds: code a batch, fit :class:`~finsam_eval.coding.CodeSuggester`,
code the next batch. Which excerpts go into the next batch decides how fast
the suggester becomes useful. :func:`next_to_code` (also
:meth:`CodeSuggester.next_to_code`) picks them by two criteria:

* **uncertainty**: the expected number of wrong code decisions in the
  excerpt, ``sum_k min(p_k, 1 - p_k)`` measured from the code's threshold
  (a code decided "yes" is wrong with probability ``1 - p``, "no" with
  ``p``), scaled to 0-1 over the pool;
* **novelty** (diversity): one minus the highest cosine similarity of the
  excerpt's words to what is already coded or already picked for this batch.

The batch is built greedily (maximal marginal relevance): each next pick
maximises ``(1 - diversity) * uncertainty + diversity * novelty``, and
novelty is updated after every pick, so a batch does not fill up with ten
near-identical answers to the same question. Before anything is coded (an
unfitted suggester) typicality (mean similarity to the pool) takes the
place of uncertainty, so the first batch spreads over the pool's topics
without starting with its oddest one-liners.

:func:`nearest_coded` finds, for an excerpt and a code, the coded examples
with that code that are most like it: the evaluator sees *why* the code is
suggested ("like these three you coded samsyn").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import SchemaError

if TYPE_CHECKING:
    from .suggest import CodeSuggester

__all__ = ["next_to_code", "nearest_coded", "expected_errors"]


def _short(text: str, width: int = 70) -> str:
    """The text on one line, cut at a word boundary to at most ``width`` characters (with an ellipsis)."""
    t = " ".join(str(text).split())
    if len(t) <= width:
        return t
    cut = t[: width - 1].rsplit(" ", 1)[0] or t[: width - 1]
    return cut + "…"


def expected_errors(P: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Expected number of wrong code decisions per excerpt.

    A code decided "yes" (probability at or above its threshold) is wrong
    with probability ``1 - p``, one decided "no" with probability ``p``.

    Examples
    --------
    >>> expected_errors(np.array([[0.5, 0.9], [0.1, 0.0]]), np.array([0.5, 0.5])).round(2).tolist()
    [0.6, 0.1]
    """
    P = np.asarray(P, dtype=float)
    yes = P >= np.asarray(thresholds, dtype=float)[None, :]
    return np.where(yes, 1 - P, P).sum(axis=1)


def _mmr(features: sparse.csr_matrix, uncertainty: np.ndarray, coded: sparse.csr_matrix | None, n: int,
         diversity: float, rng: np.random.Generator) -> tuple[list[int], np.ndarray]:
    """Greedy maximal-marginal-relevance batch; returns the picks in order and each pick's novelty."""
    m = features.shape[0]
    best_sim = np.zeros(m)
    if coded is not None and coded.shape[0]:
        best_sim = np.asarray((features @ coded.T).max(axis=1).todense()).ravel()
    jitter = rng.random(m) * 1e-9  # seeded tie-break
    picked: list[int] = []
    novelty_at_pick = np.zeros(min(n, m))
    available = np.ones(m, bool)
    for k in range(min(n, m)):
        novelty = 1.0 - np.clip(best_sim, 0.0, 1.0)
        score = (1 - diversity) * uncertainty + diversity * novelty + jitter
        score[~available] = -np.inf
        i = int(np.argmax(score))
        picked.append(i)
        novelty_at_pick[k] = novelty[i]
        available[i] = False
        sim = np.asarray((features @ features.getrow(i).T).todense()).ravel()
        best_sim = np.maximum(best_sim, sim)
    return picked, novelty_at_pick


def next_to_code(
    suggester: CodeSuggester,
    pool: Any,
    n: int = 20,
    *,
    diversity: float = 0.5,
    ids: Any = None,
    random_state: int | None = None,
) -> pd.DataFrame:
    """Pick the ``n`` excerpts of ``pool`` that an evaluator should code next.

    Parameters
    ----------
    suggester
        A :class:`~finsam_eval.coding.CodeSuggester`, fitted on what is coded
        so far, or unfitted when nothing is coded yet (then typical
        excerpts spread over the pool's topics).
    pool
        Uncoded excerpts: texts or a DataFrame with the suggester's
        ``text_col`` (and ``excerpt_id``, ``fraga`` when available).
        Excerpts whose id (``ids`` or ``excerpt_id``) the suggester was
        fitted on are skipped.
    n
        Batch size.
    diversity
        Weight of novelty against uncertainty, 0-1 (0 = the most uncertain
        excerpts, 1 = the most unlike what is coded).
    ids
        Excerpt ids of ``pool`` (default: its ``excerpt_id`` column or the position).
    random_state
        Seed of the tie-break and of the first pick of a cold start
        (default: the suggester's ``random_state``).

    Returns
    -------
    pandas.DataFrame
        One row per picked excerpt in the order to code them, indexed like
        ``pool`` (``pool.loc[batch.index]`` gives the rows): ``ordning``,
        ``excerpt_id``, ``osakerhet`` (expected wrong code decisions, 0-1
        over the pool), ``nyhet`` (1 - cosine similarity to the nearest coded
        or already picked excerpt), ``osakra_koder`` (codes whose probability
        is closest to their threshold) and ``text`` (shortened).

    Examples
    --------
    >>> from finsam_eval.samples import load_sample
    >>> from finsam_eval.coding import CodeSuggester
    >>> ex = load_sample("excerpts")
    >>> first = next_to_code(CodeSuggester(random_state=0), ex, n=20)  # nothing coded yet
    >>> coded = ex.loc[first.index]
    >>> sug = CodeSuggester(random_state=0).fit(coded, coded["codes_a"])
    >>> batch = next_to_code(sug, ex, n=20)
    >>> len(batch), bool(set(batch.index) & set(first.index))
    (20, False)
    """
    from .suggest import _as_questions, _as_texts, _stem_analyzer, _unit_rows

    if not 0 <= float(diversity) <= 1:
        raise SchemaError(f"diversity ska vara ett tal mellan 0 och 1, fick {diversity!r}.")
    if int(n) < 1:
        raise SchemaError(f"n ska vara minst 1, fick {n!r}.")
    texts = _as_texts(pool, suggester.text_col)
    # ids known to the caller (given, or an excerpt_id column) can be matched against what is coded
    known_ids = ids is not None or (isinstance(pool, pd.DataFrame) and "excerpt_id" in pool)
    if ids is None:
        ids = pool["excerpt_id"].tolist() if isinstance(pool, pd.DataFrame) and "excerpt_id" in pool else range(len(texts))
    ids = list(ids)
    if len(ids) != len(texts):
        raise SchemaError(f"ids har {len(ids)} värden men poolen {len(texts)} utdrag.")
    index = pool.index if isinstance(pool, (pd.DataFrame, pd.Series)) else pd.RangeIndex(len(texts))
    seed = suggester.random_state if random_state is None else random_state
    rng = np.random.default_rng(seed)
    fitted = hasattr(suggester, "state_")
    keep = np.ones(len(texts), bool)
    if fitted:
        done = set(suggester.train_ids_.tolist()) if known_ids else set()
        keep = np.array([i not in done for i in ids], bool)
    rows = np.flatnonzero(keep)
    if len(rows) == 0:
        return pd.DataFrame(columns=["ordning", "excerpt_id", "osakerhet", "nyhet", "osakra_koder", "text"])
    sub_texts = [texts[i] for i in rows]
    questions = _as_questions(pool, suggester.question_col)
    sub_q = [questions[i] for i in rows] if questions is not None else None
    if fitted:
        feats = _unit_rows(suggester._text_design(suggester.state_, sub_texts, sub_q))
        P = suggester.predict_proba(pool.iloc[rows] if isinstance(pool, pd.DataFrame) else sub_texts)
        thr = suggester.thresholds_.to_numpy()
        err = expected_errors(P, thr)
        unc = err / err.max() if err.max() > 0 else np.zeros_like(err)
        closeness = -np.abs(P - thr[None, :])
        coded = suggester.train_X_
        div = float(diversity)
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(analyzer=_stem_analyzer, sublinear_tf=True)
        try:
            feats = _unit_rows(vec.fit_transform(sub_texts))
        except ValueError:  # no words at all
            feats = sparse.csr_matrix((len(sub_texts), 1))
        # cold start: nothing to be uncertain about; typical excerpts (mean similarity to the pool,
        # so that odd one-liners do not come first) balanced against novelty
        dens = np.asarray((feats @ feats.T).mean(axis=1)).ravel()
        unc = dens / dens.max() if dens.max() > 0 else np.zeros(len(sub_texts))
        closeness = None
        coded = None
        div = 0.5
    picked, novelty = _mmr(feats, unc, coded, int(n), div, rng)
    out = []
    for k, i in enumerate(picked):
        unsure: list[str] = []
        if closeness is not None:
            order = np.argsort(closeness[i], kind="stable")[::-1][:2]
            unsure = [str(suggester.classes_[j]) for j in order]
        out.append({"ordning": k + 1, "excerpt_id": ids[rows[i]], "osakerhet": float(unc[i]),
                    "nyhet": float(novelty[k]), "osakra_koder": unsure, "text": _short(sub_texts[i])})
    return pd.DataFrame(out, index=index[rows[picked]])


def nearest_coded(suggester: CodeSuggester, features: sparse.csr_matrix, code_index: int,
                  k: int = 2) -> list[list[tuple[Any, str, float]]]:
    """Per row of ``features`` (unit rows), the ``k`` coded examples with the code most like it.

    Returns, per row, ``(excerpt_id, short text, cosine similarity)`` of the
    nearest training excerpts that carry code number ``code_index``.
    """
    has = np.flatnonzero(suggester.train_Y_[:, code_index] == 1)
    if len(has) == 0 or k < 1:
        return [[] for _ in range(features.shape[0])]
    sims = np.asarray((features @ suggester.train_X_[has].T).todense())
    out = []
    for row in sims:
        order = np.argsort(-row, kind="stable")[:k]
        out.append([(suggester.train_ids_[has[o]], _short(suggester.train_texts_[has[o]], 60), float(row[o]))
                    for o in order if row[o] > 0])
    return out
