"""Table schemas as data: columns, types and allowed values of the inputs.

The readers in :mod:`finsam_eval.io` validate against these objects and the
docstrings of :func:`~finsam_eval.io.read_survey`,
:func:`~finsam_eval.io.read_register` and
:func:`~finsam_eval.io.read_excerpts` are built from them, so what the
documentation promises and what the validation checks cannot drift apart.
:func:`schema_table` gives a schema as a DataFrame (Swedish headers) for a
method appendix.

Types are plain words: ``"str"``, ``"int"`` (integer-like: ``2024``,
``"2024"`` and ``2024.0`` pass), ``"float"``, ``"binary"`` (0/1),
``"date"``, ``"period"`` (integer-like or a period string such as
``"2023Q1"``), ``"list"`` (a list of code ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "ColumnSpec",
    "TableSchema",
    "FORBUND",
    "ROLLER",
    "KALLOR",
    "EXCERPTS",
    "SURVEY",
    "REGISTER",
    "REGISTER_ALIASES",
    "REGISTER_ROLES",
    "normalise_column_name",
    "SCHEMAS",
    "schema_table",
]

#: Förbund names used as data values in the sample data.
FORBUND: tuple[str, ...] = ("Botkyrka", "Huddinge", "Södertälje", "Östra Södertörn", "Uppsala")
#: Roles of the people interviewed or surveyed (``roll``).
ROLLER: tuple[str, ...] = (
    "styrelse",
    "beredningsgrupp",
    "ledningsgrupp",
    "samordnare",
    "insatspersonal",
    "deltagare",
    "remittent",
)
#: Kinds of source an excerpt comes from (``kalla``).
KALLOR: tuple[str, ...] = ("intervju", "fokusgrupp", "enkätsvar", "workshop")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a schema: name, type, whether required, allowed values, meaning."""

    name: str
    dtype: str
    required: bool = False
    allowed: tuple[object, ...] | None = None
    description: str = ""
    personal: bool = False  # may hold personnummer or names: never print its values


@dataclass(frozen=True)
class TableSchema:
    """A table's columns, its key (one row per key) and what a row is."""

    name: str
    row: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required columns."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec | None:
        """The spec of column ``name`` (None if the schema does not know it)."""
        return next((c for c in self.columns if c.name == name), None)

    def of_type(self, dtype: str) -> tuple[str, ...]:
        """Names of the columns of one type, e.g. ``"binary"``."""
        return tuple(c.name for c in self.columns if c.dtype == dtype)

    def doc(self) -> str:
        """The schema as an indented text block for a docstring."""
        width = max(len(c.name) for c in self.columns)
        lines = []
        for c in self.columns:
            req = "obligatorisk" if c.required else "valfri"
            allowed = f" Tillåtna värden: {', '.join(map(str, c.allowed))}." if c.allowed else ""
            lines.append(f"    {c.name:<{width}}  {c.dtype:<6} {req:<12} {c.description}{allowed}")
        key = f"    Nyckel (en rad per): {', '.join(self.key)}." if self.key else ""
        return "\n".join([*lines, key, *(f"    {n}" for n in self.notes)]).rstrip()


EXCERPTS = TableSchema(
    name="excerpts",
    row="ett utdrag (en talares replik eller ett stycke ur en intervju)",
    key=("excerpt_id",),
    columns=(
        ColumnSpec("excerpt_id", "str", True, description="Stabilt id för utdraget (skapas om det saknas)."),
        ColumnSpec("text", "str", True, description="Utdragets text; tomma texter räknas och tas bort."),
        ColumnSpec("forbund", "str", description="Samordningsförbundet."),
        ColumnSpec("respondent_id", "str", description="Pseudonym för den intervjuade.", personal=True),
        ColumnSpec("roll", "str", allowed=ROLLER, description="Den intervjuades roll."),
        ColumnSpec("fraga", "str", description="Intervjuarens fråga före svaret (utskrifter: föregående replik)."),
        ColumnSpec("kalla", "str", allowed=KALLOR, description="Typ av källa."),
        ColumnSpec("datum", "date", description="Intervjudatum."),
        ColumnSpec("fil", "str", description="Filen utdraget kommer från."),
        ColumnSpec("tur", "int", description="Replikens nummer i utskriften (1 = första repliken)."),
        ColumnSpec("talare", "str", description="Talaretiketten i utskriften (t.ex. IP, R1).", personal=True),
    ),
)

SURVEY = TableSchema(
    name="survey",
    row="en respondent (ett enkätsvar)",
    key=("respondent_id",),
    columns=(
        ColumnSpec(
            "respondent_id", "str", True, description="Respondentens id (en rad per respondent).", personal=True
        ),
        ColumnSpec("forbund", "str", True, description="Samordningsförbundet."),
        ColumnSpec("ar", "int", True, description="Enkätår, heltal (t.ex. 2024)."),
        ColumnSpec(
            "respondentgrupp",
            "str",
            True,
            description="Grupp, t.ex. styrelse, chefer, insatspersonal, remittenter, deltagare.",
        ),
    ),
    notes=(
        "Övriga kolumner är frågor (items): en kolumn per fråga med svarsetiketten som text.",
        "Tomma svar blir saknade värden (NaN) och räknas.",
    ),
)

REGISTER = TableSchema(
    name="register",
    row="en person under en period (t.ex. ett kvartal)",
    key=("person_id", "period"),
    columns=(
        ColumnSpec(
            "person_id",
            "str",
            True,
            description="Person-id; personnummer ersätts med nyckelbaserade pseudonymer.",
            personal=True,
        ),
        ColumnSpec(
            "period", "period", True,
            description="Period: heltal (t.ex. 202301 eller löpnummer) eller text som '2023K1', '2023 Q1', '2023-01'.",
        ),
        ColumnSpec("forbund", "str", True, description="Förbundet (för jämförelsepersoner: förbundet de jämförs med)."),
        ColumnSpec(
            "deltagare",
            "binary",
            True,
            description="1 = deltagare i insatsen, 0 = jämförelseperson; samma för alla perioder.",
        ),
        ColumnSpec(
            "start_period", "period", description="Perioden då deltagandet började (saknas för jämförelsepersoner)."
        ),
        ColumnSpec("kommun", "str", description="Hemkommun."),
        ColumnSpec("kon", "str", description="Kön."),
        ColumnSpec("alder", "float", description="Ålder i år."),
        ColumnSpec("utbildning", "str", description="Högsta utbildningsnivå."),
        ColumnSpec("forsorjning_fore", "str", description="Huvudsaklig försörjning före insatsen."),
        ColumnSpec("manader_stod", "float", description="Månader med försörjningsstöd före insatsen."),
        ColumnSpec("arbete_studier", "binary", description="Utfall: 1 = i arbete eller studier under perioden."),
        ColumnSpec("sjukpenningdagar", "float", description="Utfall: sjukpenningdagar under perioden."),
        ColumnSpec(
            "forsorjningsstod_kr", "float", description="Utfall: utbetalt försörjningsstöd i kronor under perioden."
        ),
    ),
    notes=(
        "Andra kolumner (kovariater, utfall) får finnas och behålls.",
        "Personnummer i andra kolumner än person_id tas bort (hela kolumnen) och redovisas.",
        "Svenska namn från registerutdrag (personnummer, lopnr, kvartal, månad, behandling, inskrivningsdatum, "
        "försörjning före/efter ...) känns igen, se REGISTER_ALIASES; kolumner= anger rollerna uttryckligen.",
        "Perioder som 2021K3, 2021 Q3, 2021-07 eller juli 2021 och startdatum blir löpnummer "
        "(Period.ordinal); behandling som Ja/Nej, Sant/Falskt, 1/0 eller x/tom blir 1/0.",
    ),
)

def normalise_column_name(name: str) -> str:
    """Fold a column name for matching: case, å/ä/ö, spaces and punctuation.

    Examples
    --------
    >>> normalise_column_name("Försörjning före")
    'forsorjning_fore'
    >>> normalise_column_name("Arbete/studier vid avslut")
    'arbete_studier_vid_avslut'
    """
    low = str(name).casefold().strip()
    low = low.translate(str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"}))
    out = "".join(ch if ch.isalnum() else "_" for ch in low)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


#: Swedish names register extracts use for each canonical column of :data:`REGISTER` (matched after
#: :func:`normalise_column_name`; the first hit wins).
REGISTER_ALIASES: dict[str, tuple[str, ...]] = {
    "person_id": ("personnummer", "pnr", "lopnr", "lopnummer", "personid", "person", "id", "samordningsnummer"),
    "period": ("kvartal", "manad", "period_kvartal", "ar_kvartal", "ar_manad", "tidsperiod"),
    "forbund": ("samordningsforbund", "forbundet", "forbund_namn"),
    "deltagare": ("behandling", "behandlad", "deltar", "deltagit", "insatsdeltagare", "deltagare_i_insats"),
    "start_period": ("start", "startperiod", "startkvartal", "startmanad", "inskrivningskvartal", "inskrivningsdatum",
                     "inskriven", "startdatum"),
    "utskrivningsdatum": ("utskriven", "avslutsdatum", "slutdatum"),
    "kon": ("kon", "kön"),
    "alder": ("alder", "alder_ar", "alder_vid_start"),
    "insats": ("insatsnamn", "insatstyp"),
    "forsorjning_fore": ("forsorjning_fore_insats", "forsorjning_fore_start", "forsorjning_innan"),
    "forsorjning_efter": ("forsorjning_efter_insats", "forsorjning_vid_avslut", "forsorjning_efter_avslut"),
    "arbete_studier_avslut": ("arbete_studier_vid_avslut", "arbete_eller_studier_vid_avslut",
                              "arbete_studier_efter"),
    "arbete_studier": ("arbete_eller_studier", "i_arbete_eller_studier"),
}

#: Role words (CLI flags, ``kolumner=`` keys) and the canonical register column each names.
REGISTER_ROLES: dict[str, str] = {
    "id": "person_id",
    "person": "person_id",
    "person_id": "person_id",
    "period": "period",
    "behandling": "deltagare",
    "deltagare": "deltagare",
    "start": "start_period",
    "start_period": "start_period",
    "forbund": "forbund",
}


SCHEMAS: dict[str, TableSchema] = {"excerpts": EXCERPTS, "survey": SURVEY, "register": REGISTER}


def schema_table(name: str) -> pd.DataFrame:
    """A schema as a table for a report's method appendix.

    Parameters
    ----------
    name
        ``"excerpts"``, ``"survey"`` or ``"register"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``kolumn``, ``typ``, ``obligatorisk``, ``tillatna_varden``, ``beskrivning``.

    Examples
    --------
    >>> t = schema_table("register")
    >>> t.loc[t["obligatorisk"], "kolumn"].tolist()
    ['person_id', 'period', 'forbund', 'deltagare']
    """
    try:
        schema = SCHEMAS[name]
    except KeyError:
        raise KeyError(f"Okänt schema {name!r}; välj bland {', '.join(SCHEMAS)}.") from None
    return pd.DataFrame(
        [
            {
                "kolumn": c.name,
                "typ": c.dtype,
                "obligatorisk": c.required,
                "tillatna_varden": ", ".join(map(str, c.allowed)) if c.allowed else "",
                "beskrivning": c.description,
            }
            for c in schema.columns
        ]
    )
