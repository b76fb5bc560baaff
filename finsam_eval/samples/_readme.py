"""Text of ``data_samples/README.md`` (written by :func:`finsam_eval.samples.write_samples`)."""

from __future__ import annotations

_HEAD = """# Exempeldata / Sample data

Alla filer här är påhittade eller simulerade och skrivs av
`finsam_eval.samples.write_samples(seed={seed})`; ändra inte filerna för hand
utan ändra koden och skriv om dem. Läs dem med `finsam_eval.samples.load_sample(namn)`.
Format som en export från svensk Excel: semikolon som avgränsare, decimalkomma,
UTF-8 med BOM (utom `enkat_deltagare.csv`, som är cp1252). Inga riktiga personer
och inga personnummer förekommer (utom påhittade nummer i några utdrag, för
test av pseudonymisering).

All files are invented or simulated and written by the code in `finsam_eval.samples`
(seed {seed}); edit the code, not the files. Load them with `load_sample(name)`.
Swedish Excel style: `;` separator, decimal comma, UTF-8 with BOM (`enkat_deltagare.csv`
is cp1252 to exercise readers). No real persons.

| Fil / file | `load_sample` | Innehåll / content |
|---|---|---|
| `intervjuutdrag.csv` | `excerpts` | Intervjuutdrag med två kodares teman / interview excerpts coded twice |
| `enkat_samverkan.csv` | `survey_samverkan` | Samverkansenkät, 5-gradig skala / collaboration survey |
| `enkat_deltagare.csv` | `survey_deltagare` | Deltagarenkät, 4-gradig skala, före/efter / participant survey |
| `enkat_fragor.csv` | `survey_items` | Frågornas lydelse och skalor / item texts and scales |
| `enkat_population.csv` | `survey_population` | Antal tillfrågade / number invited |
| `register.csv.gz` | `register` | Registerpanel per person och kvartal / person-quarter panel |
| `register_sanning.csv` | `register_truth` | Sanna effekter i panelen / true effects in the panel |
| `kommun_panel.csv` | `kommun_panel` | Kommunpanel per år med känd effekt / kommun-year panel with a known effect |

Undantag / exception: `intervjuer/` (åtta handskrivna intervjuutskrifter med intervjuarens
frågor, läs med `read_excerpts("data_samples/intervjuer", filnamn=...)`; se README i mappen)
och `intervjuguide.yaml` (en exempelguide, `Intervjuguide.from_yaml`) är skrivna för hand
och skrivs inte av koden / are hand-written, not generated.
"""

_BODY = """
## intervjuutdrag.csv

`excerpt_id`, `text`, `forbund`, `respondent_id`, `roll` (styrelse, beredningsgrupp,
ledningsgrupp, samordnare, insatspersonal, deltagare, remittent), `kalla` (intervju,
fokusgrupp, enkätsvar, workshop), `datum` (ÅÅÅÅ-MM-DD), `codes_a`, `codes_b` (kodare A
och B, tema-id åtskilda med `|` / theme ids joined by `|`), `negated_themes` (teman som
talaren säger saknas / themes said to be missing), `innehaller_personuppgift` (True/False).

## enkat_samverkan.csv, enkat_deltagare.csv

En rad per svarande / one row per respondent: `respondent_id`, `forbund` (Botkyrka,
Huddinge, Södertälje, Östra Södertörn, Uppsala), `ar` (2023-2025), `respondentgrupp`
(insatspersonal, styrelse, chefer, remittenter; deltagare), `kon` (Kvinna, Man,
Annat/vill ej svara), sedan frågorna / then the items.

- `s01`-`s10`: Stämmer inte alls / Stämmer inte så bra / Varken ja eller nej /
  Stämmer delvis / Stämmer helt, eller Vet ej. `s09` är omvänt formulerad (vänd den i
  ett index) / is negatively worded (reverse it).
- `d01`-`d06`, `d07_fore`, `d07_efter`: Ja, absolut / Ja, ganska / Inte särskilt /
  Inte alls, eller Vet ej. `d07` is the same statement before and after the insats.
- `d08_fore`, `d08_efter`: självskattning 1-6 före och efter / self-rating 1-6.
- Tom cell = inget svar (cirka 3 %) / empty cell = no answer. "Vet ej" about 5 %,
  more among remittenter. Some labels are spelled differently and must be normalised
  (e.g. "stämmer helt", "Stämmer  helt ", "STÄMMER DELVIS", "Ja absolut").
- Svaren bygger på en latent inställning per svarande: frågorna hänger ihop
  (Cronbachs alfa för s01-s10 omkring 0,8), förbunden skiljer sig och svaren blir
  något mer positiva över åren. Styrelsegrupperna är små (10-20 svar).

## enkat_fragor.csv

`item`, `text` (påståendet / the statement), `scale` (stammer5, ja_absolut4, skala1_6),
`respondentgrupper` (grupper som fick frågan, åtskilda med `|`), `reverse` (True = omvänd),
`tema` (närmaste tema-id i den inbyggda kodboken / closest built-in theme id).

## enkat_population.csv

`forbund`, `ar`, `respondentgrupp`, `population` (antal som fick enkäten / number invited);
svarsfrekvens = antal rader i svarsfilen / population.

## register.csv.gz

En rad per person och kvartal / one row per person and quarter (24 kvartal, balanserad panel):
`person_id` (löpnummer "L0000123", aldrig personnummer), `kommun` (Botkyrka, Huddinge,
Södertälje, Nykvarn), `forbund` (Botkyrka, Huddinge, Södertälje), `deltagare` (1 = deltog
i en insats), `insats` (tom för icke-deltagare), `start_period` (första kvartal i insatsen,
tom = aldrig deltagit), `period` (0 = 2020K1 ... 23 = 2025K4), `kvartal` ("2020K1"),
`event_time` (period - start_period), `kon`, `alder` (ålder 2020K1), `utbildning`
(Förgymnasial, Gymnasial, Eftergymnasial), `forsorjning_fore` (huvudsaklig försörjning
före 2020 / main income source before 2020), `manader_stod` (månader med offentlig
försörjning de 24 månaderna före 2020K1), utfall per kvartal / outcomes per quarter:
`arbete_studier` (0/1), `sjukpenningdagar` (0-92), `forsorjningsstod_kr` (kronor).

Deltagarna började 2022K1-2023K4 och valdes efter bakgrund (yngre, oftare
försörjningsstöd, längre tid med stöd, mindre arbete före start), så en naiv jämförelse
med icke-deltagare är missvisande. Utfallen utan insats följer parallella trender givet
en personeffekt: difference-in-differences mot icke-deltagarna återfinner den sanna effekten.
Selection on observables (plus a weak unobserved person effect); parallel trends hold, DiD recovers
the truth, a naive post comparison is biased.

## register_sanning.csv

`forbund` (ett förbund eller "Alla"), `outcome`, `estimand`, `event_time`, `value`,
`n_personer`. "ATT, medel efter start" = medelvärdet av Y(1) - Y(0) för deltagarna över
kvartalen med event_time 0-8 (samma simulerade potentiella utfall som i panelen; alla
deltagare har alla nio kvartal). "ATT per event_time" = samma medelvärde för ett
event_time (-8 till 8; 0 före start). Sample ATT over participants' quarters with
event_time 0..8, from the simulated potential outcomes.

## kommun_panel.csv

En rad per kommun och år 2012-2024 (50 kommuner, påhittade nivåer) / one row per kommun
and year: `kommun`, `forbund`, `ar`, `befolkning_16_64`, `antal_stod` (personer med
försörjningsstöd eller sjukpenning under året), `andel_stod` (andel av befolkningen 16-64 år,
procent), `behandlad` (1 för förbundet Södertörns kommuner Botkyrka, Huddinge och Södertälje
från 2019), `sann_effekt` (sann effekt i procentenheter: −0,8 efter start). Den sortens
öppna kommunstatistik som utvärderare har; en fråga för syntetisk kontroll och syntetisk
difference-in-differences (`finsam_eval.synthdid`). Kommunerna följer en gemensam trend
med olika laddningar, så enkel difference-in-differences är snedvriden med avsikt.
A question for synthetic control / synthetic DiD; plain DiD is biased by design.
"""


def readme_text(seed: int) -> str:
    """README for the sample folder, with the true average effects of this seed."""
    from . import _register

    truth = _register(seed)[1]
    avg = truth[truth["estimand"] == "ATT, medel efter start"]
    wide = avg.pivot(index="forbund", columns="outcome", values="value")
    wide = wide.loc[
        ["Alla", "Botkyrka", "Huddinge", "Södertälje"], ["arbete_studier", "sjukpenningdagar", "forsorjningsstod_kr"]
    ]
    lines = [
        "",
        "Sanna effekter (ATT, medel efter start) / true average effects:",
        "",
        "| forbund | arbete_studier | sjukpenningdagar | forsorjningsstod_kr |",
        "|---|---|---|---|",
    ]
    for f, r in wide.iterrows():
        cells = [f"{r['arbete_studier']:.3f}", f"{r['sjukpenningdagar']:.2f}", f"{r['forsorjningsstod_kr']:.0f}"]
        lines.append(f"| {f} | " + " | ".join(c.replace(".", ",").replace("-", "−") for c in cells) + " |")
    return _HEAD.format(seed=seed) + _BODY + "\n".join(lines) + "\n"
