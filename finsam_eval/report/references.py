"""Method literature and plain-Swedish method descriptions for the slutrapport.

Each analysis the report runs names the methods it used (keys of
:data:`METHODS`); the method chapter prints their descriptions and the
Referenser chapter collects the literature they cite (keys of
:data:`REFERENCES`), together with the evaluator's own references from the
config. Sorting follows Swedish collation (å, ä, ö after z).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["REFERENCES", "METHODS", "Method", "sv_sort_key", "sv_sorted", "reference_list"]

# Full references, APA style. Keys are "author year".
REFERENCES: dict[str, str] = {
    "abadie_spiess_2022": "Abadie, A. & Spiess, J. (2022). Robust post-matching inference. Journal of the American "
                          "Statistical Association, 117(538), 983–995.",
    "arkhangelsky_2021": "Arkhangelsky, D., Athey, S., Hirshberg, D. A., Imbens, G. W. & Wager, S. (2021). Synthetic "
                         "difference-in-differences. American Economic Review, 111(12), 4088–4118.",
    "austin_2011": "Austin, P. C. (2011). Optimal caliper widths for propensity-score matching when estimating "
                   "differences in means and differences in proportions in observational studies. Pharmaceutical "
                   "Statistics, 10(2), 150–161.",
    "boardman_2018": "Boardman, A. E., Greenberg, D. H., Vining, A. R. & Weimer, D. L. (2018). Cost-benefit analysis: "
                     "Concepts and practice (5 uppl.). Cambridge University Press.",
    "braun_clarke_2006": "Braun, V. & Clarke, V. (2006). Using thematic analysis in psychology. Qualitative Research "
                         "in Psychology, 3(2), 77–101.",
    "callaway_santanna_2021": "Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple "
                              "time periods. Journal of Econometrics, 225(2), 200–230.",
    "cameron_2008": "Cameron, A. C., Gelbach, J. B. & Miller, D. L. (2008). Bootstrap-based improvements for "
                    "inference with clustered errors. Review of Economics and Statistics, 90(3), 414–427.",
    "clopper_pearson_1934": "Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits "
                            "illustrated in the case of the binomial. Biometrika, 26(4), 404–413.",
    "cohen_1960": "Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and Psychological "
                  "Measurement, 20(1), 37–46.",
    "cronbach_1951": "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika, "
                     "16(3), 297–334.",
    "feldt_1965": "Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability "
                  "coefficient twenty. Psychometrika, 30(3), 357–370.",
    "holm_1979": "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of "
                 "Statistics, 6(2), 65–70.",
    "krippendorff_2004": "Krippendorff, K. (2004). Content analysis: An introduction to its methodology (2 uppl.). "
                         "Sage.",
    "kruskal_wallis_1952": "Kruskal, W. H. & Wallis, W. A. (1952). Use of ranks in one-criterion variance analysis. "
                           "Journal of the American Statistical Association, 47(260), 583–621.",
    "newcombe_1998": "Newcombe, R. G. (1998). Interval estimation for the difference between independent "
                     "proportions: comparison of eleven methods. Statistics in Medicine, 17(8), 873–890.",
    "rambachan_roth_2023": "Rambachan, A. & Roth, J. (2023). A more credible approach to parallel trends. Review of "
                           "Economic Studies, 90(5), 2555–2591.",
    "rosenbaum_rubin_1983": "Rosenbaum, P. R. & Rubin, D. B. (1983). The central role of the propensity score in "
                            "observational studies for causal effects. Biometrika, 70(1), 41–55.",
    "roth_2023": "Roth, J., Sant'Anna, P. H. C., Bilinski, A. & Poe, J. (2023). What's trending in "
                 "difference-in-differences? A synthesis of the recent econometrics literature. Journal of "
                 "Econometrics, 235(2), 2218–2244.",
    "santanna_zhao_2020": "Sant'Anna, P. H. C. & Zhao, J. (2020). Doubly robust difference-in-differences "
                          "estimators. Journal of Econometrics, 219(1), 101–122.",
    "stuart_2010": "Stuart, E. A. (2010). Matching methods for causal inference: A review and a look forward. "
                   "Statistical Science, 25(1), 1–21.",
    "wilson_1927": "Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. "
                   "Journal of the American Statistical Association, 22(158), 209–212.",
}


@dataclass(frozen=True)
class Method:
    """One estimator or procedure as the method chapter describes it.

    Attributes
    ----------
    heading
        Short Swedish name (a level-3 heading in the method chapter).
    text
        What it does and what it assumes, in plain Swedish, with author-year
        citations matching ``refs``.
    refs
        Keys of :data:`REFERENCES`.
    """

    heading: str
    text: str
    refs: tuple[str, ...] = ()


METHODS: dict[str, Method] = {
    "tematisk": Method(
        "Tematisk kodning",
        "Intervjuutdragen har kodats i teman enligt en kodbok (bilaga 1), med en tematisk analys i Braun och Clarkes "
        "(2006) mening: varje tema har en definition och ord och uttryck som visar på det. Kodningen tar hänsyn till "
        "böjningsformer, sammansatta ord och flerordsuttryck. Omnämnanden där temat förnekas (till exempel \u201dingen "
        "samsyn\u201d) räknas men redovisas särskilt. Hur vanligt ett tema är anges i antal personer, inte i antal "
        "utdrag, så att den som pratar mycket inte väger tyngre. Kodningen är ett stöd för tolkningen, inte en "
        "ersättning för den: citaten visar vad temana betyder för de intervjuade.",
        ("braun_clarke_2006",),
    ),
    "reliabilitet": Method(
        "Samstämmighet mellan kodare",
        "Två kodare har kodat samma utdrag oberoende av varandra. Samstämmigheten mäts med Cohens kappa (Cohen, "
        "1960) och Krippendorffs alfa (Krippendorff, 2004), som båda tar hänsyn till att kodare kan vara överens av "
        "en slump. Värden över 0,8 brukar räknas som god samstämmighet och värden mellan 0,67 och 0,8 som "
        "godtagbara för preliminära slutsatser. Osäkerheten anges med bootstrapintervall (1 000 omdragningar av "
        "utdrag). Utdrag där kodarna var oense har diskuterats.",
        ("cohen_1960", "krippendorff_2004"),
    ),
    "likert": Method(
        "Enkätsvar",
        "Svaren redovisas som andel per svarsalternativ av dem som tagit ställning; \u201dVet ej\u201d och liknande "
        "svar visas men ingår inte i procentbasen. För andelen som instämmer anges ett 95-procentigt "
        "konfidensintervall enligt Wilson (1927), som fungerar även för små grupper och andelar nära 0 eller 100 "
        "procent. Intervallen förutsätter att de svarande liknar dem som inte svarade; vid låg svarsfrekvens är "
        "det ett starkt antagande.",
        ("wilson_1927",),
    ),
    "cronbach": Method(
        "Index och intern konsistens",
        "Frågor som mäter samma sak har slagits samman till ett index. Hur väl frågorna hänger ihop mäts med "
        "Cronbachs alfa (Cronbach, 1951), med konfidensintervall enligt Feldt (1965). Negativt formulerade frågor "
        "vänds innan de räknas in. Alfa förutsätter att frågorna mäter en och samma egenskap.",
        ("cronbach_1951", "feldt_1965"),
    ),
    "kruskal": Method(
        "Skillnader mellan grupper i enkäten",
        "Skillnader i svar mellan grupper har prövats med Kruskal-Wallis test (Kruskal & Wallis, 1952), som bara "
        "använder svarens rangordning och därför passar ordinala svarsskalor. Parvisa jämförelser har justerats för "
        "multipla test enligt Holm (1979).",
        ("kruskal_wallis_1952", "holm_1979"),
    ),
    "matchning": Method(
        "Matchad jämförelsegrupp",
        "Varje deltagare har parats ihop med en person som inte deltog men som liknade deltagaren före start, "
        "enligt sannolikheten att delta givet bakgrundsuppgifterna (propensity score; Rosenbaum & Rubin, 1983). "
        "Par godtas bara om skillnaden i logit av sannolikheten är högst 0,2 standardavvikelser (Austin, 2011). "
        "Att grupperna blivit lika kontrolleras med standardiserade medelvärdesskillnader, där 0,1 är en vanlig "
        "gräns (Stuart, 2010). Utfallet är förändringen från kvartalen före start till de nio kvartalen från "
        "start, så att skillnader mellan personerna som är stabila över tid tas bort (matchad "
        "difference-in-differences). Effekten skattas med regressionsjustering och standardfel som tar hänsyn till "
        "paren (Abadie & Spiess, 2022). Det viktigaste antagandet är att grupperna hade utvecklats lika utan "
        "insatsen, givet bakgrundsuppgifterna som matchningen tar hänsyn till.",
        ("rosenbaum_rubin_1983", "austin_2011", "stuart_2010", "abadie_spiess_2022"),
    ),
    "did": Method(
        "Difference-in-differences",
        "Utfallet för deltagarna före och efter start jämförs med förändringen under samma tid i jämförelsegruppen. "
        "Skattningen har fixa effekter för person och kvartal, och standardfelen är klusterrobusta per person. "
        "Antagandet är parallella trender: utan insatsen hade deltagarnas utfall utvecklats som jämförelsegruppens. "
        "När deltagarna börjar vid olika tidpunkter kan den enkla skattningen bli missvisande om effekten varierar "
        "över tid (Roth m.fl., 2023); då används Callaway och Sant'Annas (2021) skattning, som bara jämför mot dem "
        "som ännu inte börjat eller aldrig börjar.",
        ("roth_2023", "callaway_santanna_2021"),
    ),
    "eventstudie": Method(
        "Effekten över tid (event study)",
        "Skillnaden mellan deltagare och jämförelsegrupp skattas för varje kvartal före och efter start, med "
        "kvartalet före start som referens. Skillnader före start ska vara nära noll om antagandet om parallella "
        "trender håller; ett gemensamt test av dem redovisas. Ett test som inte förkastar bevisar inte att "
        "trenderna är parallella (Roth m.fl., 2023; Rambachan & Roth, 2023).",
        ("roth_2023", "rambachan_roth_2023"),
    ),
    "staggered": Method(
        "Deltagare som börjar vid olika tidpunkter",
        "Callaway och Sant'Annas (2021) skattning jämför varje startkohort med personer som ännu inte börjat, "
        "kvartal för kvartal, och väger sedan ihop effekterna. Den dubbelt robusta varianten (Sant'Anna & Zhao, "
        "2020) ger rätt svar om antingen modellen för deltagande eller modellen för utfallet är rätt.",
        ("callaway_santanna_2021", "santanna_zhao_2020"),
    ),
    "per_forbund": Method(
        "Effekter per förbund",
        "Effekten har skattats med samma matchning inom varje förbund och vägts samman. Med få förbund är "
        "osäkerheten i jämförelsen mellan dem stor; med färre än cirka tio kluster ger vanliga klusterrobusta "
        "standardfel för smala intervall (Cameron m.fl., 2008).",
        ("cameron_2008",),
    ),
    "andel": Method(
        "Jämförelse med ett riktvärde",
        "Andelen deltagare i arbete eller studier jämförs med ett riktvärde (till exempel riksgenomsnittet) med "
        "Wilsons intervall (Wilson, 1927) och ett exakt binomialtest (Clopper & Pearson, 1934). Riktvärdet är "
        "ingen jämförelsegrupp: deltagarna kan skilja sig från genomsnittet av andra skäl än insatsen.",
        ("wilson_1927", "clopper_pearson_1934"),
    ),
    "andelsskillnad": Method(
        "Skillnad mellan två andelar",
        "Skillnader mellan två andelar anges i procentenheter med Newcombes (1998) intervall.",
        ("newcombe_1998",),
    ),
    "kalkyl": Method(
        "Samhällsekonomisk kalkyl",
        "Kalkylen multiplicerar den skattade effekten med antalet deltagare, antalet år effekten antas vara och "
        "kostnaden för ett år med offentlig försörjning, och jämför med insatsens kostnad (Boardman m.fl., 2018). "
        "Framtida belopp diskonteras med 3,5 procent per år. Varje antagande redovisas, och en känslighetsanalys "
        "visar hur resultatet ändras när antagandena ändras.",
        ("boardman_2018",),
    ),
    "syntetisk": Method(
        "Syntetisk kontroll och syntetisk difference-in-differences",
        "Förbundets kommuner jämförs med en vägd kombination av andra kommuner som följde samma utveckling före "
        "start (Arkhangelsky m.fl., 2021).",
        ("arkhangelsky_2021",),
    ),
}


# Characters after "z" in ASCII, so that å, ä, ö sort after every letter a-z.
_SV_ORDER = {"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}"}


def sv_sort_key(text: object) -> str:
    """Sort key for Swedish collation: case-insensitive, å, ä, ö after z, ü as y, é as e.

    Examples
    --------
    >>> sv_sorted(["Östra Södertörn", "Uppsala", "Ärlinghem", "Åby", "Botkyrka", "zeta"])
    ['Botkyrka', 'Uppsala', 'zeta', 'Åby', 'Ärlinghem', 'Östra Södertörn']
    """
    s = str(text).casefold()
    out = []
    for ch in s:
        if ch in _SV_ORDER:
            out.append(_SV_ORDER[ch])
        elif ch == "ü":
            out.append("y")
        else:
            out.append(unicodedata.normalize("NFKD", ch)[0])
    return "".join(out)


def sv_sorted(items) -> list:
    """``sorted`` with :func:`sv_sort_key`."""
    return sorted(items, key=sv_sort_key)


def reference_list(keys: list[str], own: list[str] | None = None) -> list[str]:
    """The Referenser chapter: cited method literature and the evaluator's own, in Swedish order."""
    entries = {REFERENCES[k] for k in keys} | set(own or [])
    return sv_sorted(entries)
