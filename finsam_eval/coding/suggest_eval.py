"""How good are the suggestions? Leave-one-group-out evaluation of :class:`CodeSuggester` against a baseline.

:func:`evaluate_suggester` (also :meth:`CodeSuggester.evaluate`) measures the
realistic workflow: train on the other förbund, suggest for one, compare with
the human codes (Cohen's kappa pooled over codes, macro-F1), next to a plain
TF-IDF + logistic regression baseline (:func:`baseline_model`) on exactly the
same splits. The result is a :class:`SuggestionEvaluation`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, f1_score
from sklearn.multiclass import OneVsRestClassifier

from ..errors import EstimationError, MissingColumnError
from ..results import ResultMixin
from .suggest import CodeSuggester, _binarize_fit

__all__ = ["SuggestionEvaluation", "evaluate_suggester", "baseline_model"]


def baseline_model() -> Any:
    """The plain baseline: TF-IDF on raw lower-cased words + one-vs-rest logistic regression."""
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(lowercase=True),
        OneVsRestClassifier(LogisticRegression(class_weight="balanced", max_iter=1000, solver="liblinear")),
    )


def _scores(Y: np.ndarray, P: np.ndarray) -> tuple[float, float]:
    """Cohen's kappa pooled over (excerpt, code) pairs and macro-F1 over codes the humans used."""
    kappa = cohen_kappa_score(Y.ravel(), P.ravel()) if len(np.unique(np.r_[Y.ravel(), P.ravel()])) > 1 else np.nan
    used = Y.sum(axis=0) > 0
    f1 = f1_score(Y[:, used], P[:, used], average="macro", zero_division=0) if used.any() else np.nan
    return float(kappa), float(f1)


@dataclass
class SuggestionEvaluation(ResultMixin):
    """Suggester and baseline per held-out group (see :func:`evaluate_suggester`)."""

    scores: pd.DataFrame
    predictions: pd.DataFrame
    group_col: str
    codes_col: str
    notes: list[str] = field(default_factory=list)
    title: str = "Kodförslag jämfört med mänsklig kodning"

    @property
    def caption(self) -> str:
        from ..sv import fmt_num

        o = self.scores.iloc[-1]
        return (
            f"Kodförslag tränade på övriga grupper ({self.group_col}) och prövade på en i taget, mot koderna i "
            f"{self.codes_col}: Cohens kappa {fmt_num(o['kappa_kodforslag'], 2)} (baslinje "
            f"{fmt_num(o['kappa_baslinje'], 2)}), makro-F1 {fmt_num(o['makro_f1_kodforslag'], 2)} (baslinje "
            f"{fmt_num(o['makro_f1_baslinje'], 2)})."
        )

    def table(self) -> pd.DataFrame:
        """One row per held-out group and ``Samtliga``: n, kappa and macro-F1 for both models."""
        return self.scores.copy()

    column_labels = {
        "grupp": "Prövad grupp", "n_utdrag": "Utdrag (antal)", "kappa_kodforslag": "Kappa, kodförslag",
        "kappa_baslinje": "Kappa, baslinje", "kappa_kodbok": "Kappa, kodbok ensam",
        "makro_f1_kodforslag": "Makro-F1, kodförslag", "makro_f1_baslinje": "Makro-F1, baslinje",
        "makro_f1_kodbok": "Makro-F1, kodbok ensam",
    }

    def report_table(self) -> pd.DataFrame:
        """The table with coefficients as two-decimal strings, for print."""
        from ..sv import fmt_num

        t = self.scores.copy()
        for c in t.columns[2:]:
            t[c] = [fmt_num(v, 2) for v in t[c]]
        return t

    def summary(self) -> str:
        from ..sv import format_table

        body = format_table(self.scores, decimals=2).to_string(index=False)
        return "\n\n".join([self.title, body, "\n".join(f"Not: {n}" for n in self.notes)])

    @property
    def beats_baseline(self) -> bool:
        """True when the suggester has higher pooled kappa and macro-F1 than the baseline overall."""
        o = self.scores.iloc[-1]
        return bool(o["kappa_kodforslag"] > o["kappa_baslinje"] and o["makro_f1_kodforslag"] > o["makro_f1_baslinje"])

    def plot(self, ax: Any = None, *, measure: str = "kappa") -> Any:
        """Dot plot of kappa (or ``measure="makro_f1"``) per held-out group for both models."""
        from ..plots import GREY, categorical, decimal_comma, figure, finish

        t = self.scores
        created = ax is None
        if created:
            fig, ax = figure((6.3, 0.4 * len(t) + 1.5))
        else:
            fig = ax.figure
        y = np.arange(len(t))[::-1]
        c = categorical(1)[0]
        ax.hlines(y, t[f"{measure}_baslinje"], t[f"{measure}_kodforslag"], color="#CCCCCC", lw=2, zorder=1)
        ax.plot(t[f"{measure}_baslinje"], y, "o", color=GREY, label="Baslinje (TF-IDF + logistisk regression)",
                zorder=2)
        if t[f"{measure}_kodbok"].notna().any():
            ax.plot(t[f"{measure}_kodbok"], y, "D", mfc="white", mec="#444444", ms=4.5,
                    label="Kodboken ensam (utan inlärning)", zorder=2.5)
        ax.plot(t[f"{measure}_kodforslag"], y, "o", color=c, label="CodeSuggester (svensk normalisering + kodbok)",
                zorder=3)
        ax.set_yticks(y, [f"{g} (n = {n})" for g, n in zip(t["grupp"], t["n_utdrag"])])
        ax.set_xlim(0, 1)
        ax.set_xlabel("Cohens kappa mot mänsklig kodning" if measure == "kappa" else "Makro-F1 mot mänsklig kodning")
        decimal_comma(ax, "x")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncol=1, borderaxespad=0, fontsize=8, frameon=False)
        if created:
            fig.tight_layout(rect=(0, 0, 1, 0.92))
            finish(fig, title=self.title, note="Varje grupp prövas med en modell tränad på övriga grupper.")
        return ax


def evaluate_suggester(
    excerpts: pd.DataFrame,
    codes_col: str = "codes_a",
    groups: str = "forbund",
    *,
    text_col: str = "text",
    estimator: CodeSuggester | None = None,
    baseline: Any = None,
    random_state: int | None = 0,
) -> SuggestionEvaluation:
    """Train on all groups but one, suggest codes for the held-out group, compare with human codes.

    The realistic workflow: code two or three förbund by hand, get
    suggestions for the next. For every held-out group (leave-one-group-out)
    :class:`CodeSuggester` and the plain baseline (:func:`baseline_model`:
    TF-IDF on raw words + one-vs-rest logistic regression, threshold 0.5)
    are fitted on exactly the same training excerpts and scored on the same
    held-out ones: Cohen's kappa pooled over (excerpt, code) pairs and
    macro-F1 over the codes the human coder used in that group. The row
    ``Samtliga`` scores all held-out predictions together.

    Examples
    --------
    >>> from finsam_eval.samples import load_sample
    >>> ev = evaluate_suggester(load_sample("excerpts"))  # doctest: +SKIP
    >>> ev.table()  # doctest: +SKIP
    """
    for col in (codes_col, groups, text_col):
        if col not in excerpts.columns:
            raise MissingColumnError(f"Kolumnen {col!r} saknas; tabellen har {list(excerpts.columns)}.")
    ex = excerpts.reset_index(drop=True)
    g = ex[groups].astype(str)
    levels = list(dict.fromkeys(g.tolist()))
    if len(levels) < 2:
        raise EstimationError(f"Utvärderingen kräver minst två grupper i {groups!r}; fick {len(levels)}.")
    Y, classes = _binarize_fit(ex[codes_col], None)
    est = clone(estimator) if estimator is not None else CodeSuggester(random_state=random_state)
    est.set_params(codes=list(classes), text_col=text_col)
    if "random_state" in est.get_params() and est.get_params()["random_state"] is None:
        est.set_params(random_state=random_state)
    base = clone(baseline) if baseline is not None else baseline_model()
    texts = ex[text_col].fillna("").astype(str)
    P_s = np.zeros_like(Y)
    P_b = np.zeros_like(Y)
    # the codebook alone (negated hits count: coders code a theme said to be missing), as a reference
    P_c = None
    if est.get_params().get("codebook") is not False:
        ref = clone(est).set_params(threshold=0.5)
        ref.classes_ = classes
        ref.compiled_ = ref._compiled()
        P_c = (ref._cb_matrix(texts.tolist())[0][:, :, 0] > 0).astype(int)
    for lev in levels:
        te = (g == lev).to_numpy()
        tr = ~te
        s = clone(est).fit(ex[tr], Y[tr])
        P_s[te] = s.predict(ex[te])
        b = clone(base)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # codes absent from a training split: constant predictions
            b.fit(texts[tr].tolist(), Y[tr])
            P_b[te] = b.predict(texts[te].tolist())
    rows = []
    for lev in [*levels, None]:
        m = np.ones(len(ex), bool) if lev is None else (g == lev).to_numpy()
        ks, fs = _scores(Y[m], P_s[m])
        kb, fb = _scores(Y[m], P_b[m])
        kc, fc = _scores(Y[m], P_c[m]) if P_c is not None else (np.nan, np.nan)
        rows.append({"grupp": "Samtliga" if lev is None else lev, "n_utdrag": int(m.sum()),
                     "kappa_kodforslag": ks, "kappa_baslinje": kb, "kappa_kodbok": kc,
                     "makro_f1_kodforslag": fs, "makro_f1_baslinje": fb, "makro_f1_kodbok": fc})
    scores = pd.DataFrame(rows)
    pred = pd.DataFrame({
        "excerpt_id": ex["excerpt_id"] if "excerpt_id" in ex else range(len(ex)),
        groups: g,
        "human": [[c for c, v in zip(classes, r) if v] for r in Y],
        "kodforslag": [[c for c, v in zip(classes, r) if v] for r in P_s],
        "baslinje": [[c for c, v in zip(classes, r) if v] for r in P_b],
    })
    notes = [
        f"n = {len(ex)} utdrag i {len(levels)} grupper ({groups}); lämna-en-grupp-utanför: varje grupp prövas med "
        "modeller tränade på övriga grupper.",
        f"Facit: {codes_col}. Kappa poolat över alla par (utdrag, kod); makro-F1 över koder som kodaren använt i gruppen.",
        "Baslinje: TF-IDF på ord (gemener) + logistisk regression per kod (balanserade vikter, tröskel 0,5).",
        "Kodbok: kodbokens träffar ensamma (utan inlärning, negerade träffar räknas), som jämförelse; "
        "en kodbok som har finjusterats på samma utdrag ger här en för optimistisk siffra.",
    ]
    return SuggestionEvaluation(scores=scores, predictions=pred, group_col=groups, codes_col=codes_col, notes=notes)

