"""Horizontal bar charts as SVG, drawn on the server so that they read without JavaScript.

Built with xml.etree, which escapes every label, so text from the database cannot inject
markup; the page includes the result with `|safe` for that reason. Each chart carries a
<title> and <desc> (its text alternative, read by screen readers) and the page shows the
same figures as a table beside it. Colours are presentation attributes, not `style`, so the
pages' Content-Security-Policy needs no exception.
"""

import xml.etree.ElementTree as ET
from collections.abc import Sequence

BAR_COLOUR, INK, TRACK = "#1d70b8", "#0b0c0c", "#f3f2f1"
WIDTH, ROW, LABEL_W, VALUE_W = 640, 34, 210, 70
FONT = "Helvetica, Arial, sans-serif"


def bar_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, int | float]], *, unit: str = ""
) -> str:
    """`rows` as (label, value) bars scaled to the largest value; `unit` follows each value."""
    height = ROW * max(len(rows), 1) + 10
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "chart",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    described = "; ".join(f"{label}: {_number(value)}{unit}" for label, value in rows)
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = described or "No figures yet."
    largest = max((value for _, value in rows), default=0) or 1
    track = WIDTH - LABEL_W - VALUE_W
    for index, (label, value) in enumerate(rows):
        y = 5 + index * ROW
        text = ET.SubElement(
            svg,
            "text",
            {"x": str(LABEL_W - 8), "y": str(y + 21), "text-anchor": "end", "fill": INK,
             "font-family": FONT, "font-size": "16"},
        )  # fmt: skip
        text.text = label
        ET.SubElement(
            svg,
            "rect",
            {
                "x": str(LABEL_W),
                "y": str(y + 4),
                "width": str(track),
                "height": "22",
                "fill": TRACK,
            },
        )
        ET.SubElement(
            svg,
            "rect",
            {"x": str(LABEL_W), "y": str(y + 4), "width": f"{track * value / largest:.1f}",
             "height": "22", "fill": BAR_COLOUR},
        )  # fmt: skip
        figure = ET.SubElement(
            svg,
            "text",
            {"x": str(LABEL_W + track + 8), "y": str(y + 21), "fill": INK, "font-family": FONT,
             "font-size": "16"},
        )  # fmt: skip
        figure.text = f"{_number(value)}{unit}"
    return ET.tostring(svg, encoding="unicode")


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
