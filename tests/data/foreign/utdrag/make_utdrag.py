"""Write the excerpt corpus: tables and transcripts the way other tools and people write them.

Run by hand from the repository root (``python tests/data/foreign/utdrag/make_utdrag.py``);
the files are committed. Every sentence is invented for this corpus. The
personnummer in file names are invented numbers with a valid check digit.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from pathlib import Path

import docx
import openpyxl
from docx.shared import Cm

HERE = Path(__file__).resolve().parent

# Things people say in interviews about samverkan (written for this corpus).
SAGT = [
    "Ja alltså, det har blivit mycket bättre sen vi började ses varannan vecka, man vet ju vem man ska ringa nu.",
    "Nej men ärligt talat, vi har inte samma bild av vilka deltagare vi ska ta emot. Kommunen tänker en sak och AF en annan.",
    "Mm. Jag tycker väl att styrelsen är lite för långt bort från verksamheten, de ser ju bara siffrorna.",
    "Det är klart att pengarna styr. När projektet tar slut, vad händer då? Ingen vet.",
    "Vi har en samordnare som verkligen brinner för det här, men om hon slutar så... ja.",
    "Handläggarna på Försäkringskassan har ju sina regler, det går inte att komma runt dem hur man än vill.",
    "Jag kom in i det här ganska sent, så jag vet inte riktigt hur det började.",
    "Det bästa är väl att deltagarna faktiskt får prata med någon som har tid för dem.",
    "Vi har försökt få med psykiatrin men de har inte haft möjlighet, säger de.",
    "Ibland känns det som att vi sitter på möten bara för att ha möten.",
    "Förankringen hos cheferna är nog det svåraste, de byts ju ut hela tiden.",
    "Jo, det har hänt saker. Två av mina deltagare har jobb nu, det hade inte hänt utan teamet.",
    "Det är mycket pappersarbete. Uppföljningen tar mer tid än själva mötena ibland.",
    "Vi pratar samma språk nu, det gjorde vi inte för tre år sen.",
    "Jag vet inte. Kanske. Det beror på vem man frågar.",
    "Lokalerna är ett problem, vi har inget eget rum att ta emot i.",
    "Styrelsen bestämde att vi skulle satsa på unga, och det har varit rätt tycker jag.",
    "Det hänger på ledningen, tycker inte de att det är viktigt så blir det ingenting.",
    "Vi har lärt oss jättemycket av varandra, särskilt om hur de andra myndigheterna jobbar.",
    "Ja. Ja precis. Det var det jag menade.",
]
FRAGOR = [
    "Hur ser samverkan ut i dag?",
    "Vad fungerar mindre bra?",
    "Hur upplever du styrelsens roll?",
    "Vad händer när finansieringen tar slut?",
]
FORBUND = ["Botkyrka", "Huddinge", "Södertälje"]


def _csv(name: str, header: list[str], rows: list[list[object]], *, sep: str = ";", encoding: str = "utf-8-sig",
         newline: str = "\r\n") -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    (HERE / name).write_bytes(buf.getvalue().encode(encoding))


def _xlsx(name: str, header: list[str], rows: list[list[object]], sheet: str = "Blad1") -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(HERE / name)


def _folder(name: str) -> Path:
    d = HERE / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir()
    return d


def tables() -> None:
    # 1. The bug: a column called 'respondent' (20 excerpts, 4 people in Botkyrka).
    _csv("excel_kolumn_respondent.csv", ["respondent", "forbund", "roll", "text"],
         [[f"R0{i % 4 + 1}", "Botkyrka", "styrelse" if i % 4 < 2 else "samordnare", SAGT[i]] for i in range(20)])
    # 2. Excel on Swedish Windows: cp1252, 'IP' and 'Fråga', one empty text (line 7).
    rows = [[f"U{i + 1:03d}", f"IP{i % 5 + 1}", "Huddinge", FRAGOR[i % 4], SAGT[(i * 3) % 20]] for i in range(12)]
    rows[5][4] = ""
    _csv("excel_ip_fraga_cp1252.csv", ["Utdrag ID", "IP", "Förbund", "Fråga", "Citat"], rows, encoding="cp1252")
    # 3. Google Sheets: comma, quoted texts with line breaks, 'Informant', 'Samordningsförbund', 'Intervjufråga'.
    rows = [[f"Informant {i % 3 + 1}", FORBUND[i % 3], FRAGOR[i % 4], SAGT[i].replace(". ", ".\n", 1)]
            for i in range(9)]
    _csv("google_sheets_informant.csv", ["Informant", "Samordningsförbund", "Intervjufråga", "Citat"], rows,
         sep=",", encoding="utf-8", newline="\n")
    # 4. R01-R04 reused in each of three förbund: 12 people, not 4.
    _csv("r01_i_varje_forbund.csv", ["excerpt_id", "respondent_id", "forbund", "text"],
         [[f"E{k:02d}", f"R0{k % 4 + 1}", FORBUND[k // 8], SAGT[k % 20]] for k in range(24)])
    # 5. Two columns that could both be the respondent.
    _csv("tva_respondentkolumner.csv", ["respondent", "IP", "text"],
         [["Anna", "IP1", SAGT[0]], ["Bo", "IP2", SAGT[1]], ["Anna", "IP1", SAGT[2]]])
    # 6. No text column anyone would recognise.
    _csv("ingen_textkolumn.csv", ["Nr", "Person", "Anteckning om svaret"],
         [[1, "P1", SAGT[3]], [2, "P2", SAGT[4]]])
    # 7. Excerpt ids that repeat (copy-paste in Excel), lines 3 and 6.
    rows = [[f"C{i}", f"p{i % 3}", SAGT[i]] for i in range(1, 7)]
    rows[4][0] = "C2"
    _csv("dubbla_utdrag_id.csv", ["Citat ID", "Person", "Citat"], rows)
    # 8. One excerpt of 200 000 characters (a whole interview pasted into one cell), gzip-compressed.
    long_text = " ".join(SAGT[i % 20] for i in range(2600))[:200_000]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["respondent_id", "forbund", "text"])
    w.writerow(["R1", "Uppsala", SAGT[0]])
    w.writerow(["R2", "Uppsala", long_text])
    w.writerow(["R3", "Uppsala", SAGT[1]])
    (HERE / "langt_utdrag.csv.gz").write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))
    # 9. NVivo coding export to Excel: 'Fall' (case) is the person, text under 'Kodat innehåll'.
    rows = [[f"Intervjuer\\{FORBUND[i % 2]}_{i % 3 + 1}", f"IP{i % 3 + 1}", FORBUND[i % 2],
             ["Samsyn", "Resurser", "Förankring"][i % 3], SAGT[(i * 7) % 20]] for i in range(12)]
    _xlsx("nvivo_kodningsexport.xlsx", ["Fil", "Fall", "Förbund", "Nod", "Kodat innehåll"], rows, sheet="Kodning")
    # 10. MAXQDA 'Kodade segment' export: no respondent column at all (fallback, stated).
    rows = [["#ff0000", "Intervjuer Botkyrka", f"Intervju {i % 4 + 1}", "Samverkan\\Samsyn", i * 3 + 1, i * 3 + 2,
             SAGT[(i * 5) % 20], 0.4] for i in range(10)]
    _xlsx("maxqda_kodade_segment.xlsx",
          ["Färg", "Dokumentgrupp", "Dokumentnamn", "Kod", "Början", "Slut", "Segment", "Täckning %"], rows)


def _png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(0.6, 0.4), dpi=40)
    ax.axis("off")
    b = io.BytesIO()
    fig.savefig(b, format="png")
    plt.close(fig)
    return b.getvalue()


def transcripts() -> None:
    # 11. Typed .txt transcripts: fragments, "mm", interruptions, time stamps, (skratt), [ohörbart];
    # one file name that does not follow the pattern.
    d = _folder("txt_som_folk_skriver")
    (d / "Botkyrka_styrelse_R01.txt").write_text(
        "Intervju styrelseledamot\n"
        "2024-03-12\n"
        "\n"
        "I: Ja men om du börjar med att berätta lite om din roll i förbundet?\n"
        "IP: Ja, alltså jag sitter i styrelsen sen... ja, det blir tre år nu. För kommunens räkning.\n"
        "I: Mm.\n"
        "IP: Och innan dess satt jag i beredningsgruppen, så jag har sett det från båda hållen kan man säga.\n"
        "I: Hur upplever du samverkan mellan parterna i dag?\n"
        "IP: Den är bättre. Mycket bättre faktiskt (skratt). Förut satt man mest och väntade på att någon annan\n"
        "skulle ta initiativ. Nu har vi en samordnare som driver på.\n"
        "I: Vad tror du att det beror\n"
        "IP: – på? Personkemi mycket. Och att vi äntligen har [ohörbart] budgeten.\n"
        "I: Okej.\n"
        "IP: Mm.\n",
        encoding="utf-8",
    )
    (d / "Huddinge_samordnare_R01.txt").write_text(
        "[00:00:04] I: Då kör vi. Hur ser en vanlig vecka ut för dig?\n"
        "[00:00:11] IP: Oj. (paus) Det är väl... möten. Många möten. Och så deltagarna förstås.\n"
        "[00:00:31] I: Hur mycket tid går till deltagarna?\n"
        "[00:00:36] IP: Kanske hälften? Resten är uppföljning och sånt.\n"
        "[00:01:02] IP: Fast det har blivit bättre sen vi fick det nya systemet.\n"
        "[00:01:10] I: Vad skulle du vilja ändra på?\n"
        "[00:01:14] IP: Att cheferna var med mer. De vet knappt vad vi gör (suckar).\n",
        encoding="cp1252",
    )
    (d / "intervju_styrelse_1.txt").write_text(
        "I: Vad tycker du om förbundets insatser?\n"
        "IP: De är bra men för små. Vi skulle behöva fler platser.\n"
        "I: Och samarbetet med regionen?\n"
        "IP: Det är trögt. Det går långsamt med allt som har med vården att göra.\n",
        encoding="utf-8",
    )
    # 12. Word files: Title/Heading styles, a date line, an image, a page number; NVivo-style table transcript.
    d = _folder("word_rubriker_och_tabell")
    doc = docx.Document()
    doc.add_heading("Intervju med styrelseledamot", level=0)
    doc.add_paragraph("Datum: 14 mars 2024")
    doc.add_heading("Bakgrund", level=1)
    doc.add_paragraph("Intervjuare: Hur länge har du suttit i styrelsen?")
    doc.add_paragraph("Respondent: Sen 2021. Jag kom in när förra ledamoten gick i pension.")
    doc.add_picture(io.BytesIO(_png()), width=Cm(1))
    doc.add_heading("Samverkan", level=1)
    doc.add_paragraph("Intervjuare: Hur fungerar samarbetet i styrelsen?")
    doc.add_paragraph("Respondent: Bra. Vi är överens om det mesta.")
    doc.add_paragraph("Fast inte alltid om pengarna, då kan det bli diskussioner.")
    doc.add_paragraph("- 2 -")
    doc.add_paragraph("Intervjuare: Något mer du vill säga?")
    doc.add_paragraph("Respondent: Nej, det var nog allt.")
    doc.save(d / "Botkyrka_styrelse_R01.docx")
    doc = docx.Document()
    doc.add_paragraph("Utskrift, intervju 2024-04-02")
    t = doc.add_table(rows=0, cols=3)
    for tid, who, text in [("Tid", "Talare", "Text"),
                           ("00:00:05", "Intervjuare", "Hur kom du in i samordningsförbundets arbete?"),
                           ("00:00:12", "R01", "Genom min chef, hon tyckte att jag skulle gå på ett möte."),
                           ("00:00:40", "R01", "Och sen blev det så. Ja."),
                           ("00:00:48", "Intervjuare", "Vad har det gett dig?"),
                           ("00:00:52", "R01", "Kontakter framför allt. Jag vet vem jag ska ringa på Försäkringskassan.")]:
        cells = t.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = tid, who, text
    doc.save(d / "Huddinge_styrelse_R01.docx")
    # 13. Text copied out of a PDF report: 'Insatsledare:' and 'Samverkansresurs:' start lines but nobody speaks.
    d = _folder("pdf_rapporttext")
    (d / "verksamhetsberattelse_2023.txt").write_text(
        "Samordningsförbundet Exempelbygd\n"
        "Verksamhetsberättelse 2023\n"
        "\n"
        "Sida 1 av 2\n"
        "\n"
        "Insatsen Steget vidare riktar sig till unga vuxna mellan 18 och 29 år som\n"
        "varken arbetar eller studerar. Under året deltog 46 personer, varav 19\n"
        "gick vidare till arbete eller studier.\n"
        "Insatsledare: en socionom från kommunen som också samordnar teamet.\n"
        "Samverkansresurs: en heltidstjänst från kommunen och en halvtid från\n"
        "Arbetsförmedlingen.\n"
        "\n"
        "Insatsen Vägen in vänder sig till personer som länge haft försörjningsstöd.\n"
        "Insatsledare: en arbetsterapeut från regionen, på halvtid sedan i våras.\n"
        "Samverkansresurs: två coacher från kommunen och en handläggare från\n"
        "Försäkringskassan på deltid.\n"
        "\n"
        "2\n"
        "\n"
        "Under hösten har styrelsen följt upp båda insatserna och beslutat att\n"
        "förlänga Vägen in ett år till.\n",
        encoding="utf-8",
    )
    # 14. UTF-16 transcripts (Notepad "Unicode"), one with and one without a byte order mark; a focus group.
    d = _folder("utf16_fokusgrupp")
    text = (
        "Fokusgrupp insatspersonal, 2024-05-20\n"
        "\n"
        "Moderator: Vad tycker ni har fungerat bäst?\n"
        "R1: Att vi sitter ihop. Man kan bara gå över till någon och fråga.\n"
        "R2: Ja, det håller jag med om.\n"
        "R3: Mm.\n"
        "R1: Förut fick man vänta i veckor på svar.\n"
        "Moderator: Och det som fungerat sämst?\n"
        "R3: Sjukvården. Vi når dem inte.\n"
        "R2: Nej. Och när vi väl når dem är det en ny person varje gång.\n"
    )
    (d / "Sodertalje_insatspersonal_FG1.txt").write_bytes(text.encode("utf-16"))
    (d / "Sodertalje_insatspersonal_FG2.txt").write_bytes(
        "Moderator: Hur är det med lokalerna?\nR1: Trångt.\nR2: Väldigt trångt (skratt).\n".encode("utf-16-le")
    )
    # 15. Transcripts named by personnummer (how some evaluators save them); invented numbers.
    d = _folder("filnamn_med_personnummer")
    (d / "811218-9876.txt").write_text(
        "I: Hur kom du i kontakt med insatsen?\nIP: Via min handläggare på kommunen.\n"
        "I: Och hur har det gått?\nIP: Bra. Jag har praktik nu.\n", encoding="utf-8")
    doc = docx.Document()
    for p in ["I: Vad var viktigast för dig?", "IP: Att någon lyssnade. Att jag fick ta det i min takt."]:
        doc.add_paragraph(p)
    doc.save(d / "intervju_19850423-1146.docx")
    # 16. R01 reused across förbund in file names (pattern {forbund}_{roll}_{respondent}).
    d = _folder("r01_i_filnamn")
    for f, s in zip(FORBUND, (0, 5, 10)):
        (d / f"{f}_samordnare_R01.txt").write_text(
            f"I: {FRAGOR[0]}\nIP: {SAGT[s]}\nI: {FRAGOR[1]}\nIP: {SAGT[s + 1]}\n", encoding="utf-8")
    # 17. Teams and Zoom captions (WebVTT) and an SRT file: display names as voices, cues cut every few seconds.
    d = _folder("teams_zoom_textning")
    (d / "Botkyrka_styrelse_R04.vtt").write_text(
        "WEBVTT\n\n"
        "a1b2c3d4-1\n00:00:02.140 --> 00:00:07.900\n<v Karin Ek>Hur ser du på förbundets roll i er organisation?</v>\n\n"
        "a1b2c3d4-2\n00:00:08.310 --> 00:00:14.020\n<v Olle Berg>Ja, det är väl så att cheferna känner till det,\n"
        "men det ligger lite vid sidan om.</v>\n\n"
        "a1b2c3d4-3\n00:00:14.500 --> 00:00:19.000\n<v Olle Berg>Handläggarna i teamet är nöjda.</v>\n\n"
        "a1b2c3d4-4\n00:00:20.000 --> 00:00:24.000\n<v Karin Ek>Har ni en gemensam bild av målgruppen?</v>\n\n"
        "a1b2c3d4-5\n00:00:24.800 --> 00:00:31.000\n<v Olle Berg>Nej, vi drar nog åt olika håll &amp; det märks.</v>\n",
        encoding="utf-8")
    (d / "Huddinge_samordnare_R02.vtt").write_text(
        "WEBVTT\nKind: captions\nLanguage: sv\n\nNOTE inspelad i Zoom\n\n"
        "1\n00:00:01.000 --> 00:00:05.000\nLisa Holm: Hur började samarbetet med kommunen?\n\n"
        "2\n00:00:05.500 --> 00:00:12.000\nPer Nyström: Vi hade ett gemensamt möte med alla chefer.\n\n"
        "3\n00:00:12.500 --> 00:00:15.000\nLisa Holm: Och vad hände sedan?\n\n"
        "4\n00:00:15.200 --> 00:00:22.000\nPer Nyström: Sedan tog det tid innan något hände på golvet.\n",
        encoding="utf-8")
    (d / "Sodertalje_deltagare_D07.srt").write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nJag kom till insatsen via kommunen.\n\n"
        "2\n00:00:04,200 --> 00:00:08,000\nFörst var jag tveksam.\n\n"
        "3\n00:00:15,000 --> 00:00:19,000\nNu har jag praktik tre dagar i veckan.\n",
        encoding="utf-8")


if __name__ == "__main__":
    tables()
    transcripts()
    print("skrev", sorted(p.name for p in HERE.iterdir() if p.name not in ("make_utdrag.py", "expected.toml")))
