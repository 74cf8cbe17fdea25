"""The bundle's pages and the few kinds of text written on them (fpdf2), always as plain text.

Nothing written is read as markup, and the page-count placeholder is a random token per
bundle, so text typed into a summary is never replaced by the page count. The font is
DejaVu Sans, kept in `fonts/` with its licence, so a name in Greek, Cyrillic or with any
European accent prints the same on every machine; a character DejaVu lacks (Chinese, say)
prints blank rather than failing.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cases.export.material import Cut

FONT_DIR = Path(__file__).with_name("fonts")
FAMILY = "DejaVu"
MARKING = "OFFICIAL-SENSITIVE"
LINE = 4.6  # mm, body text
LABEL_WIDTH = 48  # mm, the label column of a record's fields
WHEN_WIDTH = 36  # mm, the timeline's date column
HEADER_RECIPIENT_CHARS = 90  # the running header names the recipient, cut to fit one line

# fontTools reports every step of subsetting the font at INFO: dozens of lines per bundle.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def plain(text) -> str:
    """Text as it may be printed: line breaks kept, other control characters dropped."""
    text = unicodedata.normalize("NFC", "" if text is None else str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")


class Pages(FPDF):
    """A4 pages with the marking, the recipient and 'page X of Y' on each."""

    def __init__(self, *, reference: str, recipient: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.reference = reference
        shown = plain(recipient).replace("\n", " ")
        if len(shown) > HEADER_RECIPIENT_CHARS:
            shown = shown[: HEADER_RECIPIENT_CHARS - 1] + "…"
        self.recipient_line = shown
        # A fresh placeholder for the page count: nothing in the record can spell it.
        self.count_alias = "{pages-" + secrets.token_hex(8) + "}"
        self.alias_nb_pages(self.count_alias)
        self.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 20, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(f"{reference} case bundle")
        self.set_subject(MARKING)
        self.set_creator("Beaconport")

    def header(self):
        self.set_y(8)
        self.set_font(FAMILY, "B", 9)
        self.cell(0, 4.5, MARKING, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, "", 7.5)
        self.cell(
            0,
            4,
            f"{self.reference} · disclosed to {self.recipient_line}",
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_y(20)

    def footer(self):
        self.set_y(-13)
        self.set_font(FAMILY, "", 7.5)
        self.cell(
            0,
            4,
            f"{MARKING} · {self.reference} · page {self.page_no()} of {self.count_alias}",
            align="C",
        )


class Writer:
    """The bundle's few kinds of text (headings, fields, items), always as plain text."""

    def __init__(self, pdf: Pages):
        self.pdf = pdf

    def heading(self, text: str, *, size: float = 13):
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 45:  # never a heading alone at the foot of a page
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(FAMILY, "B", size)
        pdf.multi_cell(0, size * 0.5, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)

    def text(self, value, *, bold: bool = False, size: float = 9.5, indent: float = 0):
        pdf = self.pdf
        pdf.set_font(FAMILY, "B" if bold else "", size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(
            pdf.epw - indent, LINE, plain(value) or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def field(self, label: str, value):
        pdf = self.pdf
        pdf.set_font(FAMILY, "B", 9.5)
        pdf.set_x(pdf.l_margin)
        pdf.cell(LABEL_WIDTH, LINE, label)
        pdf.set_font(FAMILY, "", 9.5)
        pdf.multi_cell(
            pdf.epw - LABEL_WIDTH, LINE, plain(value) or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def item(self, value, *, indent: float = 4):
        self.text(f"• {plain(value)}", indent=indent)

    def gap(self, height: float = 2):
        self.pdf.ln(height)

    def cut_note(self, cut: Cut, what: str, limit: int):
        if cut.more:
            self.text(
                f"Only the first {limit:,} {what} are in this bundle; the case holds more.",
                bold=True,
                size=8.5,
            )
