"""Write the register extracts of this folder the way register systems and people write them (run by hand).

    python tests/data/foreign/register/make_register.py

Swedish column names as in follow-up system extracts (SUS-style: personnummer,
kön, ålder, förbund, insats, inskrivnings- and utskrivningsdatum, försörjning
före/efter, arbete/studier vid avslut), periods as quarters or months in the
forms exports use, treatment as Ja/Nej, x/blank or SPSS value labels. Every
personnummer is invented (valid check digit).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

# Invented, Luhn-valid personnummer (Skatteverket's test numbers and the like).
PNR = ["19121212-1212", "19850312-1231", "19911224-4562", "19790101-0008"]


def _w(name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    (HERE / name).write_bytes(text.replace("\n", newline).encode(encoding))


def _rows(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def text_files() -> None:
    # A follow-up system extract: Swedish headers, cp1252 from Excel, personnummer as id, dates for start
    head = ("Personnummer;Kön;Ålder;Förbund;Insats;Inskrivningsdatum;Utskrivningsdatum;Försörjning före;"
            "Försörjning efter;Arbete/studier vid avslut;Kvartal;Deltagare")
    lines = [head]
    people = [
        (PNR[0], "Kvinna", 34, "Södertälje", "Arbetsträning", "2023-02-14", "2023-09-30", "Sjukpenning",
         "Lön", "Ja", "Ja"),
        (PNR[1], "Man", 51, "Södertälje", "Arbetsträning", "2023-04-03", "", "Försörjningsstöd", "", "", "Ja"),
        (PNR[2], "Kvinna", 29, "Södertälje", "", "", "", "Försörjningsstöd", "", "", "Nej"),
        (PNR[3], "Man", 45, "Södertälje", "", "", "", "Aktivitetsersättning", "", "", "Nej"),
    ]
    for p in people:
        for q in ("2023K1", "2023K2", "2023K3"):
            lines.append(";".join(map(str, [*p[:10], q, p[10]])))
    _w("sus_utdrag_cp1252.csv", _rows(lines), encoding="cp1252", newline="\r\n")

    _w("behandling_ja_nej.csv", _rows([
        "person_id;period;forbund;deltagare;start_period;arbete_studier",
        "L001;1;Huddinge;Ja;2;Falskt", "L001;2;Huddinge;Ja;2;Falskt", "L001;3;Huddinge;Ja;2;Sant",
        "L002;1;Huddinge;Nej;;Falskt", "L002;2;Huddinge;Nej;;Falskt", "L002;3;Huddinge;Nej;;Falskt",
        "L003;1;Botkyrka;JA;3;Falskt", "L003;2;Botkyrka;JA;3;Falskt", "L003;3;Botkyrka;JA;3;Sant",
    ]))
    _w("behandling_x_tom.csv", _rows([
        "lopnr;kvartal;forbund;behandling;startkvartal;arbete_studier",
        "0001;2022K4;Uppsala;x;2023K1;0", "0001;2023K1;Uppsala;x;2023K1;0", "0001;2023K2;Uppsala;x;2023K1;1",
        "0002;2022K4;Uppsala;;;0", "0002;2023K1;Uppsala;;;0", "0002;2023K2;Uppsala;;;0",
        "0003;2022K4;Uppsala;X;2023K2;0", "0003;2023K1;Uppsala;X;2023K2;0", "0003;2023K2;Uppsala;X;2023K2;1",
    ]))
    _w("behandling_okant_varde.csv", _rows([
        "person_id;period;forbund;deltagare",
        "L001;1;Huddinge;Ja", "L001;2;Huddinge;Ja",
        "L002;1;Huddinge;Kanske", "L002;2;Huddinge;Kanske",
        "L003;1;Botkyrka;Nej", "L003;2;Botkyrka;Nej",
    ]))
    _w("strangt_varde_i_period.csv", _rows([
        "person_id;period;forbund;deltagare",
        "L001;1;Huddinge;1", "L001;2;Huddinge;1", "L001;3;Huddinge;1",
        "L002;1;Huddinge;0", "L002;2;Huddinge;0", "L002;Q3 2024;Huddinge;0",
    ]))
    _w("strangt_varde_i_utfall.csv", _rows([
        "person_id;period;forbund;deltagare;sjukpenningdagar",
        "L001;1;Huddinge;1;12", "L001;2;Huddinge;1;saknas", "L001;3;Huddinge;1;0",
        "L002;1;Huddinge;0;30", "L002;2;Huddinge;0;30", "L002;3;Huddinge;0;28",
    ]))
    _w("period_och_start_olika_skalor.csv", _rows([
        "person_id;period;forbund;deltagare;start_period",
        "L001;1;Huddinge;1;2023K2", "L001;2;Huddinge;1;2023K2", "L001;3;Huddinge;1;2023K2",
        "L002;1;Huddinge;0;", "L002;2;Huddinge;0;", "L002;3;Huddinge;0;",
    ]))
    _w("manader_med_namn.csv", _rows([
        "Löpnummer;Månad;Förbund;Deltagare;Startdatum;Arbete eller studier",
        "A1;juli 2021;Östra Södertörn;Ja;2021-08-01;Nej", "A1;augusti 2021;Östra Södertörn;Ja;2021-08-01;Nej",
        "A1;september 2021;Östra Södertörn;Ja;2021-08-01;Ja",
        "A2;juli 2021;Östra Södertörn;Nej;;Nej", "A2;augusti 2021;Östra Södertörn;Nej;;Nej",
        "A2;september 2021;Östra Södertörn;Nej;;Nej",
    ]))
    _w("blandade_frekvenser.csv", _rows([
        "person_id;kvartal;forbund;deltagare",
        "L001;2023K1;Huddinge;1", "L001;2023K2;Huddinge;1",
        "L002;2023K1;Huddinge;0", "L002;2023-06;Huddinge;0",
    ]))


def excel_file() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Utdrag"
    ws.append(["Löpnr", "Förbund", "År och kvartal", "Insatsdeltagare", "Startkvartal", "Arbete eller studier"])
    rows = [("0001", "Huddinge", "2021 K3", "x", "2021 K4", 0), ("0001", "Huddinge", "2021 K4", "x", "2021 K4", 0),
            ("0001", "Huddinge", "2022 K1", "x", "2021 K4", 1), ("0002", "Huddinge", "2021 K3", None, None, 0),
            ("0002", "Huddinge", "2021 K4", None, None, 0), ("0002", "Huddinge", "2022 K1", None, None, 1)]
    for r in rows:
        ws.append(list(r))
    for cell in ws["A"][1:]:
        cell.number_format = "@"  # text, as Excel keeps 0001 when the column is formatted as text
    wb.save(HERE / "lopnr_kvartal.xlsx")


def spss_file() -> None:
    import pandas as pd
    import pyreadstat

    df = pd.DataFrame({
        "lopnr": ["001", "001", "002", "002", "003", "003"],
        "kvartal": ["2022Q1", "2022Q2"] * 3,
        "forbund": ["Uppsala"] * 6,
        "deltagare": [1.0, 1.0, 0.0, 0.0, 1.0, 1.0],
        "startkv": ["2022Q2", "2022Q2", "", "", "2022Q1", "2022Q1"],
    })
    pyreadstat.write_sav(
        df, str(HERE / "spss_register.sav"),
        column_labels=["Löpnummer", "Kvartal", "Förbund", "Deltagare i insatsen", "Startkvartal"],
        variable_value_labels={"deltagare": {1.0: "Ja", 0.0: "Nej"}},
    )


def wide_files() -> None:
    """Wide extracts: one row per person, one column per quarter (as MONA tables and own spreadsheets come)."""
    quarters = ["2022K1", "2022K2", "2022K3", "2022K4"]
    head = ["LopNr", "Samordningsförbund", "Deltagare", "Startkvartal",
            *[f"Arbete/studier {q}" for q in quarters], *[f"sjukpenningdagar_{q}" for q in quarters]]
    people = [("0001", "Botkyrka", "Ja", "2022K3", [0, 0, 1, 1], [30, 45, 10, 0]),
              ("0002", "Botkyrka", "Nej", "", [1, 1, 1, 0], [0, 0, 0, 12]),
              ("0003", "Huddinge", "Ja", "2022K2", [0, 1, 1, 1], [90, 20, 0, 0]),
              ("0004", "Huddinge", "Nej", "", [0, 0, 0, 1], [0, 5, 0, 0]),
              ("0005", "Södertälje", "Ja", "2022K4", [0, 0, 0, 1], [60, 60, 60, 0])]
    lines = [";".join(head)] + [";".join([i, f, d, s, *map(str, a), *map(str, sj)]) for i, f, d, s, a, sj in people]
    (HERE / "brett_en_kolumn_per_kvartal.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    mixed = ["LopNr;Förbund;Deltagare;Inkomst 2019;Inkomst 2020;Inkomst 2021;Arbete 2021K1;Arbete 2021K2;Arbete 2021K3",
             "0001;Nacka;1;120000;80000;95000;0;1;1", "0002;Nacka;0;200000;210000;190000;1;1;1"]
    (HERE / "brett_blandade_perioder.csv").write_text("\n".join(mixed) + "\n", encoding="utf-8-sig")


if __name__ == "__main__":
    wide_files()
    text_files()
    excel_file()
    spss_file()
