"""Speed work on ``code_excerpts`` keeps its results bit for bit (issue 13).

Two checks, on the bundled sample excerpts and on 3 000 generated varied
texts (recombined sample sentences, and word salad of codebook terms,
inflections, compounds, negations, hedges, questions, hyphens, capitals,
digits, characters whose lower case changes length, empty and missing
texts), with the default codebook and with a small one that has ``prefix*``
terms, regular expressions and exclusions:

* ``code_excerpts`` (long and wide tables: every column, dtype and value,
  scores as exact floats, negation and hedging flags) equals a
  straightforward reference built here from :meth:`CompiledCodebook.hits`,
  one text at a time, the way the matcher worked before issue 13;
* the same outputs hash to the values recorded in
  ``tests/data/coding_speed_contract.json`` before the speed work. Those
  hashes depend on the codebook and the lexicon: when the default codebook,
  the protected words or simplemma change on purpose, the recorded
  fingerprint no longer matches and that check is skipped (regenerate with
  ``python tests/test_coding_speed_contract.py --record``).

No timings here: speed is measured as ratios in ``benchmarks/bench_coding.py``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from finsam_eval.coding import Code, Codebook, CompiledCodebook, code_excerpts, lexicon

GOLDEN = Path(__file__).parent / "data" / "coding_speed_contract.json"

SMALL = Codebook([
    Code("samverkan", "Samverkan", include=["samverkan", "samverka"]),
    Code("forankring", "Förankring", include=["förankring", "förankra"]),
    Code("mal", "Mål", include=["mål"]),
    Code("ordinarie", "Ordinarie verksamhet", include=["ordinarie verksamhet"]),
    Code("stolarna", "Mellan stolarna", include=["falla mellan stolarna"]),
    Code("ledning", "Ledning", include=["ledning"], exclude=["handledning"]),
    Code("sekretess", "Sekretess", regex=[r"\bOSL\b", r"sekretess\w*", r"(?<=x)"]),
    Code("utveckling", "Utveckling", include=["metodutveckl*", "utveckl*"]),
], name="kontrakt")

_EXTRA = (
    "inte ingen inget inga aldrig saknas saknar brist utan varken knappast kanske delvis ganska nog "
    "i viss mån till viss del inte riktigt inte helt vet inte om det är inte så att vi det måste "
    "men fast eftersom därför medan istället snarare vem vill ha förbundet finsam projektet "
    "samordningsförbundet försäkringskassan arbetsförmedlingen projekttiden tog förstod tagit "
    "fungerar inte finns inte är inte funkar bra dåligt och eller att som de vi man jag ni"
).split()
_PUNCT = [".", ",", "?", "!", ";", ":", " (", ")", " –", "—", " - ", "-", "", "", "", ""]
_ODD = ["İstanbul", "ẞTRASSE", "Ǉubljana", "FINSAM-insatser", "samverkans- och", "2024", "OSL", "x",
        "Å", "ÖVERENSKOMMELSE", "café", "naïve", "  ", "\n", "\t"]


def _vocabulary(cc: CompiledCodebook) -> list[str]:
    words: list[str] = []
    for t in cc.terms:
        words += [w for w in re.findall(r"[^\s*]+", t.term) if w.isalpha()]
    words = sorted(set(words))
    suffixes = ["", "", "", "en", "et", "er", "erna", "ar", "arna", "s", "ade", "at", "ande", "na", "ns", "e"]
    rng = random.Random(7)
    out = list(words)
    for w in words:
        out.append(w + rng.choice(suffixes))
    for _ in range(len(words)):
        a, b = rng.choice(words), rng.choice(words)
        out.append(a + rng.choice(["", "s"]) + b)
        out.append(rng.choice(["myndighets", "förbunds", "metod", "projekt", "lokal"]) + b)
    return out + sorted(lexicon.PROTECTED)


def generated_texts(n: int = 3000, seed: int = 13) -> list[object]:
    """Deterministic, varied texts (the stdlib generator, so they do not depend on numpy)."""
    from finsam_eval import load_sample

    sample = load_sample("excerpts")["text"].dropna().tolist()
    sentences = [s.strip() for t in sample for s in re.split(r"(?<=[.!?])\s+", t) if s.strip()]
    vocab = _vocabulary(CompiledCodebook(Codebook.default())) + _vocabulary(CompiledCodebook(SMALL)) + _EXTRA
    rng = random.Random(seed)
    out: list[object] = []
    for i in range(n):
        r = i % 10
        if r == 0 and i % 50 == 0:
            out.append(rng.choice([None, "", "   ", float("nan"), "...", "?"]))
        elif r < 4:
            out.append(" ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4))))
        else:
            parts = []
            for _ in range(rng.randint(1, 40)):
                w = rng.choice(_EXTRA) if rng.random() < 0.35 else rng.choice(vocab)
                if rng.random() < 0.1:
                    w = w.upper() if rng.random() < 0.5 else w.capitalize()
                if rng.random() < 0.03:
                    w = rng.choice(_ODD)
                parts.append(w + (rng.choice(_PUNCT) if rng.random() < 0.2 else ""))
            out.append(" ".join(parts))
    return out


def frame(texts: list[object]) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame({
        "excerpt_id": [f"u{i}" if i % 7 == 0 else 1000 + i for i in range(n)],
        "respondent_id": [f"R{i % 97:03d}" for i in range(n)],
        "forbund": ["Botkyrka", "Uppsala", "Huddinge"] * (n // 3) + ["Botkyrka"] * (n % 3),
        "score": [i % 5 for i in range(n)],  # clashes with a result column: becomes utdrag_score
        "text": texts,
    }, index=pd.RangeIndex(5, 5 + n) if n % 2 else None)


# -- the straightforward reference (the matcher's row-dict path before issue 13) ------------------
def reference_long(excerpts: pd.DataFrame, cc: CompiledCodebook, *, min_score: float = 1.0,
                   codes: list[str] | None = None, id_col: str = "excerpt_id") -> pd.DataFrame:
    from finsam_eval.coding.matching import _REPEAT_WEIGHT, WEIGHTS
    from finsam_eval.coding.results import attach_metadata

    cb = cc.codebook
    order = {c: i for i, c in enumerate(cb.ids)}
    keep = set(codes) if codes is not None else None
    rows = []
    ids = excerpts[id_col].tolist()
    for pos, text in enumerate(excerpts["text"].tolist()):
        if not isinstance(text, str) or not text.strip():
            continue
        hits = cc.hits(text)
        excl: dict[str, list[tuple[int, int]]] = {}
        for h in hits:
            if h.exclude:
                excl.setdefault(h.code, []).append((h.start, h.end))
        per_code: dict[str, list] = {}
        for h in hits:
            if h.exclude or any(a <= h.end and h.start <= b for a, b in excl.get(h.code, ())):
                continue
            per_code.setdefault(h.code, []).append(h)
        for code in sorted(per_code, key=order.__getitem__):
            if keep is not None and code not in keep:
                continue
            hs = per_code[code]
            best: dict[str, float] = {}
            extra = 0.0
            for h in hs:
                w = WEIGHTS[h.kind] * h.weight
                if h.term in best:
                    extra += _REPEAT_WEIGHT
                    best[h.term] = max(best[h.term], w)
                else:
                    best[h.term] = w
            score = round(sum(best.values()) + extra, 4)
            if score < min_score:
                continue
            rows.append({
                "_pos": pos, id_col: ids[pos], "code": code, "label": cb.labels[code], "score": score,
                "n_hits": len(hs),
                "matched_terms": list(dict.fromkeys(h.term for h in hs)),
                "matched_text": list(dict.fromkeys(text[h.char_start:h.char_end] for h in hs)),
                "negated": all(h.negated for h in hs),
                "hedged": any(h.hedged for h in hs),
                "spans": [(h.char_start, h.char_end) for h in hs],
            })
    cols = ["_pos", id_col, "code", "label", "score", "n_hits", "matched_terms", "matched_text", "negated",
            "hedged", "spans"]
    long = attach_metadata(pd.DataFrame(rows, columns=cols), excerpts, id_col)
    long["negated"] = long["negated"].astype(bool)
    long["hedged"] = long["hedged"].astype(bool)
    return long.assign(kodkalla="kodbok")


# -- hashing ---------------------------------------------------------------------------------------
def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


def long_digest(long: pd.DataFrame) -> str:
    head = [repr(list(long.columns)), repr([str(d) for d in long.dtypes]), repr(list(long.index))]
    return _digest(head + [repr(tuple(r)) for r in long.astype(object).itertuples(index=False, name=None)])


def wide_digest(wide: pd.DataFrame) -> str:
    return _digest([repr(list(wide.columns)), repr(list(wide.index)), repr([str(d) for d in wide.dtypes]),
                    wide.to_numpy().tobytes().hex()])


def hits_digest(cc: CompiledCodebook, texts: list[object]) -> str:
    rows = []
    for t in texts:
        hs = cc.hits(t) if isinstance(t, str) else []
        rows.append(repr([(h.code, h.term, h.kind, h.start, h.end, h.char_start, h.char_end, h.negated,
                           h.hedged, h.exclude, h.weight) for h in hs]))
    return _digest(rows)


def fingerprint() -> str:
    """What the recorded hashes depend on besides the matcher: codebooks, protected words, lemmas."""
    import simplemma

    parts = [repr(CompiledCodebook(cb).terms) for cb in (Codebook.default(), SMALL)]
    parts += [repr(sorted(lexicon.PROTECTED)), simplemma.__version__ if hasattr(simplemma, "__version__") else ""]
    return _digest(parts)


def _cases() -> dict[str, tuple[pd.DataFrame, Codebook, dict]]:
    from finsam_eval import load_sample

    sample = load_sample("excerpts")
    gen = frame(generated_texts())
    return {
        "sample": (sample, Codebook.default(), {}),
        "generated": (gen, Codebook.default(), {}),
        "generated_low_codes": (gen, Codebook.default(), {"min_score": 0.5,
                                                          "codes": ["samverkan", "forankring", "samsyn", "legitimitet"]}),
        "generated_no_respondent": (gen.iloc[:800], Codebook.default(), {"respondent_col": None, "min_score": 2.0}),
        "generated_small": (gen, SMALL, {"min_score": 0.75}),
    }


def outputs(name: str, df: pd.DataFrame, cb: Codebook, kw: dict) -> dict[str, str]:
    cc = CompiledCodebook(cb)
    res = code_excerpts(df, cc, **kw)
    out = {"long": long_digest(res.long), "wide": wide_digest(res.wide), "n_long": str(len(res.long))}
    if name in ("sample", "generated", "generated_small"):
        out["hits"] = hits_digest(cc, df["text"].tolist())
    return out


@pytest.fixture(scope="module")
def cases():
    return _cases()


@pytest.fixture(params=[True, False], ids=["lemma", "no_lemma"])
def lemma_state(request):
    before = lexicon.lemma_enabled()
    lexicon.set_lemma(request.param)
    yield request.param
    lexicon.set_lemma(before)


@pytest.mark.parametrize("name", ["sample", "generated", "generated_low_codes", "generated_no_respondent",
                                  "generated_small"])
def test_code_excerpts_equals_the_straightforward_reference(cases, name, lemma_state):
    df, cb, kw = cases[name]
    cc = CompiledCodebook(cb)
    res = code_excerpts(df, cc, **kw)
    ref_kw = {k: v for k, v in kw.items() if k != "respondent_col"}
    ref = reference_long(df, CompiledCodebook(cb), **ref_kw)
    pd.testing.assert_frame_equal(res.long, ref, check_exact=True)
    assert list(res.long.dtypes) == list(ref.dtypes)


@pytest.mark.parametrize("name", ["sample", "generated", "generated_low_codes", "generated_no_respondent",
                                  "generated_small"])
def test_outputs_equal_the_hashes_recorded_before_the_speed_work(cases, name, lemma_state):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if golden["fingerprint"] != fingerprint():
        pytest.skip("codebook, protected words or simplemma changed since the hashes were recorded; "
                    "the reference comparison still runs (regenerate: python tests/test_coding_speed_contract.py --record)")
    df, cb, kw = cases[name]
    assert outputs(name, df, cb, kw) == golden["lemma" if lemma_state else "no_lemma"][name]


def test_generated_texts_are_varied():
    texts = generated_texts()
    res = code_excerpts(frame(texts), CompiledCodebook(Codebook.default()))
    long = res.long
    assert len(texts) == 3000 and len(long) > 3000
    assert long["negated"].any() and long["hedged"].any() and (~long["negated"]).any()
    assert long["code"].nunique() == len(Codebook.default().ids)
    assert "utdrag_score" in long.columns


def _record() -> None:
    data: dict = {"fingerprint": fingerprint()}
    before = lexicon.lemma_enabled()
    cases = _cases()
    for state in (True, False):
        lexicon.set_lemma(state)
        data["lemma" if state else "no_lemma"] = {n: outputs(n, *c) for n, c in cases.items()}
    lexicon.set_lemma(before)
    GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    if "--record" in sys.argv:
        _record()


def test_code_excerpts_makes_no_hit_objects_and_restores_the_collector(monkeypatch):
    import gc

    from finsam_eval import load_sample
    from finsam_eval.coding import matching

    def no_hit(*a, **k):
        raise AssertionError("code_excerpts built a Hit object")

    monkeypatch.setattr(matching, "Hit", no_hit)
    assert gc.isenabled()
    res = code_excerpts(load_sample("excerpts"))
    assert len(res.long) > 0 and gc.isenabled()
    gc.disable()  # a caller who turned it off keeps it off
    try:
        code_excerpts(load_sample("excerpts").head(20))
        assert not gc.isenabled()
    finally:
        gc.enable()


def _texts_with_structure() -> list[str]:
    hand = ["inte X utan det måste förankras", "utan, det", "men utan", "utan utan det. istället vi",
            "a. b! c? men d, utan vi", "?!. inte (ingen) – samsyn — saknas; eller: inte så att vi saknar samsyn?",
            "vem vill inte ha samsyn?? Ingen.", "eftersom, därför medan snarare istället", "İstanbul. ẞTRASSE, utan det"]
    return hand + [t for t in generated_texts() if isinstance(t, str)]


def test_clause_boundaries_equal_the_clause_walk_of_scan():
    """The fast path's clause boundaries, marks and sentences agree with :meth:`_scan`'s walk, token by token."""
    from bisect import bisect_right

    from finsam_eval.coding.matching import _WORD_SPLIT_RE, _boundaries

    cc = CompiledCodebook(SMALL)
    cc._prepare_fast()
    checked = 0
    for text in _texts_with_structure():
        toks, _starts, _ends, clause, closing, _raw = cc._scan(text)
        if not toks:
            continue
        low = text.lower()
        parts = _WORD_SPLIT_RE.split(low if len(low) == len(text) else text)
        assert [t.lower() for t in parts[1::2]] == toks
        mw, marks = cc._gap_marks(parts)
        bounds = _boundaries(toks, mw)
        assert [bisect_right(bounds, k) for k in range(len(toks))] == clause
        sent = [p for p, x in zip(mw, marks) if x in ".!?"]
        assert [bisect_right(sent, k) for k in range(len(toks))] == cc._sentence
        for k in range(len(toks)):  # the first mark at the end of a token's clause closes it
            q = bisect_right(bounds, k)
            end = bounds[q] if q < len(bounds) else len(toks)
            m = bisect_right(mw, end - 1)
            close = marks[m] if m < len(mw) and mw[m] == end else None
            assert close == closing.get(clause[k])
        checked += 1
    assert checked > 2500


@pytest.mark.parametrize("cap", [0, 50])
def test_full_token_caches_give_the_same_results(monkeypatch, cases, cap):
    """With every per-token cache capped (none stored, or 50 entries), results equal the reference and
    no cache grows past its cap."""
    from finsam_eval.coding import matching

    monkeypatch.setattr(matching, "_CACHE_CAP", cap)
    df, cb, kw = cases["generated"]
    cc = CompiledCodebook(cb)
    res = code_excerpts(df, cc, **kw)
    pd.testing.assert_frame_equal(res.long, reference_long(df, CompiledCodebook(cb), **kw), check_exact=True)
    caches = [cc._fast, cc._items_cache[True], cc._items_cache[False], cc._cache, cc._info]
    assert all(len(c) <= cap for c in caches)


def test_a_call_leaves_no_codebook_or_caches_behind():
    """The codebook compiled inside a call (and its token caches) is freed by reference counting when
    the call returns: no reference cycle waits for the collector."""
    import gc
    import weakref

    from finsam_eval.coding import matching

    made = []
    real = matching.CompiledCodebook

    class Spy(real):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(weakref.ref(self))

    gc.disable()
    try:
        matching.CompiledCodebook = Spy
        res = code_excerpts(frame(generated_texts(300)), Codebook.default())
        assert len(res.long) > 0 and len(made) == 1
        assert made[0]() is None
    finally:
        matching.CompiledCodebook = real
        gc.enable()


def test_the_collector_comes_back_as_it_was():
    """Enabled after the call; the caller's frozen objects stay frozen."""
    import gc

    df = frame(generated_texts(200))
    code_excerpts(df)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()
    try:
        n = gc.get_freeze_count()
        code_excerpts(df)
        assert gc.isenabled() and gc.get_freeze_count() == n
    finally:
        gc.unfreeze()


def test_long_calls_show_progress(monkeypatch):
    """``code_excerpts`` on 5 000 excerpts or more goes through the progress helper; short calls do not."""
    from finsam_eval import _progress

    seen = []
    real = _progress.progress

    def spy(iterable=None, **kw):
        seen.append(kw.get("desc"))
        return real(iterable, **kw)

    monkeypatch.setattr(_progress, "progress", spy)
    texts = [t if isinstance(t, str) else "" for t in generated_texts(1000)] * 5
    df = pd.DataFrame({"excerpt_id": range(len(texts)), "text": texts})
    code_excerpts(df, respondent_col=None)
    assert seen == ["Kodar utdrag"]
    code_excerpts(df.head(100), respondent_col=None)
    assert seen == ["Kodar utdrag"]
