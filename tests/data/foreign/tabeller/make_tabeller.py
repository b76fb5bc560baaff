"""Write the foreign table files of this folder the way other tools write them (run by hand; files are committed).

    python tests/data/foreign/tabeller/make_tabeller.py            # all but the zip bomb
    python tests/data/foreign/tabeller/make_tabeller.py --bomb     # also the zip bomb (about a minute)

Every personnummer here is invented (valid check digit, e.g. Skatteverket's
test number 19121212-1212); the file named with one is the test of that.
"""

from __future__ import annotations

import gzip
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _w(name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    (HERE / name).write_bytes(text.replace("\n", newline).encode(encoding))


def text_files() -> None:
    # Excel "CSV (semikolonavgränsad)" on Swedish Windows: cp1252, ';', decimal comma, CRLF, a ';' at line ends
    _w(
        "excel_cp1252_semikolon.csv",
        "Kommun;Förbund;Antal deltagare;Andel i arbete;Kostnad per deltagare;\n"
        "Södertälje;Södertälje;42;0,31;12 450,50;\n"
        "Nykvarn;Södertälje;7;0,43;9 800;\n"
        "Botkyrka;Botkyrka;55;0,27;11 020,75;\n"
        "Salem;Botkyrka;6;0,5;10 100,25;\n"
        "Huddinge;Huddinge;61;0,33;12 990;\n",
        encoding="cp1252",
        newline="\r\n",
    )
    # Excel "Unicode-text": UTF-16 LE with BOM, tab separated, CRLF
    _w(
        "unicode_text_utf16.txt",
        "Förbund\tÅr\tDeltagare\tAndel kvinnor\n"
        "Östra Södertörn\t2023\t118\t0,56\n"
        "Östra Södertörn\t2024\t131\t0,58\n"
        "Uppsala\t2023\t204\t0,49\n"
        "Uppsala\t2024\t221\t0,51\n",
        encoding="utf-16",
        newline="\r\n",
    )
    # Google Sheets "Kommaavgränsade värden": UTF-8 without BOM, ',', dot decimals, quotes where needed,
    # a quoted newline inside a comment
    _w(
        "google_sheets.csv",
        "Tidstämpel,Förbund,Poäng,Kommentar\n"
        '2024-03-01 10:12:33,Huddinge,4.5,"Bra stöd, tydlig plan"\n'
        '2024-03-01 11:02:10,Botkyrka,3.0,"Två rader:\nförsta och andra"\n'
        "2024-03-02 09:40:51,Södertälje,4.0,\n"
        '2024-03-02 14:21:05,Huddinge,2.5,"Sa ""nej"" till fortsättning"\n',
    )
    # A short row in the middle: today the answers would shift one column left
    _w(
        "kort_rad.csv",
        "id;forbund;fraga1;fraga2;fraga3\n"
        "1;Huddinge;Stämmer helt;Stämmer delvis;Stämmer inte alls\n"
        "2;Huddinge;Stämmer delvis;Stämmer helt;Stämmer helt\n"
        "3;Botkyrka;Stämmer helt;Stämmer inte alls\n"
        "4;Botkyrka;Stämmer delvis;Stämmer delvis;Stämmer helt\n",
    )
    # A short row after a quoted newline: the message must give the file line (6), not the record number (5)
    _w(
        "kort_rad_efter_radbrytning.csv",
        "id;forbund;kommentar;poang\n"
        '1;Huddinge;"Först en rad\noch sedan en till";4\n'
        "2;Botkyrka;Kort;3\n"
        "3;Botkyrka;Ingen kommentar;5\n"
        "4;Huddinge;Saknar poäng\n"
        "5;Huddinge;Sista;2\n",
    )
    _w(
        "lang_rad.csv",
        "id;forbund;ar;deltagare\n"
        "1;Huddinge;2023;40\n"
        "2;Botkyrka;2023;31;extra\n"
        "3;Södertälje;2023;52\n",
    )
    _w(
        "dubbel_rubrik.csv",
        "id;fraga;forbund;fraga\n"
        "1;Ja;Huddinge;Nej\n"
        "2;Nej;Botkyrka;Ja\n",
    )
    _w(
        "ledande_nollor.csv",
        "lopnr;kommunkod;forbund;poang\n"
        "0001;0180;Stockholm;3\n"
        "0002;0127;Botkyrka;4\n"
        "0010;0181;Södertälje;5\n"
        "0100;0126;Huddinge;2\n",
    )
    _w(
        "procent_andelar.csv",
        "Förbund;Andel i arbete;Andel kvinnor;Svarsfrekvens\n"
        "Huddinge;65 %;52,5 %;71%\n"
        "Botkyrka;40 %;48,0%;65%\n"
        "Södertälje;7,5 %;55 %;80%\n",
    )
    _w(
        "perioder_alla_format.csv",
        "id;k_a;k_b;k_c;k_d;k_e;m_a;m_b;m_c;datum\n"
        "1;2021K3;2021 K3;2021 Q3;2021Q3;Q3 2021;2021-07;juli 2021;jul 2021;2021-07-01\n"
        "2;2021K4;2021 K4;2021 Q4;2021Q4;Q4 2021;2021-08;augusti 2021;aug 2021;2021-08-01\n"
        "3;2022K1;2022 K1;2022 Q1;2022Q1;Q1 2022;2021-09;september 2021;sep 2021;2021-09-01\n",
    )
    _w(
        "perioder_blandade.csv",
        "id;period;varde\n"
        "1;2021K3;1\n"
        "2;2021K4;2\n"
        "3;2022-01;3\n"
        "4;2022K2;4\n",
    )
    # One stray text in a numeric column: read as text, but reported with its line (read_table),
    # an error naming column and line when the column must be numeric (read_register, test_io_foreign)
    _w(
        "strangt_varde_i_tal.csv",
        "id;forbund;sjukpenningdagar\n"
        "1;Huddinge;12\n"
        "2;Huddinge;0\n"
        "3;Botkyrka;saknas\n"
        "4;Botkyrka;30\n"
        "5;Södertälje;7\n"
        "6;Södertälje;0\n",
    )
    _w(
        "utan_rubrik_personnummer.csv",
        "19121212-1212;Huddinge;2023K1;1\n"
        "19850312-1231;Botkyrka;2023K1;0\n",
    )
    _w(
        "enkat_19911224-4562.csv",
        "id;forbund;fraga1\n"
        "1;Huddinge;Ja\n"
        "2;Botkyrka\n"
        "3;Huddinge;Nej\n",
    )
    _w("tom.csv", "")
    _w("bara_rubrik.csv", "respondent_id;forbund;ar;respondentgrupp\n")
    # A 200 000-character excerpt (one field), gzipped to stay small on disk
    long = ("Vi har byggt upp samverkan steg för steg och det tar tid. " * 3500)[:200_000]
    body = f'id;forbund;text\n1;Huddinge;"{long}"\n2;Botkyrka;Kort svar.\n'
    (HERE / "langt_falt.csv.gz").write_bytes(gzip.compress(body.encode("utf-8"), mtime=0))


def excel_files() -> None:
    import openpyxl

    # LibreOffice Calc style: a title and a blank row above the header (header on sheet row 3)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Blad1"
    ws["A1"] = "Uppföljning deltagare 2024 (export från LibreOffice Calc)"
    ws.append([])
    ws.append(["Förbund", "Kvartal", "Deltagare", "Andel i arbete"])
    for row in [["Huddinge", "2024K1", 40, 0.3], ["Huddinge", "2024K2", 44, 0.32],
                ["Botkyrka", "2024K1", 31, 0.25], [None, None, None, None], ["Botkyrka", "2024K2", 35, 0.29]]:
        ws.append(row)
    wb.save(HERE / "libreoffice_rubrik_rad3.xlsx")

    # Formulas written by a program that does not calculate them: no cached values
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Förbund", "Deltagare", "Kostnad", "Kostnad per deltagare"])
    for i, (f, n, k) in enumerate([("Huddinge", 40, 480000), ("Botkyrka", 31, 372000), ("Södertälje", 52, 598000)],
                                  start=2):
        ws.append([f, n, k, f"=C{i}/B{i}"])
    wb.save(HERE / "formler_utan_varden.xlsx")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Svar"
    ws.append(["respondent_id", "forbund", "fraga1"])
    for i, (f, a) in enumerate([("Huddinge", "Ja"), ("Botkyrka", "Nej"), ("Södertälje", "Ja")], start=1):
        ws.append([f"R{i:02d}", f, a])
    bg = wb.create_sheet("Bakgrund")
    bg.append(["forbund", "invanare"])
    bg.append(["Huddinge", 113000])
    wb.create_sheet("Tomt")
    wb.save(HERE / "flera_blad.xlsx")


def spss_file() -> None:
    import pandas as pd
    import pyreadstat

    df = pd.DataFrame({
        "lopnr": ["001", "002", "003", "004", "005"],
        "kon": [1.0, 2.0, 2.0, 1.0, None],
        "alder": [34.0, 51.0, 29.0, 45.0, 38.0],
        "nojd": [5.0, 4.0, 9.0, 2.0, 5.0],
    })
    pyreadstat.write_sav(
        df, str(HERE / "spss_export.sav"),
        column_labels=["Löpnummer", "Kön", "Ålder", "Hur nöjd är du med stödet?"],
        variable_value_labels={"kon": {1.0: "Man", 2.0: "Kvinna"},
                               "nojd": {1.0: "Mycket missnöjd", 5.0: "Mycket nöjd", 9.0: "Vet ej"}},
    )


def zip_bomb() -> None:
    """1 GiB of spaces in the sheet XML, bzip2-compressed to a few kB: refused from the zip directory alone."""
    path = HERE / "zipbomb.xlsx"
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types '
                    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_BZIP2
        with zf.open(info, "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            for _ in range(1024):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")


if __name__ == "__main__":
    text_files()
    excel_files()
    spss_file()
    if "--bomb" in sys.argv:
        zip_bomb()
