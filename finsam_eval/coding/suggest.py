"""Learned code suggestions: a scikit-learn classifier that proposes codes for new excerpts.

An evaluator codes a few dozen excerpts by hand, fits :class:`CodeSuggester`
on them and gets suggested codes, with probabilities, the words behind each
suggestion and the most similar excerpts already coded, for the rest. The
suggester combines three sources:

* **what it learns** (stage 1): one logistic regression per code (class
  weights balanced) on Swedish features that carry over between förbund:
  word keys (the Snowball stem of the ``simplemma`` lemma, so *tog* meets
  *ta* and *förbunden* meets *förbundet*; function words of
  ``codebooks/stoppord_sv.txt`` dropped, negations kept) and bigrams of
  adjacent keys; character n-grams inside content words, which catch the
  parts of compounds (*samverkans*-, -*förankring*), with protected names
  (:data:`~finsam_eval.coding.lexicon.PROTECTED`: *samordningsförbund* ...)
  as one symbol so that their parts do not count; and the interviewer's
  question (``fraga``) as features of its own when present;
* **the codebook**: which codes the codebook's terms match in the excerpt
  (:func:`finsam_eval.coding.matching.code_excerpts`), with negation and
  hedging;
* **the interview guide** (``guide=``): the codes of the guide question an
  answer is linked to (structural codes).

Stage 2 stacks them: per code a small logistic regression on [codebook
score, negation flag, stage-1 logit, the vote of the five nearest coded
texts (cosine-weighted share with the code: a quote repeated under another
förbund, or an answer to the same question in nearly the same words, gets
its neighbours' codes), structural code], fitted on out-of-fold
predictions, lets the coded examples decide how far to trust each
source. The probability is shrunk towards the codebook prior
``P(code | hit)``: ``lam * p_prior + (1 - lam) * p_stacked`` with
``lam = prior_strength / (prior_strength + n_k)``, so a code with few coded
examples (``n_k``) leans on the codebook and one with many on what was
learned; a code with fewer than three examples (or non-examples) skips
stage 2.

Per-code thresholds maximise F1 on the out-of-fold predictions when a code
has at least ``min_tune`` examples, else 0.5. Finally the codebook decides a
code alone (hit = code) where that agrees better with the coded examples
than the learned model, judged on the pooled agreement out of fold and, when
the excerpts carry ``group_col`` (``forbund``), leave-one-förbund-out: what
is learned in some förbund must hold in another better than the codebook
does. ``source_`` says which codes the codebook decides.

:meth:`CodeSuggester.evaluate` (or :func:`evaluate_suggester`) measures the
realistic workflow: train on the other förbund, suggest for one, compare with
the human codes (Cohen's kappa pooled over codes, macro-F1), next to a plain
TF-IDF + logistic regression baseline on exactly the same splits
(``coding/suggest_eval.py``). :meth:`CodeSuggester.next_to_code` picks what
to code next (``coding/active.py``).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cache, lru_cache, partial
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted

from ..errors import EstimationError, MissingColumnError, SchemaError
from .text import STOPWORDS, is_stopword, stem, tokenize

__all__ = ["CodeSuggester", "SuggestionEvaluation", "evaluate_suggester", "baseline_model"]

_KNN = 5  # nearest coded texts whose codes vote
_QUESTION_WEIGHT = 0.8  # weight of the question's features next to the answer's (word features weigh 1, char 0.7)

# Negation words are kept as features although they are function words: "ingen samsyn" is not "samsyn".
_KEEP = frozenset({"inte", "ingen", "inget", "inga", "aldrig", "utan", "saknas", "icke", "ej"})


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    """The matcher's function words and the Snowball list with interview fillers (``stoppord_sv.txt``)."""
    from .kwic import SWEDISH_STOPWORDS

    return frozenset(STOPWORDS | SWEDISH_STOPWORDS) - _KEEP


def _content(text: str) -> list[str]:
    """Tokens without function words and numbers (negations kept)."""
    stop = _stopwords()
    return [t for t in tokenize(text) if t in _KEEP or not (t in stop or t.isdigit())]


@lru_cache(maxsize=200_000)
def _word_key(token: str) -> str:
    """The Snowball stem of the token's lemma: *tog* and *ta*, *förbunden* and *förbundet* meet."""
    from .lexicon import lemma, lemma_enabled

    return stem(lemma(token) if lemma_enabled() else token)


@lru_cache(maxsize=50_000)
def _stem_analyzer(text: str) -> tuple[str, ...]:
    """Word keys (lemma, then stem; function words dropped, negations kept) and bigrams of adjacent ones."""
    keys = [_word_key(t) for t in _content(text)]
    return tuple(keys + [f"{a} {b}" for a, b in zip(keys, keys[1:])])


@lru_cache(maxsize=200_000)
def _masked(token: str) -> str:
    """The token with protected names (``lexicon.PROTECTED``) replaced by one symbol each."""
    from .lexicon import protected_spans

    spans = protected_spans(token)
    for a, b in reversed(spans):
        token = token[:a] + "§" + token[b:]
    return token


@lru_cache(maxsize=50_000)
def _char_analyzer(text: str, lo: int = 3, hi: int = 5) -> tuple[str, ...]:
    """Character n-grams inside content words (compound parts: *samverkans*-, -*förankring*).

    Protected names count as one symbol, so *samordningsförbundet* does not
    yield the n-grams of *samordning*.
    """
    out: list[str] = []
    for t in _content(text):
        if len(t) < lo or t in _KEEP:
            continue
        w = f" {_masked(t)} "
        for n in range(lo, hi + 1):
            out.extend(w[i:i + n] for i in range(len(w) - n + 1))
    return tuple(out)


def _knn_votes(U: sparse.csr_matrix, V: sparse.csr_matrix, Y: np.ndarray, k: int = _KNN,
               self_match: bool = False) -> np.ndarray:
    """Per row of U and code: the similarity-weighted share of its ``k`` nearest coded texts (rows of V) with the code.

    Quotes that recur (the same answer quoted under two förbund) or answer
    the same question in nearly the same words get the codes of their
    neighbours. Unit rows; ``self_match``: U is V, skip each row's own match.
    """
    out = np.zeros((U.shape[0], Y.shape[1]))
    if V.shape[0] == 0 or U.shape[0] == 0:
        return out
    for a in range(0, U.shape[0], 2000):  # blocks of rows keep the dense similarities small
        S = (U[a:a + 2000] @ V.T).toarray()
        if self_match:
            S[np.arange(S.shape[0]), np.arange(a, a + S.shape[0])] = -1.0
        kk = min(k, S.shape[1] - (1 if self_match else 0))
        if kk < 1:
            continue
        idx = np.argpartition(-S, kk - 1, axis=1)[:, :kk]
        w = np.clip(np.take_along_axis(S, idx, axis=1), 0, None)
        tot = w.sum(axis=1, keepdims=True)
        tot[tot == 0] = 1.0
        out[a:a + S.shape[0]] = np.einsum("rk,rkc->rc", w / tot, Y[idx])
    return out


@cache
def _framework_ids(name: str) -> frozenset[str]:
    """Code ids of a built-in framework (read once)."""
    from .codebook import Codebook

    return frozenset(Codebook.framework(name).ids)


def _f1_grid(y: np.ndarray, p: np.ndarray, grid: np.ndarray) -> list[float]:
    """F1 of ``p >= t`` against binary ``y`` for every t in ``grid`` (0 when undefined), vectorised."""
    pred = p[None, :] >= grid[:, None]
    tp = (pred & (y[None, :] == 1)).sum(axis=1)
    denom = pred.sum(axis=1) + y.sum()
    return [float(2 * a / d) if d else 0.0 for a, d in zip(tp, denom)]


def _unit_rows(X: Any) -> sparse.csr_matrix:
    """Rows scaled to unit length (zero rows stay zero), so that X @ Y.T is the cosine similarity."""
    X = sparse.csr_matrix(X, dtype=float)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ X


def _readable(word: str) -> bool:
    """A single word worth showing as a reason: not a function word, not a number, three letters or more."""
    return len(word) >= 3 and not is_stopword(word) and not word.isdigit()


def _as_texts(X: Any, text_col: str) -> list[str]:
    """Texts from a list/array/Series of strings or a DataFrame with ``text_col``."""
    if isinstance(X, pd.DataFrame):
        if text_col not in X.columns:
            raise MissingColumnError(
                f"Kolumnen {text_col!r} med utdragens text saknas; tabellen har {list(X.columns)}. "
                "Ange text_col=..."
            )
        X = X[text_col]
    if isinstance(X, str):
        raise SchemaError("X ska vara en lista med texter (eller en tabell med en textkolumn), inte en enda sträng.")
    if isinstance(X, pd.Series):
        vals = X.tolist()
    else:
        arr = np.asarray(X, dtype=object)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise SchemaError(f"X ska ha en text per rad; fick formen {arr.shape}.")
        vals = arr.tolist()
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in vals]


def _as_questions(X: Any, question_col: str | None) -> list[str] | None:
    """The interview question of each excerpt (``question_col`` of a DataFrame), or None when absent or empty."""
    if not question_col or not isinstance(X, pd.DataFrame) or question_col not in X.columns:
        return None
    q = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in X[question_col].tolist()]
    return q if any(s.strip() for s in q) else None


def _binarize_fit(y: Any, codes: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """(indicator matrix, classes) from a list of code lists or an indicator matrix."""
    if isinstance(y, pd.DataFrame):
        return y.to_numpy().astype(int), np.asarray([str(c) for c in y.columns], dtype=object)
    if isinstance(y, pd.Series):
        y = y.tolist()
    if sparse.issparse(y):
        y = y.toarray()
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.dtype != object:
        classes = np.asarray(list(codes) if codes is not None else range(y.shape[1]), dtype=object)
        if len(classes) != y.shape[1]:
            raise SchemaError(f"codes har {len(classes)} koder men y har {y.shape[1]} kolumner.")
        return (y > 0).astype(int), classes
    lists = []
    for v in y:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            lists.append([])
        elif isinstance(v, str):
            lists.append([p.strip() for p in v.replace(";", ",").split(",") if p.strip()])
        else:
            lists.append([str(c) for c in v])
    mlb = MultiLabelBinarizer(classes=list(codes) if codes is not None else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown codes are reported below
        Y = mlb.fit_transform(lists)
    if codes is not None:
        extra = sorted({c for l_ in lists for c in l_} - set(codes))
        if extra:
            raise SchemaError(f"y innehåller koder som inte finns i codes: {extra}.")
    return Y.astype(int), np.asarray(mlb.classes_, dtype=object)


class CodeSuggester(ClassifierMixin, BaseEstimator):
    """Suggest codes for interview excerpts from a few dozen coded examples.

    Parameters
    ----------
    codebook
        The :class:`~finsam_eval.coding.Codebook` whose matches are used as
        features and prior; ``None`` = the built-in framework whose code ids
        cover most of the codes learned (the 13 themes when none does, e.g.
        ``organiserande_funktioner`` for problemdefiniering, prioritering
        ...), ``False`` = no codebook (learned features only).
    codes
        Code ids to learn, in order (default: the codes in ``y``).
    text_col
        Text column when X is a DataFrame.
    question_col
        Column with the interviewer's question to each answer (``fraga``);
        when X is a DataFrame that has it, the question's words are features
        of their own (short answers such as "Nej, inte alls." carry no cue
        word, the question does). Absent column or ``None``: answers only.
    guide
        An :class:`~finsam_eval.coding.Intervjuguide`. With a ``fraga``
        column, each answer linked to a guide question gets that question's
        codes as structural codes: they count like a codebook hit in the
        prior and are a stage-2 feature of their own, so "Nej, inte alls."
        after a question about legitimacy is suggested legitimitet.
        ``None``: no guide.
    C
        Inverse regularisation strength of the stage-1 (text) logistic regressions.
    char_ngrams
        Range of character n-gram lengths (within words); ``None`` to turn off.
    stack_C
        Inverse regularisation strength of the stage-2 (stacking) regressions.
    prior_strength
        Pseudo-count of the codebook prior in the blend; ``0`` turns the blend off.
    codebook_switch
        Let the codebook decide a code alone (hit = code) where that agrees
        better with the coded examples, out of fold, than the learned model
        (``source_`` says which codes; only with ``threshold="auto"``).
        ``False``: always the learned model.
    group_col
        Column of X with the group (förbund, report) of each excerpt. When
        X has it with two or more groups, the switch to the codebook is
        judged leave-one-group-out: does what is learned in the other
        förbund hold in this one better than the codebook? Otherwise on
        the random internal folds.
    threshold
        ``"auto"`` (per-code F1-optimal threshold from internal
        cross-validation when a code has at least ``min_tune`` positive
        examples, else 0.5) or a number for all codes.
    cv
        Folds of the internal cross-validation for thresholds.
    min_tune
        Fewest positive examples for a code's threshold to be tuned.
    random_state
        Seed of the internal cross-validation split.

    Attributes
    ----------
    classes_
        Code ids (columns of :meth:`predict` and :meth:`predict_proba`).
    thresholds_
        Decision threshold per code.
    n_positive_
        Coded training examples per code.
    prior_weight_
        Weight of the codebook prior per code in the blend.
    source_
        Per code ``"inlard"`` (the learned model decides) or ``"kodbok"``
        (the codebook's own hits decide; see ``codebook_switch``).
    structural_
        Per code: whether the guide gave it as a structural code in training.
    state_, stage2_
        The fitted stage-1 vectorisers and models, and the stage-2 models.

    Examples
    --------
    >>> from finsam_eval.samples import load_sample
    >>> ex = load_sample("excerpts")
    >>> train = ex[ex.forbund != "Uppsala"]
    >>> sug = CodeSuggester(random_state=0).fit(train, train["codes_a"])
    >>> sug.predict_proba(["Vi saknar en gemensam bild av målgruppen."]).shape[1] == len(sug.classes_)
    True
    """

    def __init__(
        self,
        codebook: Any = None,
        codes: Sequence[str] | None = None,
        text_col: str = "text",
        question_col: str | None = "fraga",
        guide: Any = None,
        C: float = 1.0,
        char_ngrams: tuple[int, int] | None = (3, 5),
        stack_C: float = 1.0,
        prior_strength: float = 4.0,
        codebook_switch: bool = True,
        group_col: str | None = "forbund",
        threshold: str | float = "auto",
        cv: int = 5,
        min_tune: int = 5,
        random_state: int | None = None,
    ) -> None:
        self.codebook = codebook
        self.codes = codes
        self.text_col = text_col
        self.question_col = question_col
        self.guide = guide
        self.C = C
        self.char_ngrams = char_ngrams
        self.stack_C = stack_C
        self.prior_strength = prior_strength
        self.codebook_switch = codebook_switch
        self.group_col = group_col
        self.threshold = threshold
        self.cv = cv
        self.min_tune = min_tune
        self.random_state = random_state

    # ------------------------------------------------------------------ sklearn plumbing

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags

    # ------------------------------------------------------------------ codebook features

    def _compiled(self) -> Any:
        if self.codebook is False:
            return None
        from .codebook import Codebook
        from .matching import CompiledCodebook

        cb = self.codebook
        if cb is None:
            # the built-in framework whose code ids cover most of the codes learned (the themes if none)
            classes = {str(c) for c in getattr(self, "classes_", [])}
            best, best_n = "teman", 0
            for name in Codebook.frameworks():
                n = len(classes & _framework_ids(name))
                if n > best_n:
                    best, best_n = name, n
            cb = Codebook.framework(best)
        return cb if isinstance(cb, CompiledCodebook) else CompiledCodebook(cb)

    @staticmethod
    def _codebook_hits(texts: list[str], compiled: Any) -> tuple[pd.DataFrame, list[str]]:
        from .matching import code_excerpts

        ids = compiled.codebook.ids
        df = pd.DataFrame({"excerpt_id": range(len(texts)), "text": texts})
        long = code_excerpts(df, compiled, respondent_col=None, min_score=0.5).long
        return long, list(ids)

    def _cb_matrix(self, texts: list[str], X: Any = None) -> tuple[np.ndarray, pd.DataFrame | None]:
        """n x codes x 4: codebook score (capped, negated hits included), negation flag, structural code, vote.

        Human coders code a theme also when it is said to be missing ("ingen
        samsyn"), so a negated hit counts as a hit; the flag lets the model
        weigh it differently. The third column is 1 where the interview
        guide (``guide``) links the answer's question to a question about
        the code. The fourth, the nearest coded texts' vote for the code
        (:func:`_knn_votes`), is filled in by the caller.
        """
        n_codes = len(self.classes_)
        out = np.zeros((len(texts), n_codes, 4))
        long = None
        pos = {c: j for j, c in enumerate(self.classes_)}
        if getattr(self, "compiled_", None) is not None and len(texts):
            long, _ids = self._codebook_hits(texts, self.compiled_)
            for r in long.itertuples(index=False):
                j = pos.get(r.code)
                if j is None:
                    continue
                out[r.excerpt_id, j, 0] = min(float(r.score), 3.0) / 3.0 * (0.7 if r.hedged else 1.0)
                out[r.excerpt_id, j, 1] = float(r.negated)
        if self.guide is not None and len(texts):
            for i, codes in enumerate(self._structural(X, len(texts))):
                for c in codes:
                    if c in pos:
                        out[i, pos[c], 2] = 1.0
        return out, long

    def _guide_links(self, X: Any, n: int) -> list[str | None]:
        """The guide question each answer is linked to (None without a ``fraga`` column or a link)."""
        if self.guide is None or not isinstance(X, pd.DataFrame) or not self.question_col \
                or self.question_col not in X.columns:
            return [None] * n
        cols: dict[str, Any] = {"excerpt_id": range(n), "fraga": X[self.question_col].tolist()}
        for c in ("fil", "respondent_id"):
            if c in X.columns:
                cols[c] = X[c].tolist()
        return list(self.guide.match(pd.DataFrame(cols)).table()["fraga_id"])

    def _structural(self, X: Any, n: int) -> list[list[str]]:
        """The guide's codes for each answer (empty without a ``fraga`` column or a linked question)."""
        qcodes = {q.id: [str(c) for c in q.codes] for q in self.guide.questions}
        return [qcodes.get(q, []) if q else [] for q in self._guide_links(X, n)]

    def _evidence_on(self) -> bool:
        """Whether a codebook or an interview guide gives evidence (and so a prior)."""
        return getattr(self, "compiled_", None) is not None or self.guide is not None

    @staticmethod
    def _hits(cb: np.ndarray) -> np.ndarray:
        """n x codes: the codebook finds the code or the guide asks about it."""
        return (cb[:, :, 0] > 0) | (cb[:, :, 2] > 0)

    # ------------------------------------------------------------------ core fit / predict
    #
    # Stage 1: one logistic regression per code on the text features (stems,
    # stem bigrams, character n-grams). Stage 2: per code, a small logistic
    # regression on [codebook score, negation flag, stage-1 logit], fitted on
    # out-of-fold stage-1 predictions (stacking), so that the data decide how
    # much to trust the codebook and how much the learned words. A code with
    # too few examples for stage 2 falls back to a blend of the codebook prior
    # and stage 1 whose weight on the codebook shrinks with the examples.

    def _text_fit(self, texts: list[str], Y: np.ndarray, questions: list[str] | None = None) -> dict[str, Any]:
        word = TfidfVectorizer(analyzer=_stem_analyzer, sublinear_tf=True, min_df=1)
        mats = [word.fit_transform(texts)]
        question = None
        if questions is not None and any(q.strip() for q in questions):
            # the interviewer's question: its own vocabulary ("F: samsyn" is not "samsyn" in the answer)
            question = TfidfVectorizer(analyzer=_stem_analyzer, sublinear_tf=True, min_df=1)
            try:
                mats.append(question.fit_transform(questions) * _QUESTION_WEIGHT)
            except ValueError:  # only function words in the questions
                question = None
        char = None
        if self.char_ngrams:
            lo, hi = (int(v) for v in self.char_ngrams)
            char = TfidfVectorizer(analyzer=partial(_char_analyzer, lo=lo, hi=hi), sublinear_tf=True,
                                   min_df=2, max_df=0.9)
            try:
                mats.append(char.fit_transform(texts) * 0.7)
            except ValueError:  # too few texts for min_df
                char = None
        Xf = sparse.hstack(mats).tocsr()
        models: list[Any] = []
        for j in range(Y.shape[1]):
            yj = Y[:, j]
            if 0 < yj.sum() < len(yj):
                lr = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", max_iter=200,
                                        random_state=0)
                models.append(lr.fit(Xf, yj))
            else:
                models.append(float(yj.mean()))  # constant: no contrast to learn from
        return {"word": word, "char": char, "question": question, "models": models}

    @staticmethod
    def _text_design(state: dict[str, Any], texts: list[str], questions: list[str] | None = None) -> sparse.csr_matrix:
        mats = [state["word"].transform(texts)]
        if state.get("question") is not None:
            # excerpts without a question (or a table without the column) get an empty question part
            mats.append(state["question"].transform(questions if questions is not None else [""] * len(texts))
                        * _QUESTION_WEIGHT)
        if state["char"] is not None:
            mats.append(state["char"].transform(texts) * 0.7)
        return sparse.hstack(mats).tocsr()

    def _text_proba(self, state: dict[str, Any], texts: list[str], Xf: Any = None,
                    questions: list[str] | None = None) -> np.ndarray:
        Xf = self._text_design(state, texts, questions) if Xf is None else Xf
        P = np.zeros((len(texts), len(state["models"])))
        for j, m in enumerate(state["models"]):
            P[:, j] = m.predict_proba(Xf)[:, 1] if hasattr(m, "predict_proba") else m
        return P

    def _stack_features(self, cb: np.ndarray, p_text: np.ndarray, j: int) -> np.ndarray:
        p = np.clip(p_text[:, j], 1e-3, 1 - 1e-3)
        cols = [cb[:, j, 0], cb[:, j, 1], np.log(p / (1 - p)), cb[:, j, 3]]  # 3: nearest-coded vote
        if self.structural_[j]:
            cols.append(cb[:, j, 2])  # the guide's structural code, for codes it was given to in training
        return np.column_stack(cols)

    def _stack_fit(self, Y: np.ndarray, cb: np.ndarray, p_oof: np.ndarray) -> dict[str, Any]:
        stack: list[Any] = []
        prior = np.full((Y.shape[1], 2), np.nan)
        for j in range(Y.shape[1]):
            yj = Y[:, j]
            hit = self._hits(cb)[:, j]
            if self._evidence_on():
                # smoothed P(code | codebook hit) and P(code | no hit) for the fallback blend
                prior[j] = [(yj[hit].sum() + 0.6 * 2) / (hit.sum() + 2), (yj[~hit].sum() + 0.03 * 2) / ((~hit).sum() + 2)]
            if min(yj.sum(), len(yj) - yj.sum()) >= 3:
                lr = LogisticRegression(C=self.stack_C, class_weight=None, solver="lbfgs", max_iter=500)
                stack.append(lr.fit(self._stack_features(cb, p_oof, j), yj))
            else:
                stack.append(None)
        return {"stack": stack, "prior": prior}

    def _combine(self, stage2: dict[str, Any], cb: np.ndarray, p_text: np.ndarray, n_pos: np.ndarray) -> np.ndarray:
        P = p_text.copy()
        hits = self._hits(cb)
        for j, lr in enumerate(stage2["stack"]):
            if lr is not None:
                P[:, j] = lr.predict_proba(self._stack_features(cb, p_text, j))[:, 1]
            elif not np.isnan(stage2["prior"][j]).any() and self.prior_strength > 0:
                p_prior = np.where(hits[:, j], stage2["prior"][j, 0], stage2["prior"][j, 1])
                lam = self.prior_strength / (self.prior_strength + n_pos[j])
                P[:, j] = lam * p_prior + (1 - lam) * P[:, j]
        if self.prior_strength > 0 and self._evidence_on():
            # shrink every code towards its codebook prior by prior_strength / (prior_strength + n_k)
            for j, lr in enumerate(stage2["stack"]):
                if lr is None or np.isnan(stage2["prior"][j]).any():
                    continue
                p_prior = np.where(hits[:, j], stage2["prior"][j, 0], stage2["prior"][j, 1])
                lam = self.prior_strength / (self.prior_strength + n_pos[j])
                P[:, j] = lam * p_prior + (1 - lam) * P[:, j]
        # codes the codebook decides alone (see fit): P(code | hit) and P(code | no hit)
        for j in np.flatnonzero(stage2.get("codebook_only", np.zeros(P.shape[1], bool))):
            P[:, j] = np.where(hits[:, j], stage2["prior"][j, 0], stage2["prior"][j, 1])
        return P

    def _codebook_only(self, Y: np.ndarray, D: np.ndarray, hit: np.ndarray, prior: np.ndarray) -> np.ndarray:
        """Codes for which the codebook's own decision (hit = code) beats the learned one out of fold.

        The criterion is the pooled agreement that the evaluation measures:
        pooled F1 = 2 TP / (2 TP + errors) over all (excerpt, code) pairs.
        Replacing a code's decisions changes TP by dT and errors by dE; that
        raises the pooled F1 when ``dT * E / T > dE`` (E, T: the learned
        model's totals). A code is switched only when a hit makes it more
        likely than no hit.
        """
        only = np.zeros(Y.shape[1], bool)
        if not self._evidence_on() or not self.codebook_switch:
            return only
        Yb = Y.astype(bool)
        tp, err = (D & Yb).sum(axis=0), (D != Yb).sum(axis=0)
        tp_cb, err_cb = (hit & Yb).sum(axis=0), (hit != Yb).sum(axis=0)
        ratio = err.sum() / max(int(tp.sum()), 1)
        useful = ~np.isnan(prior).any(axis=1) & (np.nan_to_num(prior[:, 0]) > np.nan_to_num(prior[:, 1]))
        return useful & hit.any(axis=0) & ((tp_cb - tp) * ratio > (err_cb - err))

    def _oof_text(self, texts: list[str], Y: np.ndarray, questions: list[str] | None = None,
                  folds: list[tuple[np.ndarray, np.ndarray]] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Out-of-fold stage-1 probabilities and nearest-coded votes (:func:`_knn_votes`).

        ``folds``: (train, test) row indices; default ``cv`` seeded random
        folds; with fewer texts than ``2 * cv`` in-sample probabilities
        (and votes without each text's own).
        """
        if folds is None:
            if len(texts) < 2 * self.cv:
                st = self._text_fit(texts, Y, questions)
                U = _unit_rows(self._text_design(st, texts, questions))
                return self._text_proba(st, texts, questions=questions), _knn_votes(U, U, Y, self_match=True)
            folds = list(KFold(self.cv, shuffle=True, random_state=self.random_state).split(texts))
        oof = np.zeros(Y.shape)
        votes = np.zeros(Y.shape)
        for tr, te in folds:
            q_tr = [questions[i] for i in tr] if questions is not None else None
            q_te = [questions[i] for i in te] if questions is not None else None
            st = self._text_fit([texts[i] for i in tr], Y[tr], q_tr)
            X_te = self._text_design(st, [texts[i] for i in te], q_te)
            oof[te] = self._text_proba(st, [texts[i] for i in te], X_te)
            U_tr = _unit_rows(self._text_design(st, [texts[i] for i in tr], q_tr))
            votes[te] = _knn_votes(_unit_rows(X_te), U_tr, Y[tr])
        return oof, votes

    def _group_folds(self, X: Any) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """Leave-one-group-out folds over ``group_col`` when X has it with two or more groups, else None."""
        if not self.group_col or not isinstance(X, pd.DataFrame) or self.group_col not in X.columns:
            return None
        g = X[self.group_col].astype(str).to_numpy()
        levels = list(dict.fromkeys(g))
        if len(levels) < 2:
            return None
        return [(np.flatnonzero(g != lev), np.flatnonzero(g == lev)) for lev in levels]

    # ------------------------------------------------------------------ public API

    def fit(self, X: Any, y: Any) -> CodeSuggester:
        """Learn from coded excerpts.

        Parameters
        ----------
        X
            Texts (list, array, Series) or a DataFrame with ``text_col``
            (and, when available, ``question_col`` for the interviewer's
            question and ``group_col`` for the förbund).
        y
            The human codes: a list of code lists (``[["samsyn"], [], ...]``),
            a binary indicator matrix (columns in the order of ``codes``) or a
            DataFrame of 0/1 columns named by code. Model selection tools
            (``cross_val_score``, ``GridSearchCV``) need the indicator
            matrix, with ``codes`` set so every fold has the same columns.
        """
        texts = _as_texts(X, self.text_col)
        if len(texts) == 0:
            raise EstimationError("Inga kodade utdrag att lära av; fit() behöver minst ett par kodade utdrag.")
        Y, classes = _binarize_fit(y, self.codes)
        if len(Y) != len(texts):
            raise SchemaError(f"X har {len(texts)} texter men y har {len(Y)} rader; ge en kodlista per text.")
        if Y.shape[1] == 0:
            raise EstimationError("y innehåller inga koder; koda några utdrag (eller ange codes=[...]) först.")
        if self.threshold != "auto" and not (isinstance(self.threshold, int | float) and 0 < self.threshold < 1):
            raise SchemaError(f"threshold måste vara 'auto' eller ett tal mellan 0 och 1, fick {self.threshold!r}.")
        if self.guide is not None and not hasattr(self.guide, "match"):
            raise SchemaError("guide ska vara en Intervjuguide (finsam_eval.coding.Intervjuguide) eller None, "
                              f"fick {type(self.guide).__name__}.")
        self.classes_ = classes
        self.compiled_ = self._compiled()
        cb, _ = self._cb_matrix(texts, X)
        questions = _as_questions(X, self.question_col)
        self.state_ = self._text_fit(texts, Y, questions)
        p_oof, cb[:, :, 3] = self._oof_text(texts, Y, questions)
        self.structural_ = cb[:, :, 2].any(axis=0)
        self.stage2_ = self._stack_fit(Y, cb, p_oof)
        n_pos = Y.sum(axis=0)
        self.n_positive_ = pd.Series(n_pos, index=list(classes), name="n_positive")
        thr = np.full(Y.shape[1], 0.5 if self.threshold == "auto" else float(self.threshold))
        # stage-2 inputs are out-of-fold, so its fitted probabilities are close to out-of-sample
        P = self._combine(self.stage2_, cb, p_oof, n_pos)
        if self.threshold == "auto":
            grid = np.arange(0.15, 0.86, 0.05)
            for j in range(Y.shape[1]):
                if n_pos[j] >= self.min_tune:
                    f1s = _f1_grid(Y[:, j], P[:, j], grid)
                    best = np.flatnonzero(np.isclose(f1s, np.max(f1s)))
                    thr[j] = float(grid[best[len(best) // 2]])  # middle of the best plateau
        D = P >= thr[None, :]
        switch = self.codebook_switch and self._evidence_on() and self.threshold == "auto"
        gfolds = self._group_folds(X) if switch else None
        if gfolds is not None:
            # does what is learned in some groups (förbund) hold in another? Judge the switch on
            # leave-one-group-out decisions of the same stage 2
            cb_g = cb.copy()
            p_g, cb_g[:, :, 3] = self._oof_text(texts, Y, questions, gfolds)
            D = self._combine(self.stage2_, cb_g, p_g, n_pos) >= thr[None, :]
        only = self._codebook_only(Y, D, self._hits(cb), self.stage2_["prior"]) if switch else np.zeros(len(thr), bool)
        self.stage2_["codebook_only"] = only
        thr[only] = self.stage2_["prior"][only].mean(axis=1)  # between P(code | hit) and P(code | no hit)
        self.source_ = pd.Series(np.where(only, "kodbok", "inlard"), index=list(classes), name="kalla")
        self.thresholds_ = pd.Series(thr, index=list(classes), name="threshold")
        self.prior_weight_ = pd.Series(
            self.prior_strength / (self.prior_strength + n_pos) if self._evidence_on() else 0.0,
            index=list(classes), name="prior_weight",
        )
        self.n_features_in_ = 1
        # what was learned from, for next_to_code() (novelty) and suggest() (nearest coded examples)
        if isinstance(X, pd.DataFrame) and "excerpt_id" in X.columns:
            self.train_ids_ = np.asarray(X["excerpt_id"].tolist(), dtype=object)
        else:
            self.train_ids_ = np.arange(len(texts)).astype(object)
        self.train_texts_ = list(texts)
        self.train_Y_ = Y
        self.train_X_ = _unit_rows(self._text_design(self.state_, texts, questions))
        return self

    def _check(self, X: Any) -> list[str]:
        check_is_fitted(self, "state_")
        return _as_texts(X, self.text_col)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each code (columns ``classes_``) per excerpt, shape (n, n_codes)."""
        texts = self._check(X)
        cb, _ = self._cb_matrix(texts, X)
        Xf = self._text_design(self.state_, texts, _as_questions(X, self.question_col))
        cb[:, :, 3] = _knn_votes(_unit_rows(Xf), self.train_X_, self.train_Y_)
        return self._combine(self.stage2_, cb, self._text_proba(self.state_, texts, Xf), self.n_positive_.to_numpy())

    def decision_function(self, X: Any) -> np.ndarray:
        """Probability minus the code's threshold: positive means the code is suggested."""
        return self.predict_proba(X) - self.thresholds_.to_numpy()[None, :]

    def predict(self, X: Any) -> np.ndarray:
        """Binary indicator matrix (n, n_codes): 1 where the probability reaches the code's threshold."""
        return (self.decision_function(X) >= 0).astype(int)

    def predict_codes(self, X: Any) -> list[list[str]]:
        """The suggested codes per excerpt as lists of code ids."""
        pred = self.predict(X)
        return [[str(c) for c, v in zip(self.classes_, row) if v] for row in pred]

    def next_to_code(self, pool: Any, n: int = 20, *, diversity: float = 0.5, ids: Sequence[Any] | None = None,
                     random_state: int | None = None) -> pd.DataFrame:
        """The ``n`` excerpts of ``pool`` to code next: uncertain and unlike what is coded.

        See :func:`finsam_eval.coding.active.next_to_code` (works before
        ``fit`` too: then a seeded spread over the pool). Nothing is fitted
        or changed on the suggester.

        Examples
        --------
        >>> from finsam_eval.samples import load_sample
        >>> ex = load_sample("excerpts")
        >>> batch = CodeSuggester(random_state=0).next_to_code(ex, n=5)
        >>> list(batch.columns)
        ['ordning', 'excerpt_id', 'osakerhet', 'nyhet', 'osakra_koder', 'text']
        """
        from .active import next_to_code

        return next_to_code(self, pool, n, diversity=diversity, ids=ids, random_state=random_state)

    def suggest(self, X: Any, top_k: int = 3, *, n_terms: int = 4, ids: Sequence[Any] | None = None,
                n_examples: int = 2) -> pd.DataFrame:
        """The ``top_k`` most probable codes per excerpt, with the words and coded examples behind each.

        Returns
        -------
        pandas.DataFrame
            One row per excerpt and suggested code: ``excerpt_id`` (from
            ``ids``, an ``excerpt_id`` column of X or the position), ``rang``,
            ``code``, ``label``, ``probability``, ``suggested`` (probability at
            or above the code's threshold), ``terms`` (the words of the
            excerpt that pushed the probability up most, as written),
            ``codebook_terms`` (codebook terms matched, ``"inte: ..."`` when
            negated; ``"intervjuguide: F2"`` for a structural code from the
            guide question the answer is linked to), ``liknande_id`` and ``liknande_text`` (the ``n_examples``
            coded excerpts with this code that are most like this one: ids and
            their first words).

        Examples
        --------
        >>> from finsam_eval.samples import load_sample
        >>> ex = load_sample("excerpts")
        >>> sug = CodeSuggester(random_state=0).fit(ex, ex["codes_a"])
        >>> s = sug.suggest(["Vi saknar en gemensam bild av målgruppen."], top_k=1)
        >>> list(s.columns[-2:])
        ['liknande_id', 'liknande_text']
        """
        from .active import nearest_coded

        texts = self._check(X)
        if ids is None:
            ids = X["excerpt_id"].tolist() if isinstance(X, pd.DataFrame) and "excerpt_id" in X else range(len(texts))
        ids = list(ids)
        cb, long = self._cb_matrix(texts, X)
        Xf = self._text_design(self.state_, texts, _as_questions(X, self.question_col))
        unit = _unit_rows(Xf)
        cb[:, :, 3] = _knn_votes(unit, self.train_X_, self.train_Y_)
        near: dict[int, list[list[tuple[Any, str, float]]]] = {}
        P = self._combine(self.stage2_, cb, self._text_proba(self.state_, texts, Xf), self.n_positive_.to_numpy())
        # the text blocks of the design, in order: words, question, character n-grams
        blocks: list[tuple[str, int, np.ndarray]] = []
        start = 0
        for name in ("word", "question", "char"):
            vec = self.state_.get(name)
            if vec is not None:
                names = vec.get_feature_names_out()
                blocks.append((name, start, names))
                start += len(names)
        labels = {}
        if self.compiled_ is not None:
            labels = self.compiled_.codebook.labels
        matched: dict[tuple[int, str], list[str]] = {}
        if long is not None:
            for r in long.itertuples(index=False):
                terms = list(r.matched_terms)
                matched[(r.excerpt_id, r.code)] = [("inte: " + t) if r.negated else t for t in terms]
        # structural codes: the guide question behind them
        for i, qid in enumerate(self._guide_links(X, len(texts))):
            for j in np.flatnonzero(cb[i, :, 2] > 0):
                matched.setdefault((i, str(self.classes_[j])), []).append(f"intervjuguide: {qid}")
        rows = []
        k = min(int(top_k), P.shape[1])
        for i, text in enumerate(texts):
            toks = tokenize(text)
            by_key: dict[str, str] = {}
            for t in toks:
                by_key.setdefault(_word_key(t), t)
                by_key.setdefault(stem(t), t)
            row_x = Xf.getrow(i)
            order = np.argsort(-P[i], kind="stable")[:k]
            for rank, j in enumerate(order, start=1):
                if j not in near:
                    near[j] = nearest_coded(self, unit, int(j), n_examples)
                examples = near[j][i]
                code = str(self.classes_[j])
                model = self.state_["models"][j]
                words: list[str] = []
                if hasattr(model, "coef_"):
                    coef = model.coef_.ravel()
                    idx = row_x.indices
                    contrib = row_x.data * coef[idx]
                    for f in idx[np.argsort(-contrib, kind="stable")]:
                        if coef[f] <= 0 or len(words) >= n_terms:
                            break
                        name, off, names = next(bl for bl in reversed(blocks) if f >= bl[1])
                        feat = str(names[f - off])
                        if name == "word":
                            surf = " ".join(by_key.get(w, w) for w in feat.split(" "))
                        elif name == "question":
                            continue  # the question's words are not in the answer; the answer's words explain
                        else:
                            gram = feat.strip()
                            surf = next((t for t in toks if gram in _masked(t) and _readable(t)), "")
                        # function words say nothing to a reader unless part of a phrase ("vet inte")
                        if surf and surf not in words and (" " in surf or _readable(surf)):
                            words.append(surf)
                rows.append({
                    "excerpt_id": ids[i], "rang": rank, "code": code, "label": labels.get(code, code),
                    "probability": float(P[i, j]), "suggested": bool(P[i, j] >= self.thresholds_.iloc[j]),
                    "terms": words, "codebook_terms": matched.get((i, code), []),
                    "liknande_id": [e[0] for e in examples], "liknande_text": [e[1] for e in examples],
                })
        return pd.DataFrame(rows, columns=["excerpt_id", "rang", "code", "label", "probability", "suggested",
                                           "terms", "codebook_terms", "liknande_id", "liknande_text"])

    def evaluate(self, excerpts: pd.DataFrame, codes_col: str = "codes_a", groups: str = "forbund",
                 **kwargs: Any) -> SuggestionEvaluation:
        """Leave-one-group-out evaluation of this suggester against the baseline (see :func:`evaluate_suggester`)."""
        return evaluate_suggester(excerpts, codes_col=codes_col, groups=groups, estimator=self, **kwargs)


# The evaluation half lives in suggest_eval; its public names stay importable from here.
from .suggest_eval import SuggestionEvaluation, baseline_model, evaluate_suggester  # noqa: E402
