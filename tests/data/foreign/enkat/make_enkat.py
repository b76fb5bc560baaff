"""Build the binary files of the enkät corpus (run by hand; the files are committed).

    cd tests/data/foreign/enkat && python make_enkat.py

- ``microsoft_forms_instammer.xlsx``: a Microsoft Forms export (ID, Starttid, Sluttid, E-post, Namn,
  Senaste ändringstid, then one column per question with the question as header).
- ``spss_utstrackning.sav``: SPSS with value labels of a scale no preset knows
  (1 "I mycket liten utsträckning" ... 4 "I mycket stor utsträckning", 9 "Vet ej").
- ``spss_andetiketter.sav``: SPSS with value labels only on the ends (1 "Inte alls", 5 "Helt"),
  codes 2-4 unlabelled, 99 "Vill ej svara".
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
rnd = random.Random(9)


def shuffled(counts):
    out = [lab for lab, n in counts for _ in range(n)]
    rnd.shuffle(out)
    return out


def ms_forms() -> None:
    labels = ["Instämmer helt", "Instämmer delvis", "Varken eller", "Instämmer inte", "Instämmer inte alls", "Vet ej"]
    a = shuffled(list(zip(labels, [4, 6, 3, 2, 1, 1])))
    b = shuffled(list(zip(labels, [2, 5, 5, 3, 1, 1])))
    start = datetime(2024, 9, 2, 8, 30)
    df = pd.DataFrame({
        "ID": range(1, 18),
        "Starttid": [start + timedelta(hours=5 * i) for i in range(17)],
        "Sluttid": [start + timedelta(hours=5 * i, minutes=4) for i in range(17)],
        "E-post": "anonymous",
        "Namn": None,
        "Senaste ändringstid": None,
        "Styrelsen har en gemensam bild av förbundets uppdrag": a,
        "Insatserna är förankrade hos medlemmarna": b,
    })
    df.to_excel(HERE / "microsoft_forms_instammer.xlsx", index=False, sheet_name="Sheet1")


def spss() -> None:
    import pyreadstat

    codes = shuffled(list(zip([1.0, 2.0, 3.0, 4.0, 9.0], [2, 3, 6, 4, 1])))
    codes2 = shuffled(list(zip([1.0, 2.0, 3.0, 4.0, None], [1, 4, 6, 4, 1])))
    df = pd.DataFrame({"lopnr": [float(i + 1) for i in range(16)], "u1": codes, "u2": codes2})
    vl = {1.0: "I mycket liten utsträckning", 2.0: "I ganska liten utsträckning",
          3.0: "I ganska stor utsträckning", 4.0: "I mycket stor utsträckning", 9.0: "Vet ej"}
    pyreadstat.write_sav(df, str(HERE / "spss_utstrackning.sav"),
                         column_labels=["Löpnummer", "Har samverkan underlättat ditt arbete?",
                                        "Har du fått stöd av förbundets processtöd?"],
                         variable_value_labels={"u1": vl, "u2": vl})
    codes = shuffled(list(zip([1.0, 2.0, 3.0, 4.0, 5.0, 99.0], [1, 2, 4, 6, 5, 1])))
    df = pd.DataFrame({"lopnr": [float(i + 1) for i in range(19)], "k1": codes})
    pyreadstat.write_sav(df, str(HERE / "spss_andetiketter.sav"),
                         column_labels=["Löpnummer", "I vilken grad känner du till förbundets insatser?"],
                         variable_value_labels={"k1": {1.0: "Inte alls", 5.0: "Helt", 99.0: "Vill ej svara"}})


if __name__ == "__main__":
    ms_forms()
    spss()
