"""Swedish conventions for what a report reader sees.

Number formatting with decimal comma and a thin space between thousands, and
the quantifier words Swedish evaluation reports use for how many respondents
said something (samtliga, de flesta, flera, ...).

Examples
--------
>>> fmt_num(4.8)
'4,8'
>>> fmt_num(8600, 0) == "8\u00a0600"  # non-breaking space between thousands
True
>>> fmt_pct(0.505).replace("\u00a0", " ")
'50,5 %'
>>> quantifier(12, 14)
'de allra flesta'
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from numbers import Real

import numpy as np
import pandas as pd

from ._config import get_option

__all__ = [
    "fmt_num", "fmt_pct", "fmt_ci", "fmt_p", "fmt_p_eq", "quantifier", "QUANTIFIERS", "format_table", "auto_decimals",
    "column_label", "COLUMN_LABELS", "VARIABLE_LABELS", "ESTIMATOR_LABELS", "label", "set_labels", "labels_context",
    "reader_table", "fmt_quarter", "wrap_label", "fmt_pp",
]

# Non-breaking space as thousands separator, as in Swedish print (Språkrådet).
_THOUSANDS = "\u00a0"


def fmt_num(x: object, decimals: int = 1, *, lang: str | None = None) -> str:
    """Format a number with decimal comma (``lang='sv'``) or point (``'en'``).

    Missing values give an empty string; integers keep no decimals when
    ``decimals=0``.
    """
    if x is None or (isinstance(x, Real) and math.isnan(float(x))):
        return ""
    if not isinstance(x, Real):
        return str(x)
    lang = lang or get_option("lang")
    s = f"{float(x):,.{decimals}f}"
    if lang == "sv":
        s = s.replace(",", "_").replace(".", ",").replace("_", _THOUSANDS)
        s = s.replace("-", "\u2212")  # typographic minus
    return s


def fmt_pct(share: object, decimals: int = 1, *, lang: str | None = None) -> str:
    """Format a share (0-1) as a percentage: ``0.19 -> '19,0 %'``."""
    if share is None or (isinstance(share, Real) and math.isnan(float(share))):
        return ""
    lang = lang or get_option("lang")
    sep = "\u00a0%" if lang == "sv" else "%"
    return fmt_num(100 * float(share), decimals, lang=lang) + sep


def fmt_ci(low: object, high: object, decimals: int = 1, *, pct: bool = False, lang: str | None = None) -> str:
    """Format a confidence interval: ``[0,12; 0,31]`` (Swedish uses ``;`` as separator)."""
    f = fmt_pct if pct else fmt_num
    lang = lang or get_option("lang")
    sep = "; " if lang == "sv" else ", "
    return f"[{f(low, decimals, lang=lang)}{sep}{f(high, decimals, lang=lang)}]"


def fmt_p(p: object, *, lang: str | None = None) -> str:
    """Format a p-value: three decimals, ``< 0,001`` below that."""
    if p is None or (isinstance(p, Real) and math.isnan(float(p))):
        return ""
    if float(p) < 0.001:
        return "< " + fmt_num(0.001, 3, lang=lang)
    return fmt_num(p, 3, lang=lang)


def fmt_p_eq(p: object, *, nbsp: bool = False, lang: str | None = None) -> str:
    """A p-value as a phrase for captions: ``p = 0,034`` or ``p < 0,001`` (never ``p = < 0,001``).

    Examples
    --------
    >>> fmt_p_eq(0.0342), fmt_p_eq(0.00001)
    ('p = 0,034', 'p < 0,001')
    """
    sp = "\u00a0" if nbsp else " "
    txt = fmt_p(p, lang=lang)
    return f"p{sp}{txt}" if txt.startswith("<") else f"p{sp}={sp}{txt}"


# Ordered from the strongest claim down; each word covers shares >= its lower bound.
# The bounds follow how Swedish evaluation reports use the words, with "samtliga"
# reserved for 100 % and "någon" for exactly one respondent.
QUANTIFIERS: list[tuple[str, float]] = [
    ("samtliga", 1.0),
    ("nästan alla", 0.9),
    ("de allra flesta", 0.8),
    ("de flesta", 0.6),
    ("många", 0.4),
    ("flera", 0.2),
    ("några", 0.1),
    ("ett fåtal", 0.0),
]


def quantifier(count: int, total: int, *, lang: str | None = None) -> str:
    """Return the Swedish quantifier word for ``count`` respondents out of ``total``.

    Examples
    --------
    >>> quantifier(14, 14), quantifier(1, 14), quantifier(0, 14), quantifier(3, 14)
    ('samtliga', 'någon', 'ingen', 'flera')
    """
    if total <= 0:
        raise ValueError("total måste vara större än 0")
    lang = lang or get_option("lang")
    if count <= 0:
        return "ingen" if lang == "sv" else "none"
    if count == 1 and total > 1:
        return "någon" if lang == "sv" else "one"
    share = count / total
    for word, low in QUANTIFIERS:
        if share >= low - 1e-12:
            if lang == "en":
                return {
                    "samtliga": "all", "nästan alla": "nearly all", "de allra flesta": "the great majority",
                    "de flesta": "most", "många": "many", "flera": "several", "några": "some",
                    "ett fåtal": "a few",
                }[word]
            return word
    return "ett fåtal"


_P_COLUMNS = ("p", "pvalue", "p_value", "p_varde", "p_holm", "p_adj", "p_F", "p_chi2")


def auto_decimals(values: pd.Series) -> int:
    """Decimals that keep a column's information: 3 below 0,1, 2 below 1, 1 below 100, else 0.

    Examples
    --------
    >>> auto_decimals(pd.Series([0.054, 0.006])), auto_decimals(pd.Series([0.81, 0.86]))
    (3, 2)
    >>> auto_decimals(pd.Series([3.7, 4.1])), auto_decimals(pd.Series([12500.0, 9800.0]))
    (1, 0)
    """
    v = pd.to_numeric(values, errors="coerce").abs()
    v = v[(v > 0) & v.notna() & (v != float("inf"))]
    if v.empty:
        return 1
    m = float(v.median())
    return 3 if m < 0.1 else 2 if m < 1 else 1 if m < 100 else 0


def _cells(s: pd.Series, f) -> pd.Series:  # noqa: ANN001 - f formats one cell
    """``s.map(f)``, the same Series (values and dtype), by a list comprehension over the plain values."""
    if len(s) == 0 or isinstance(s.dtype, pd.CategoricalDtype):
        return s.map(f)  # map keeps these dtypes (a categorical maps its categories)
    # map hands f the same Python objects tolist gives (floats, ints, NaN, pd.NA); a few times faster on small tables.
    return pd.Series([f(v) for v in s.tolist()], index=s.index, name=s.name)


def format_table(df: pd.DataFrame, decimals: int | dict[str, int] | None = None, *,
                 lang: str | None = None) -> pd.DataFrame:
    """Return a copy of ``df`` as strings for print: decimal comma, suppressed cells marked.

    Cells recorded as suppressed in ``df.attrs['suppressed_mask']`` (set by
    :func:`finsam_eval.privacy.suppress_small`) show the suppression marker;
    integer and count columns get no decimals, p-values three (``< 0,001``),
    shares (``andel*`` between 0 and 1, and the columns in
    ``df.attrs['share_columns']``) print as percentages, differences of shares
    in ``df.attrs['pp_columns']`` as procentenheter (times 100), and other
    numbers get :func:`auto_decimals` unless ``decimals`` says otherwise.
    """
    lang = lang or get_option("lang")
    marker = get_option("suppressed_marker")
    mask = df.attrs.get("suppressed_mask")
    counts = set(df.attrs.get("count_columns", ()))
    # Units a result declares: shares (0-1) print as percentages, differences of shares in procentenheter.
    shares = set(df.attrs.get("share_columns", ()))
    pps = set(df.attrs.get("pp_columns", ()))
    mask_cols = getattr(mask, "columns", []) if mask is not None else []
    # The same columns without attrs: pandas deep-copies a frame's attrs (the suppression mask, a scale)
    # on every column access, which was a third of this function's time.
    body = pd.DataFrame(df)
    out = pd.DataFrame(index=df.index)
    for col in body.columns:
        s = body[col]
        d = decimals.get(col) if isinstance(decimals, dict) else decimals
        is_p = str(col) in _P_COLUMNS or str(col).startswith("p_")
        is_float = pd.api.types.is_float_dtype(s)
        if is_float:
            values = s.to_numpy(dtype=float, na_value=np.nan)
            nonnull = values[~np.isnan(values)]
        if d is None and is_float:
            d = 1 if str(col).startswith(("andel", "share")) else _auto_decimals_array(values)
        if pd.api.types.is_bool_dtype(s):
            vals = _cells(s, lambda v: ("ja" if v else "nej") if lang == "sv" else ("yes" if v else "no"))
        elif pd.api.types.is_integer_dtype(s):
            vals = _cells(s, lambda v: fmt_num(v, 0, lang=lang))
        elif is_float:
            # Counts turned float by suppression (NaN) still print as whole numbers.
            whole = nonnull.size > 0 and bool(np.all(np.isfinite(nonnull) & (nonnull == np.floor(nonnull))))
            was_masked = col in mask_cols and bool(mask[col].any())
            is_count = col in counts or (whole and (str(col).startswith(("n", "antal")) or was_masked))
            is_share = col in shares or (str(col).startswith(("andel", "share")) and nonnull.size > 0
                                         and bool(np.all((nonnull >= 0) & (nonnull <= 1))))
            if col in pps:
                vals = _cells(s, lambda v, d=d: fmt_num(100 * v, 1 if d is None or d > 1 else d, lang=lang))
            elif is_p and not is_share:
                vals = _cells(s, lambda v: fmt_p(v, lang=lang))
            elif is_share:  # shares print as percentages, as in the reports
                vals = _cells(s, lambda v, d=d: fmt_pct(v, d, lang=lang))
            else:
                places = 0 if is_count else d
                vals = _cells(s, lambda v, places=places: fmt_num(v, places, lang=lang))
        else:
            vals = _cells(s, lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        if col in mask_cols:
            m = mask[col].reindex(df.index).fillna(False).astype(bool)
            vals = vals.where(~m, marker)
        out[col] = vals
    return out


def _auto_decimals_array(v: np.ndarray) -> int:
    """:func:`auto_decimals` of a float column's values (NaN for missing), without pandas."""
    v = np.abs(v)
    v = v[(v > 0) & (v != np.inf)]  # NaN fails both comparisons
    if v.size == 0:
        return 1
    m = float(np.median(v))
    return 3 if m < 0.1 else 2 if m < 1 else 1 if m < 100 else 0


# Print headers for the column names results use; tables keep ASCII names for programs,
# readers of a report see these. Unknown names fall back to a cleaned-up form.
COLUMN_LABELS: dict[str, str] = {
    "n": "n", "n_valid": "Antal svar", "n_missing": "Ej svar", "n_non_substantive": "Vet ej m.fl.",
    "n_respondents": "Respondenter", "n_utdrag": "Utdrag", "n_obs": "Observationer", "n_kluster": "Kluster",
    "n_behandlade": "Deltagare (antal)", "n_deltagare": "Deltagare (antal)", "n_kontroller": "Jämförelsegrupp (antal)", "antal": "Antal",
    "population": "Population", "response_rate": "Svarsfrekvens (%)", "item": "Fråga", "text": "Fråga",
    "mean": "Medel", "mean_lo": "Medel KI nedre", "mean_hi": "Medel KI övre", "sd": "SD", "median": "Median",
    "q1": "Kvartil 1", "q3": "Kvartil 3", "iqr": "Kvartilavstånd", "net": "Netto (%)",
    "pct_top": "Instämmer (%)", "pct_top_lo": "Instämmer KI nedre", "pct_top_hi": "Instämmer KI övre",
    "pct_bottom": "Instämmer inte (%)", "pct_bottom_lo": "Instämmer inte KI nedre",
    "pct_bottom_hi": "Instämmer inte KI övre", "pct_neutral": "Neutral (%)", "pct_neutral_lo": "Neutral KI nedre",
    "pct_neutral_hi": "Neutral KI övre", "pct_non_substantive": "Vet ej m.fl. (%)",
    "forbund": "Förbund", "roll": "Roll", "kalla": "Källa", "ar": "År", "respondentgrupp": "Respondentgrupp",
    "kon": "Kön", "alder": "Ålder", "utbildning": "Utbildning", "kod": "Kod", "etikett": "Tema", "tema": "Tema",
    "kvantifierare": "Ordval", "andel": "Andel", "estimat": "Skattning", "estimate": "Skattning",
    "effekt": "Effekt", "att": "Effekt (ATT)", "atc": "Effekt (ATC)", "ate": "Effekt (ATE)", "se": "Medelfel", "p": "p-värde", "pvalue": "p-värde",
    "ci_lag": "KI nedre", "ci_hog": "KI övre", "ki_nedre": "KI nedre", "ki_ovre": "KI övre",
    "wilson_nedre": "Wilson nedre", "wilson_ovre": "Wilson övre", "exakt_nedre": "Exakt nedre",
    "exakt_ovre": "Exakt övre", "grupp": "Grupp", "groups": "Grupper", "df": "Frihetsgrader",
    "epsilon2": "Epsilon²", "variabel": "Variabel", "typ": "Typ", "smd_fore": "SMD före", "smd_efter": "SMD efter",
    "vr_fore": "Varianskvot före", "vr_efter": "Varianskvot efter", "obalans": "Obalans",
    "medel_deltagare": "Medel deltagare", "medel_kontroller": "Medel jämförelsegrupp",
    "medel_deltagare_fore": "Deltagare före", "medel_deltagare_efter": "Deltagare efter",
    "medel_kontroller_fore": "Jämförelsegrupp före", "medel_kontroller_efter": "Jämförelsegrupp efter",
    "event_time": "Kvartal från start", "metod": "Metod", "estimator": "Skattningsmetod", "inferens": "Inferens",
    "utfall": "Utfall", "kappa": "Kappa", "kappa_ci_lag": "Kappa KI nedre", "kappa_ci_hog": "Kappa KI övre",
    "alfa": "Alfa", "alfa_ci_lag": "Alfa KI nedre", "alfa_ci_hog": "Alfa KI övre", "f1": "F1",
    "andel_overens": "Överens (%)", "positiv_overens": "Positiv överensstämmelse", "reversed": "Omvänd",
    "alpha_if_deleted": "Alfa utan frågan", "r_item_rest": "Korrelation med övriga", "index": "",
    "skillnad": "Skillnad", "kvot": "Kvot", "jamforelse": "Jämförelse", "lyckade": "Lyckade", "bas": "Bas",
    "personer": "Personer", "kostnad_kr": "Kostnad (kr)", "vinst_kr": "Vinst (kr)", "netto_kr": "Netto (kr)",
    "vinst_msek": "Vinst (MSEK)", "netto_msek": "Netto (MSEK)", "arlig_kostnad_kr": "Årlig kostnad (kr)",
    "break_even_effekt": "Effekt för att gå jämnt ut", "deltagare": "Deltagare", "H": "H",
}


def column_label(name: object, labels: dict[str, str] | None = None) -> str:
    """The printed header for a column name: ``'pct_Stämmer helt'`` -> ``'Stämmer helt (%)'``.

    Examples
    --------
    >>> column_label("n_valid"), column_label("pct_Stämmer helt"), column_label("n_Vet ej")
    ('Antal svar', 'Stämmer helt (%)', 'Vet ej (antal)')
    >>> column_label("medel_efter_start")
    'Medel efter start'
    """
    key = str(name)
    if labels and key in labels:
        return labels[key]
    if key in _user_labels:
        return _user_labels[key]
    if key in COLUMN_LABELS:
        return COLUMN_LABELS[key]
    if key in VARIABLE_LABELS:
        return VARIABLE_LABELS[key]
    if key.startswith("pct_"):
        return f"{key[4:]} (%)"
    if key.startswith("n_") and not key[2:].islower():
        return f"{key[2:]} (antal)"
    text = key.replace("_", " ").strip()
    if text.islower() and text.isascii():  # ASCII identifiers, not names like "Östra Södertörn"
        text = text[:1].upper() + text[1:]
    return text


# -- labels for variables, items and estimators ------------------------------------------------
# One place for the Swedish names of the identifiers the sample data and the register follow-up
# use. Evaluators add their own with set_labels(...) / labels_context(...) (the report's
# [etiketter] table and the survey's question file) or a labels= argument.

VARIABLE_LABELS: dict[str, str] = {
    "arbete_studier": "Arbete eller studier", "sjukpenningdagar": "Sjukpenningdagar",
    "forsorjningsstod_kr": "Försörjningsstöd (kr)", "forsorjning_fore": "Försörjning före start",
    "manader_stod": "Månader med stöd före start", "person_id": "Person", "deltagare": "Deltagare",
    "forbund": "Förbund", "kommun": "Kommun", "insats": "Insats", "kon": "Kön", "alder": "Ålder",
    "utbildning": "Utbildningsnivå", "roll": "Roll", "respondentgrupp": "Respondentgrupp", "ar": "År",
    "kvartal": "Kvartal", "period": "Period", "start_period": "Startkvartal", "event_time": "Kvartal från start",
    "respondent_id": "Respondent", "kalla": "Källa", "inkomst": "Inkomst", "behandlad": "Behandlad",
    "andel_stod": "Andel med stöd", "pseudo_start": "Jämförelsestart",
}

# Estimator and method identifiers -> plain Swedish names for reader text.
ESTIMATOR_LABELS: dict[str, str] = {
    "twfe": "tvåvägs fixa effekter", "did": "difference-in-differences",
    "cs": "Callaway och Sant'Anna", "callaway_santanna": "Callaway och Sant'Anna",
    "staggered_did": "Callaway och Sant'Anna", "dr": "dubbelt robust", "ipw": "invers sannolikhetsviktning",
    "reg": "regressionsjustering", "entropy": "entropiviktning", "nearest": "närmaste granne",
    "subclass": "subklassificering", "match": "matchning", "mahalanobis": "Mahalanobisavstånd",
    "logit": "logit", "wild": "vild klusterbootstrap", "ri": "randomiseringsinferens", "cluster": "klusterrobust", "robust": "robust (HC)",
    "bootstrap": "bootstrap", "m": "M-skattning", "dynamic": "per kvartal från start",
    "calendar": "per kalenderkvartal", "group": "per startkohort", "simple": "medel över alla efter start",
    "notyet": "ännu inte behandlade", "never": "aldrig behandlade",
}

_user_labels: dict[str, str] = {}


def set_labels(labels: Mapping[str, str] | pd.DataFrame | None, *, replace: bool = False) -> None:
    """Register Swedish labels for variables and items (used by every result's reader text).

    Parameters
    ----------
    labels
        ``{"arbete_studier": "Arbete eller studier", ...}``, or a question file
        (DataFrame with ``item`` and ``text``) whose texts label the items.
    replace
        Drop the labels set before (default: add to them).
    """
    if replace:
        _user_labels.clear()
    _user_labels.update(_as_label_dict(labels))


@contextmanager
def labels_context(labels: Mapping[str, str] | pd.DataFrame | None) -> Iterator[None]:
    """Labels in force inside a ``with`` block (the report runs its analyses inside one)."""
    old = dict(_user_labels)
    try:
        set_labels(labels)
        yield
    finally:
        _user_labels.clear()
        _user_labels.update(old)


def _as_label_dict(labels: Mapping[str, str] | pd.DataFrame | None) -> dict[str, str]:
    if labels is None:
        return {}
    if isinstance(labels, pd.DataFrame):
        if {"item", "text"} <= set(labels.columns):
            return {str(k): str(v) for k, v in zip(labels["item"], labels["text"], strict=True) if pd.notna(v)}
        return {}
    return {str(k): str(v) for k, v in dict(labels).items()}


def label(name: object, labels: Mapping[str, str] | pd.DataFrame | None = None) -> str:
    """The Swedish name of a variable, item or estimator for reader text.

    Looks in ``labels``, then the labels set with :func:`set_labels`, then the
    built-in tables; ``<x>_fore`` is "<x> före start", ``<x>_forandring``
    "Förändring i <x>"; other identifiers lose their underscores.

    Examples
    --------
    >>> label("arbete_studier"), label("arbete_studier_fore"), label("twfe")
    ('Arbete eller studier', 'Arbete eller studier före start', 'tvåvägs fixa effekter')
    >>> label("arbete_studier_forandring")
    'Förändring i arbete eller studier'
    >>> label("s01", {"s01": "Förbundet är känt"})
    'Förbundet är känt'
    """
    key = str(name)
    own = _as_label_dict(labels) if labels is not None else {}
    for table in (own, _user_labels, VARIABLE_LABELS, ESTIMATOR_LABELS):
        if key in table:
            return table[key]
    if ": " in key:  # a level of a categorical covariate: "forsorjning_fore: Sjukpenning"
        head, _, level = key.partition(": ")
        return f"{label(head, labels)}: {level}"
    if key.endswith("_forandring") and len(key) > 11:
        base = label(key[: -len("_forandring")], labels)
        return f"Förändring i {_lower_first(base)}"
    if key.endswith("_fore") and len(key) > 5:
        base = label(key[: -len("_fore")], labels)
        return f"{base} före start"
    if re.fullmatch(r"[a-z0-9]+(?:_[a-z0-9åäö]+)+", key):
        text = key.replace("_", " ")
        return text[:1].upper() + text[1:]
    return key


def _lower_first(text: str) -> str:
    # "Arbete eller studier" -> "arbete eller studier", but keep acronyms and names ("SMD", "Botkyrka").
    if len(text) > 1 and text[0].isupper() and text[1].islower() and text.split()[0] not in _PROPER:
        return text[0].lower() + text[1:]
    return text


_PROPER = {"Botkyrka", "Huddinge", "Södertälje", "Uppsala", "Nykvarn", "Östra", "Försäkringskassan",
           "Arbetsförmedlingen", "Callaway", "Wilson", "Mahalanobis"}


def label_lower(name: object, labels: Mapping[str, str] | pd.DataFrame | None = None) -> str:
    """:func:`label` for use inside a sentence ("effekt på arbete eller studier")."""
    return _lower_first(label(name, labels))


def wrap_label(text: str, width: int = 40) -> str:
    """Wrap a question text for an axis (at word boundaries, ``width`` characters a line)."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


_QUARTER = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[KkQq]\s*([1-4])\s*$")


def fmt_quarter(value: object) -> str:
    """A calendar quarter as Swedish reports print it: ``'2020K1'`` -> ``'2020 K1'``.

    Examples
    --------
    >>> fmt_quarter("2023K1"), fmt_quarter("2023 Q4")
    ('2023 K1', '2023 K4')
    """
    m = _QUARTER.match(str(value))
    return f"{m.group(1)} K{m.group(2)}" if m else str(value)


def fmt_pp(diff: object, decimals: int = 1, *, lang: str | None = None) -> str:
    """A difference of two shares (0-1 scale) in procentenheter: ``0.065 -> '6,5 procentenheter'``.

    Examples
    --------
    >>> fmt_pp(0.065).replace("\u00a0", " ")
    '6,5 procentenheter'
    """
    lang = lang or get_option("lang")
    unit = "procentenheter" if lang == "sv" else "percentage points"
    return f"{fmt_num(100 * float(diff), decimals, lang=lang)}\u00a0{unit}"


def reader_table(df: pd.DataFrame, decimals: int | dict[str, int] | None = None, *,
                 labels: Mapping[str, str] | None = None, index: bool | None = None) -> str:
    """A table as plain text for a reader: Swedish numbers and Swedish column headers.

    Parameters
    ----------
    df
        A result's tidy table (ASCII column names).
    decimals
        As in :func:`format_table`.
    labels
        Header labels (a result's ``column_labels``), before :func:`column_label`.
    index
        Print the index; default: unless it is a plain range.
    """
    out = format_table(df, decimals)
    out.columns = [column_label(c, dict(labels) if labels else None) for c in out.columns]
    if index is None:
        index = not isinstance(df.index, pd.RangeIndex)
    return out.to_string(index=index)
