"""Write the small static fixture files in this folder (run once; the output is committed).

Binary fixtures (xlsx, sav, parquet, docx, broken files) are made by the tests
themselves in a temporary folder.
"""

from pathlib import Path

HERE = Path(__file__).parent

# Semicolon, decimal comma, cp1252 with å/ä/ö, a blank row, label variants.
ENKAT = (
    "respondent_id;förbund_namn;forbund;ar;respondentgrupp;andel_tid;f1_samsyn;f2_legitimitet\n"
    "r01;Södertälje;Södertälje;2024;styrelse;0,5;Stämmer helt;Stämmer delvis\n"
    "r02;Södertälje;Södertälje;2024;styrelse;1,25;stämmer  helt ;Varken ja eller nej\n"
    "\n"
    "r03;Östra Södertörn;Östra Södertörn;2024;insatspersonal;-0,75;STÄMMER DELVIS;\n"
    "r04;Botkyrka;Botkyrka;2024;remittenter;1 234,5;Vet ej;Stämmer inte alls\n"
)
(HERE / "enkat_cp1252.csv").write_bytes(ENKAT.encode("cp1252"))

# Comma separator, UTF-8 with byte order mark, spaces around a header.
BOM = "\ufeffforbund, ar ,antal\nHuddinge,2023,12\nUppsala,2023,7\n"
(HERE / "kommuner_bom.csv").write_bytes(BOM.encode("utf-8"))

# An interview transcript in cp1252 (as Notepad on old Windows writes it).
TXT = (
    "[00:00:05] I: Kan du berätta hur samverkan har fungerat i år?\n"
    "[00:00:12] IP: Vi har träffats varannan vecka i teamet.\n"
    "Det har gjort att vi förstår varandras uppdrag bättre.\n"
    "\n"
    "I: Och styrelsen?\n"
    "IP: Styrelsen är mer engagerad nu, men förankringen hos kommunen är svag.\n"
    "IP: Det märks när budgeten diskuteras.\n"
)
(HERE / "Huddinge_samordnare_R07.txt").write_bytes(TXT.encode("cp1252"))

if __name__ == "__main__":
    print("skrev", ", ".join(p.name for p in sorted(HERE.iterdir()) if p.suffix != ".py"))
