"""The page every PDF of Réseau is printed on (fpdf2): A4, black on white, DejaVu Sans embedded
from ``static/fonts`` so that every French character (é è à ç œ « » ’ ·) renders whatever the
machine's fonts, and the author's name with the page number at its foot.

Imported only by the modules that build PDFs, inside the views that serve them: a web worker
loads fpdf (about 34 MB with what it pulls in) on its first PDF, not at start-up.
"""

from __future__ import annotations

import os

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "fonts")
FONT = "DejaVu"


class Document(FPDF):
    """An A4 document by ``network_name`` (its author, named at the foot of each page, ``foot``
    mm from the bottom; ``foot=None``: no foot). ``margin`` on every side unless ``top`` says
    otherwise; pages break ``bottom`` mm from the bottom (``margin`` + 3 by default)."""

    line_height = 6.0  # of ``line_text``, in mm

    def __init__(
        self,
        network_name: str,
        title: str,
        *,
        orientation: str = "P",
        margin: float = 15,
        top: float | None = None,
        bottom: float | None = None,
        foot: float | None = 12,
    ):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.network_name = network_name
        self.foot = foot
        self.set_title(title)
        self.set_author(network_name)
        self.set_creator("Réseau")
        self.add_font(FONT, "", os.path.join(FONTS, "DejaVuSans.ttf"))
        self.add_font(FONT, "B", os.path.join(FONTS, "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=margin + 3 if bottom is None else bottom)
        self.set_margins(margin, margin if top is None else top, margin)
        self.set_text_color(0)
        self.set_draw_color(0)

    def footer(self):
        if self.foot is None:
            return
        self.set_y(-self.foot)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"{self.network_name} — page {self.page_no()} / {{nb}}", align="C")

    def fitted(self, text: str, width: float) -> str:
        """``text``, shortened with an ellipsis so that it fits in a cell ``width`` mm wide."""
        if self.get_string_width(text) <= width - 2:
            return text
        while text and self.get_string_width(text + "…") > width - 2:
            text = text[:-1]
        return text + "…"

    def line_text(
        self, text: str, *, size: float = 10, bold: bool = False, height: float | None = None
    ):
        """``text`` across the page, wrapped, then a new line at the left margin."""
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, height or self.line_height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
