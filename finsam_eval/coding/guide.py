"""Structural coding by interview guide: the question an answer replies to gives its theme.

In a semi-structured interview the theme often sits in the interviewer's
question, not in the answer ("Nej, inte alls. Det fungerar bra."). An
:class:`Intervjuguide` is the evaluator's guide written once in YAML: for
each question an id, the text, the codes it asks about and optional
follow-up questions. :meth:`Intervjuguide.match` links every answer to a
guide question by the text similarity of the interviewer's question as
spoken (the ``fraga`` column that :func:`~finsam_eval.io.read_excerpts`
keeps for transcripts) to the guide's wording: TF-IDF on character
n-grams within words (3-5), cosine similarity, the best question above a
threshold. Answers below it are listed, never dropped silently. A short
follow-up ("Hur menar du då?") that matches nothing continues the question
before it in the same interview, and is marked so.

:meth:`Intervjuguide.code` gives each linked answer the guide's codes as
*structural codes* (``kodkalla = "intervjuguide"``) and, given a content
coding from :func:`~finsam_eval.coding.code_excerpts` (``kodkalla =
"kodbok"``), puts both in one :class:`~finsam_eval.coding.CodingResult`.
:meth:`Intervjuguide.table` and :meth:`Intervjuguide.method_text` go into
the report's method appendix.

YAML format::

    name: Intervjuguide samverkan 2025
    description: Semistrukturerade intervjuer med styrelse, beredningsgrupp och samordnare.
    codes:                 # optional: structural codes that are not in the codebook
      bakgrund: Bakgrund och roll
    questions:
      - id: F1
        tema: Bakgrund
        text: Kan du berätta om din roll och hur du kom in i förbundets arbete?
        codes: [bakgrund]
      - id: F2
        tema: Legitimitet
        text: Hur känt är förbundet inne i din egen organisation?
        codes: [legitimitet]
        followups:
          - Vet dina kollegor vad förbundet gör?
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import CodebookError, InputFileError, MissingColumnError, SchemaError
from ..results import Exclusions, ResultMixin
from ..sv import fmt_num
from .codebook import Code, Codebook

__all__ = ["Intervjuguide", "GuideQuestion", "GuideMatch", "DEFAULT_THRESHOLD"]

#: Smallest cosine similarity (character 3-5-grams) for an answer's question to count as a guide question.
#: On the sample transcripts (63 answers with a guide question, checked by hand) correct links reach down
#: to 0,19 and probes without content of their own stay below 0,11.
DEFAULT_THRESHOLD = 0.2
#: The best guide question must beat the second best by this much; a tie is listed, not guessed.
MIN_MARGIN = 0.03
#: A question of at most this many words that resembles no guide question continues the one before.
FOLLOWUP_WORDS = 8
#: Below this similarity a short question has no content of its own ("Hur menar du?").
PROBE_SIMILARITY = 0.1
#: Probes that continue the question before, whatever their similarity.
PROBE_RE = re.compile(
    r"^\W*(?:(?:mm|okej|ja|jaha|precis|och)\W+)*(?:hur\s+menar\s+du|hur\s+då|varför|kan\s+du\s+(?:ge\s+(?:ett\s+)?"
    r"exempel|utveckla|berätta\s+mer|säga\s+mer)|på\s+vilket\s+sätt|i\s+vilken\s+mening|berätta\s+mer|och\s+sen|"
    r"hur\s+kommer\s+det\s+sig)",
    re.IGNORECASE,
)
#: Closing questions that never continue a guide question ("Vill du lägga till något?").
CLOSING_RE = re.compile(r"lägga\s+till\s+något|något\s+(?:mer|annat)\s+(?:du|ni)\s+vill|innan\s+vi\s+(?:slutar|avslutar)",
                        re.IGNORECASE)

_KEYS = {
    "id": ("id", "fraga_id", "nr", "nummer"),
    "text": ("text", "fraga", "fråga", "question"),
    "codes": ("codes", "koder", "kod"),
    "followups": ("followups", "foljdfragor", "följdfrågor", "follow_ups", "foljdfraga", "följdfråga"),
    "tema": ("tema", "theme", "avsnitt", "block"),
}


@dataclass
class GuideQuestion:
    """One question of an interview guide.

    Parameters
    ----------
    id
        Short id used in tables (``F3``, ``2a``).
    text
        The question as written in the guide.
    codes
        Code ids the question asks about (structural codes of its answers).
    followups
        Follow-up questions (probes); an answer to one of them is an answer
        to this question.
    tema
        Section of the guide the question belongs to (shown in the appendix).
    """

    id: str
    text: str
    codes: list[str] = field(default_factory=list)
    followups: list[str] = field(default_factory=list)
    tema: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id}
        if self.tema:
            d["tema"] = self.tema
        d["text"] = self.text
        d["codes"] = list(self.codes)
        if self.followups:
            d["followups"] = list(self.followups)
        return d


def _pick(d: dict[str, Any], key: str) -> Any:
    for k in _KEYS[key]:
        if k in d:
            return d[k]
    return None


def _as_list(v: Any, where: str, what: str) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [p.strip() for p in v.replace(";", ",").split(",") if p.strip()] if what == "codes" else [v.strip()]
    if isinstance(v, (list, tuple)):
        out = []
        for x in v:
            if isinstance(x, (list, dict, tuple)):
                raise SchemaError(f"Intervjuguiden{where}: {what} ska vara en lista av texter, fick {x!r}.")
            out.append(str(x).strip())
        return [x for x in out if x]
    raise SchemaError(f"Intervjuguiden{where}: {what} ska vara en lista, fick {type(v).__name__}.")


class Intervjuguide:
    """An interview guide: questions, the codes each asks about, follow-ups.

    Parameters
    ----------
    questions
        :class:`GuideQuestion` objects (or dicts with ``id``, ``text``,
        ``codes``, ``followups``, ``tema``), in the guide's order.
    name, description
        Shown in the method appendix.
    codes
        Structural codes that are not in the codebook: ``{id: label}`` or
        ``{id: {"label": ..., "definition": ..., "parent": ...}}``. They are
        added to the codebook of the structural coding without terms (only
        the guide gives them).

    Examples
    --------
    >>> g = Intervjuguide([
    ...     {"id": "F1", "text": "Hur känt är förbundet i din organisation?", "codes": ["legitimitet"]},
    ...     {"id": "F2", "text": "Delar parterna bilden av vad som är problemet?", "codes": ["samsyn"]}])
    >>> g.table()[["fraga_id", "koder"]].values.tolist()
    [['F1', 'legitimitet'], ['F2', 'samsyn']]
    >>> ex = pd.DataFrame({"excerpt_id": ["a", "b"], "respondent_id": ["H:R1", "H:R2"],
    ...                    "fraga": ["Och hur känt är förbundet i er organisation?", "Vädret?"],
    ...                    "text": ["Nej, inte alls.", "Regn."]})
    >>> m = g.match(ex)
    >>> m.table()[["excerpt_id", "fraga_id", "kopplad"]].values.tolist()
    [['a', 'F1', 'likhet'], ['b', None, 'ingen']]
    """

    def __init__(self, questions: list[GuideQuestion | dict[str, Any]], *, name: str = "intervjuguide",
                 description: str = "", codes: dict[str, Any] | None = None) -> None:
        qs: list[GuideQuestion] = []
        for i, q in enumerate(questions):
            where = f" (fråga {i + 1})"
            if isinstance(q, dict):
                qid, text = _pick(q, "id"), _pick(q, "text")
                if qid is None or str(qid).strip() == "":
                    raise SchemaError(f"Intervjuguiden{where}: frågan saknar id; ge varje fråga ett id (t.ex. id: F{i + 1}).")
                where = f" (fråga {qid})"
                if not isinstance(text, str) or not text.strip():
                    raise SchemaError(f"Intervjuguiden{where}: frågan saknar text; skriv frågan som i guiden under text:.")
                q = GuideQuestion(id=str(qid).strip(), text=" ".join(text.split()),
                                  codes=_as_list(_pick(q, "codes"), where, "codes"),
                                  followups=_as_list(_pick(q, "followups"), where, "followups"),
                                  tema=None if _pick(q, "tema") is None else str(_pick(q, "tema")).strip())
            elif not isinstance(q, GuideQuestion):
                raise SchemaError(f"Intervjuguiden{where}: en fråga ska vara en GuideQuestion eller en ordlista.")
            qs.append(q)
        if not qs:
            raise SchemaError("Intervjuguiden har inga frågor; lägg till dem under questions:.")
        ids = [q.id for q in qs]
        dup = sorted({x for x in ids if ids.count(x) > 1})
        if dup:
            raise SchemaError(f"Intervjuguiden har fråge-id som förekommer flera gånger: {dup}; ge varje fråga ett unikt id.")
        self.questions = qs
        self.name = name
        self.description = description
        self.extra_codes: dict[str, dict[str, Any]] = {}
        for cid, spec in (codes or {}).items():
            spec = {"label": spec} if isinstance(spec, str) else dict(spec or {})
            if not spec.get("label"):
                raise SchemaError(f"Intervjuguiden: koden {cid!r} under codes: saknar etikett (label).")
            self.extra_codes[str(cid)] = spec

    # -- serialisation --------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any, *, where: str = "") -> Intervjuguide:
        if isinstance(data, list):
            data = {"questions": data}
        if not isinstance(data, dict):
            raise SchemaError(f"Intervjuguiden{where} ska vara en YAML-mappning med nyckeln questions:.")
        qs = data.get("questions", data.get("fragor", data.get("frågor")))
        if not isinstance(qs, list):
            raise SchemaError(f"Intervjuguiden{where} ska ha nyckeln questions: med en lista av frågor (id, text, codes).")
        return cls(qs, name=str(data.get("name") or data.get("namn") or "intervjuguide"),
                   description=str(data.get("description") or data.get("beskrivning") or "").strip(),
                   codes=data.get("codes") or data.get("koder"))

    @classmethod
    def from_yaml(cls, source: str | Path) -> Intervjuguide:
        """Read a guide from a YAML file (or YAML text).

        Examples
        --------
        >>> g = Intervjuguide.from_yaml('''
        ... name: Guide
        ... codes: {bakgrund: Bakgrund och roll}
        ... questions:
        ...   - id: F1
        ...     text: Vad är din roll?
        ...     codes: [bakgrund]
        ...   - id: F2
        ...     text: Hur känt är förbundet?
        ...     codes: [legitimitet]
        ...     followups:
        ...       - Vet dina chefer det?
        ... ''')
        >>> len(g), g.questions[1].followups, Intervjuguide.from_yaml(g.to_yaml()) == g
        (2, ['Vet dina chefer det?'], True)

        Raises
        ------
        InputFileError
            The file does not exist or is not valid YAML (the line is named).
        SchemaError
            A question without id or text, duplicate ids.
        """
        where = ""
        if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                         and source.strip().endswith((".yaml", ".yml"))):
            path = Path(source)
            if not path.is_file():
                raise InputFileError(f"Intervjuguiden {str(path)!r} finns inte; ange sökvägen till YAML-filen.")
            text, where = path.read_text(encoding="utf-8-sig"), f" {path.name}"
        else:
            text = str(source)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" på rad {mark.line + 1}" if mark is not None else ""
            raise InputFileError(
                f"Intervjuguiden{where} är inte giltig YAML{line}: {exc}. En fråga med ? eller : inom [ ] eller "
                "{ } ska stå inom citattecken eller i blockform (en per rad efter '- ')."
            ) from None
        return cls.from_dict(data, where=where)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name}
        if self.description:
            d["description"] = self.description
        if self.extra_codes:
            d["codes"] = {k: (v["label"] if set(v) == {"label"} else v) for k, v in self.extra_codes.items()}
        d["questions"] = [q.to_dict() for q in self.questions]
        return d

    def to_yaml(self, path: str | Path | None = None) -> str:
        """YAML text (UTF-8, å/ä/ö kept); written to ``path`` when given."""
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def __len__(self) -> int:
        return len(self.questions)

    def __repr__(self) -> str:
        return f"Intervjuguide({self.name!r}, {len(self)} frågor)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Intervjuguide) and self.to_dict() == other.to_dict()

    # -- for the method appendix --------------------------------------------------------
    def table(self, codebook: Codebook | None = None) -> pd.DataFrame:
        """One row per question: ``fraga_id``, ``tema``, ``fraga``, ``koder`` (labels with ``codebook``), ``foljdfragor``."""
        labels = dict(codebook.labels) if codebook is not None else {}
        labels.update({k: v["label"] for k, v in self.extra_codes.items()})
        rows = [{"fraga_id": q.id, "tema": q.tema or "", "fraga": q.text,
                 "koder": ", ".join(labels.get(c, c) for c in q.codes),
                 "foljdfragor": " / ".join(q.followups)} for q in self.questions]
        t = pd.DataFrame(rows, columns=["fraga_id", "tema", "fraga", "koder", "foljdfragor"])
        t.attrs["suppression"] = "ej tillämplig"
        return t

    def method_text(self, match: GuideMatch | None = None) -> str:
        """A paragraph for the method appendix: the guide, how answers were linked, how many were not.

        Examples
        --------
        >>> g = Intervjuguide([{"id": "F1", "text": "Hur känt är förbundet?", "codes": ["legitimitet"]}])
        >>> g.method_text().split(".")[0]
        'Intervjuerna följde en semistrukturerad intervjuguide med 1 fråga'
        """
        n = len(self)
        themes = list(dict.fromkeys(q.tema for q in self.questions if q.tema))
        s = (f"Intervjuerna följde en semistrukturerad intervjuguide med {n} {'fråga' if n == 1 else 'frågor'}"
             + (f" i {len(themes)} teman ({', '.join(themes)})" if themes else "") + ". "
             "Varje svar kopplades till den fråga i guiden som intervjuarens fråga liknade mest (textlikhet på "
             "teckenföljder, cosinuslikhet mellan TF-IDF-vektorer), och fick frågans teman som strukturella koder "
             "bredvid de innehållskoder som svaret självt gav.")
        if match is not None:
            t = match.table()
            k = int((t["kopplad"] != "ingen").sum())
            inh = int((t["kopplad"] == "föregående fråga").sum())
            s += (f" {k} av {len(t)} svar kopplades till en fråga (gräns för likhet {fmt_num(match.threshold, 2)})"
                  + (f", varav {inh} korta följdfrågor till frågan före" if inh else "") + "; "
                  f"{len(t) - k} svar kunde inte kopplas och fick inga strukturella koder.")
        return s

    # -- matching ------------------------------------------------------------------------
    def _texts(self) -> tuple[list[str], list[int]]:
        texts, owner = [], []
        for i, q in enumerate(self.questions):
            for t in [q.text, *q.followups]:
                texts.append(t)
                owner.append(i)
        return texts, owner

    def similarity(self, questions: list[str] | pd.Series) -> pd.DataFrame:
        """Cosine similarity of each spoken question (rows) to each guide question (columns, by id).

        TF-IDF on character 3-5-grams within words (lower case), fitted on
        the guide's texts and the spoken questions together; a guide question
        scores the best of its own text and its follow-ups.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics.pairwise import cosine_similarity

        spoken = ["" if (q is None or (isinstance(q, float) and np.isnan(q))) else str(q) for q in questions]
        gtexts, owner = self._texts()
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True)
        vec.fit(gtexts + [s for s in spoken if s.strip()])
        sim = cosine_similarity(vec.transform(spoken), vec.transform(gtexts)) if spoken else np.zeros((0, len(gtexts)))
        out = np.zeros((len(spoken), len(self.questions)))
        for j, i in enumerate(owner):
            out[:, i] = np.maximum(out[:, i], sim[:, j])
        return pd.DataFrame(out, columns=[q.id for q in self.questions])

    def match(self, excerpts: pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD, fraga_col: str = "fraga",
              id_col: str = "excerpt_id", followups: bool = True) -> GuideMatch:
        """Link each answer to the guide question its ``fraga`` is most like.

        Parameters
        ----------
        excerpts
            Answers with the interviewer's question in ``fraga_col`` (from
            :func:`~finsam_eval.io.read_excerpts` on transcripts).
        threshold
            Smallest cosine similarity for a link (default 0,2); the best
            question must also beat the second by :data:`MIN_MARGIN` (a tie
            is listed as unmatched, not guessed).
        fraga_col, id_col
            Column names.
        followups
            A probe ("Hur menar du?", "Varför det?", "Kan du ge ett
            exempel?", or any question of at most 8 words that resembles no
            guide question) continues the guide question before it in the
            same interview (``fil``, else respondent); ``kopplad`` then reads
            "föregående fråga". Closing questions ("Vill du lägga till
            något?") never do.

        Returns
        -------
        GuideMatch
            ``.table()`` one row per answer; ``.unmatched()`` the answers
            without a link.
        """
        for col in (fraga_col, id_col):
            if col not in excerpts.columns:
                raise MissingColumnError(
                    f"Intervjuguide.match: kolumnen {col!r} saknas; kolumner: {list(excerpts.columns)}. "
                    + ("Läs utskrifterna med read_excerpts, som sparar intervjuarens fråga i kolumnen 'fraga'."
                       if col == fraga_col else "")
                )
        if not 0 <= threshold <= 1:
            raise ValueError(f"threshold ska ligga mellan 0 och 1, fick {threshold}.")
        ex = excerpts.reset_index(drop=True)
        sim = self.similarity(ex[fraga_col]).to_numpy()
        ids = [q.id for q in self.questions]
        if len(sim):
            order = np.sort(sim, axis=1)
            best, best_sim = sim.argmax(axis=1), order[:, -1]
            margin = order[:, -1] - order[:, -2] if sim.shape[1] > 1 else order[:, -1]
        group_col = next((c for c in ("fil", "respondent_id") if c in ex.columns and ex[c].notna().any()), None)
        rows = []
        prev: dict[Any, str | None] = {}
        for pos in range(len(ex)):
            q = ex[fraga_col].iloc[pos]
            has_q = isinstance(q, str) and q.strip() != ""
            grp = ex[group_col].iloc[pos] if group_col else None
            s = float(best_sim[pos]) if has_q else np.nan
            short = has_q and len(q.split()) <= FOLLOWUP_WORDS
            probe = has_q and (bool(PROBE_RE.match(q)) or (short and s < PROBE_SIMILARITY)) \
                and not CLOSING_RE.search(q)
            qid, how, why = None, "ingen", ""
            if not has_q:
                why = "svaret saknar intervjuarens fråga"
            elif probe and followups and prev.get(grp):
                qid, how = prev[grp], "föregående fråga"
            elif s >= threshold and margin[pos] >= MIN_MARGIN:
                qid, how = ids[int(best[pos])], "likhet"
            elif s >= threshold:
                second = ids[int(np.argsort(sim[pos])[-2])]
                why = f"två frågor i guiden är lika nära ({ids[int(best[pos])]} och {second})"
            elif CLOSING_RE.search(q):
                why = "avslutande fråga utanför guiden"
            else:
                why = "likheten är under gränsen"
            if has_q:
                prev[grp] = qid if qid is not None else (prev.get(grp) if probe else None)
            rows.append({id_col: ex[id_col].iloc[pos], "fraga": q if has_q else None, "fraga_id": qid,
                         "guidefraga": self.questions[ids.index(qid)].text if qid else None,
                         "likhet": s, "basta_fraga_id": ids[int(best[pos])] if has_q else None, "kopplad": how,
                         "orsak": why})
        t = pd.DataFrame(rows)
        for c in ("fraga", "fraga_id", "guidefraga", "basta_fraga_id"):
            t[c] = t[c].astype(object).where(t[c].notna(), None)
        return GuideMatch(matches=t, guide=self, threshold=threshold, id_col=id_col)

    # -- structural coding -----------------------------------------------------------------
    def codebook_for(self, codebook: Codebook | None = None) -> Codebook:
        """``codebook`` (default: the built-in themes) with the guide's own codes added; every guide code checked."""
        cb = (codebook if codebook is not None else Codebook.default()).copy()
        for cid, spec in self.extra_codes.items():
            if cid not in cb:
                cb.add(Code(cid, str(spec["label"]), definition=str(spec.get("definition") or ""),
                            parent=spec.get("parent")))
        cb.validate()
        for q in self.questions:
            bad = [c for c in q.codes if c not in cb]
            if bad:
                raise CodebookError(
                    f"Intervjuguiden: fråga {q.id} har koderna {bad}, som inte finns i kodboken {cb.name!r}. "
                    f"Rätta id:t, välj en annan kodbok eller definiera koden under codes: i guiden."
                )
        return cb

    def code(self, excerpts: pd.DataFrame, content: Any = None, *, codebook: Codebook | None = None,
             threshold: float = DEFAULT_THRESHOLD, fraga_col: str = "fraga", text_col: str = "text",
             id_col: str = "excerpt_id", respondent_col: str | None = "respondent_id",
             followups: bool = True) -> Any:
        """Structural codes from the guide for every linked answer, next to content codes.

        Parameters
        ----------
        excerpts
            The answers (with ``fraga``).
        content
            A :class:`~finsam_eval.coding.CodingResult` of the same excerpts
            (``code_excerpts``, a suggester's codes or human codes); its codes
            keep their source in ``kodkalla``.
        codebook
            Codebook the guide's codes belong to; default the content coding's
            codebook, else the built-in themes.
        threshold, fraga_col, followups
            See :meth:`match`.

        Returns
        -------
        CodingResult
            ``long`` has one row per answer, code and source; ``kodkalla`` is
            ``"intervjuguide"`` for structural codes (``matched_terms`` holds
            the guide question's id, ``score`` the similarity). Answers that
            could not be linked are recorded in ``exclusions`` (as "fick inga
            strukturella koder") and listed by ``.guide_match.unmatched()``.

        Examples
        --------
        >>> g = Intervjuguide([{"id": "F1", "text": "Hur känt är förbundet i din organisation?",
        ...                     "codes": ["legitimitet"]}])
        >>> ex = pd.DataFrame({"excerpt_id": ["a"], "respondent_id": ["H:R1"], "text": ["Nej, inte alls."],
        ...                    "fraga": ["Hur känt är förbundet hos er?"]})
        >>> res = g.code(ex)
        >>> res.long[["excerpt_id", "code", "kodkalla"]].values.tolist()
        [['a', 'legitimitet', 'intervjuguide']]
        """
        from .results import CodingResult, attach_metadata

        if content is not None and not isinstance(content, CodingResult):
            raise SchemaError(f"Intervjuguide.code: content ska vara ett CodingResult, fick {type(content).__name__}.")
        base_cb = codebook if codebook is not None else (content.codebook if content is not None else None)
        cb = self.codebook_for(base_cb)
        m = self.match(excerpts, threshold=threshold, fraga_col=fraga_col, id_col=id_col, followups=followups)
        ex = excerpts.reset_index(drop=True)
        by_id = {q.id: q for q in self.questions}
        rows = []
        for pos, r in m.matches.iterrows():
            if r["fraga_id"] is None or pd.isna(r["fraga_id"]):
                continue
            q = by_id[r["fraga_id"]]
            for c in q.codes:
                rows.append({"_pos": pos, id_col: r[id_col], "code": c, "label": cb.labels[c],
                             "score": r["likhet"], "n_hits": 0, "matched_terms": [q.id], "matched_text": [],
                             "negated": False, "hedged": False, "spans": [], "kodkalla": "intervjuguide"})
        cols = ["_pos", id_col, "code", "label", "score", "n_hits", "matched_terms", "matched_text", "negated",
                "hedged", "spans", "kodkalla"]
        long = attach_metadata(pd.DataFrame(rows, columns=cols), ex, id_col)
        long["negated"] = long["negated"].astype(bool)
        long["hedged"] = long["hedged"].astype(bool)
        exc = Exclusions()
        un = m.unmatched()
        exc.add("svaret kunde inte kopplas till någon fråga i intervjuguiden och fick inga strukturella koder",
                len(un), rows=list(un[id_col]), column=fraga_col, action="utan strukturell kod")
        structural = CodingResult(long=long, excerpts=ex, codebook=cb, text_col=text_col, id_col=id_col,
                                  respondent_col=respondent_col, method="intervjuguide", exclusions=exc)
        out = structural if content is None else content.combine(structural)
        out.guide_match = m  # type: ignore[attr-defined]
        return out


@dataclass
class GuideMatch(ResultMixin):
    """Which guide question each answer replies to: similarity, link, and the answers left without one."""

    matches: pd.DataFrame
    guide: Intervjuguide
    threshold: float
    id_col: str = "excerpt_id"

    @property
    def title(self) -> str:
        return "Svar kopplade till intervjuguidens frågor"

    @property
    def caption(self) -> str:
        return ("Intervjuarens fråga jämförd med guidens frågor (cosinuslikhet, TF-IDF på teckenföljder); "
                f"gräns {fmt_num(self.threshold, 2)}.")

    @property
    def notes(self) -> list[str]:
        t = self.matches
        n = len(t)
        k = int((t["kopplad"] == "likhet").sum())
        f = int((t["kopplad"] == "föregående fråga").sum())
        nq = int(t["fraga"].isna().sum())
        return [f"{n} svar: {k} kopplade genom likhet, {f} korta följdfrågor kopplade till frågan före, "
                f"{n - k - f} utan koppling ({nq} saknar intervjuarens fråga)."]

    def table(self) -> pd.DataFrame:
        return self.matches.copy()

    def unmatched(self) -> pd.DataFrame:
        """The answers without a guide question, with the reason and the nearest question."""
        t = self.matches
        return t[t["kopplad"] == "ingen"].reset_index(drop=True)

    def per_question(self) -> pd.DataFrame:
        """Answers linked to each guide question (a question nobody was asked shows 0)."""
        cnt = self.matches["fraga_id"].value_counts()
        t = self.guide.table()[["fraga_id", "tema", "fraga"]].copy()
        t["svar"] = [int(cnt.get(q, 0)) for q in t["fraga_id"]]
        t.attrs["suppression"] = "ej tillämplig"
        return t

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Histogram of the best similarity per answer, with the threshold: is it set in a gap?"""
        from ..plots import categorical, figure, finish
        from ..plots.style import house_style

        s = self.matches["likhet"].dropna().to_numpy(dtype=float)
        with house_style():
            if ax is None:
                fig, ax = figure((6.3, 3.0))
                own = True
            else:
                fig, own = ax.figure, False
            ax.hist(s, bins=np.linspace(0, 1, 21), color=categorical(1)[0], edgecolor="white")
            ax.axvline(self.threshold, color="#333333", linestyle="--", linewidth=1)
            ax.text(self.threshold + 0.01, ax.get_ylim()[1] * 0.92, f"gräns {fmt_num(self.threshold, 2)}",
                    fontsize=7, color="#333333")
            ax.set_xlim(0, 1)
            ax.set_xlabel("Största likhet med en fråga i guiden")
            ax.set_ylabel("Antal svar")
            ax.xaxis.set_major_formatter(__import__("matplotlib").ticker.FuncFormatter(lambda x, _p: fmt_num(x, 1)))
            if own:
                finish(fig, title=kwargs.pop("title", self.title), note=self.notes)
                fig.tight_layout()
        return fig if own else ax
