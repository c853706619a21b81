"""An SVG bar chart of one assessment: per outcome, the mean current score beside the mean
target, on the framework's level scale. Built with xml.etree, which escapes every title
and label, so a framework's text cannot inject markup into the picture."""

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 960, 560
LEFT, RIGHT, TOP, BOTTOM = 150, 30, 104, 120
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
CURRENT_COLOUR, TARGET_COLOUR, INK, GRID = "#1f5f8b", "#f0a202", "#222222", "#d0d0d0"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
MAX_LABEL_LINES = 5


@dataclass(frozen=True)
class Bar:
    outcome_key: str
    title: str
    current: float
    target: float
    priority: bool = False


@dataclass(frozen=True)
class ChartSpec:
    title: str
    subtitle: str
    levels: Sequence[tuple[int, str]]  # (level, label), contiguous
    bars: Sequence[Bar]


def bar_height(value: float, low: int, high: int) -> float:
    """Pixel height of a bar for `value` on the low..high scale (the test checks this)."""
    return round((value - low) / (high - low) * PLOT_H, 2)


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", **attrs})
    node.text = text
    return node


def _axes(svg: ET.Element, levels: Sequence[tuple[int, str]]) -> None:
    low, high = levels[0][0], levels[-1][0]
    axis = ET.SubElement(svg, "g", {"class": "y-axis", "font-size": "13", "fill": INK})
    for level, label in levels:
        y = TOP + PLOT_H - bar_height(level, low, high)
        ET.SubElement(
            axis,
            "line",
            {
                "x1": str(LEFT),
                "x2": str(LEFT + PLOT_W),
                "y1": f"{y}",
                "y2": f"{y}",
                "stroke": GRID if level != low else INK,
                "stroke-width": "1",
            },
        )
        _text(axis, LEFT - 8, y + 4, f"{level} {label}", **{"text-anchor": "end"})
    ET.SubElement(
        axis,
        "line",
        {"x1": str(LEFT), "x2": str(LEFT), "y1": str(TOP), "y2": str(TOP + PLOT_H), "stroke": INK},
    )
    mid = TOP + PLOT_H / 2
    _text(
        axis,
        18,
        mid,
        "Maturity level (mean of sub-outcome scores)",
        **{
            "text-anchor": "middle",
            "transform": f"rotate(-90 18 {mid:.1f})",
            "font-weight": "bold",
        },
    )
    _text(
        axis,
        LEFT + PLOT_W / 2,
        HEIGHT - 12,
        "Outcome",
        **{"text-anchor": "middle", "font-weight": "bold"},
    )


def _legend(svg: ET.Element) -> None:
    legend = ET.SubElement(svg, "g", {"class": "legend", "font-size": "13", "fill": INK})
    x = LEFT
    for name, colour, label in (
        ("current", CURRENT_COLOUR, "Current score"),
        ("target", TARGET_COLOUR, "Target in a year"),
    ):
        ET.SubElement(
            legend,
            "rect",
            {
                "x": str(x),
                "y": "66",
                "width": "16",
                "height": "16",
                "fill": colour,
                "data-series": name,
            },
        )
        _text(legend, x + 22, 79, label)
        x += 170
    _text(legend, x, 79, "\u2605 = outcome with a priority sub-outcome")


def _group(svg: ET.Element, bar: Bar, index: int, slot: float, low: int, high: int) -> None:
    group = ET.SubElement(svg, "g", {"class": "outcome", "data-outcome": bar.outcome_key})
    width = min(42.0, slot * 0.3)
    centre = LEFT + slot * (index + 0.5)
    for offset, name, colour, value in (
        (-width - 2, "current", CURRENT_COLOUR, bar.current),
        (2, "target", TARGET_COLOUR, bar.target),
    ):
        height = bar_height(value, low, high)
        x, y = centre + offset, TOP + PLOT_H - height
        rect = ET.SubElement(
            group,
            "rect",
            {
                "class": f"bar {name}",
                "data-series": name,
                "data-value": f"{value:g}",
                "x": f"{x:.1f}",
                "y": f"{y:.2f}",
                "width": f"{width:.1f}",
                "height": f"{height:.2f}",
                "fill": colour,
            },
        )
        ET.SubElement(rect, "title").text = f"{bar.title}: {name} {value:.2f}"
        _text(
            group,
            x + width / 2,
            y - 5,
            f"{value:.1f}",
            **{"text-anchor": "middle", "font-size": "12", "fill": INK},
        )
    label = ("\u2605 " if bar.priority else "") + bar.title
    lines = textwrap.wrap(label, width=max(10, int(slot / 7.2)))
    if len(lines) > MAX_LABEL_LINES:  # say that words were cut, never drop them silently
        lines = lines[:MAX_LABEL_LINES]
        lines[-1] = lines[-1].rstrip(".,;:") + "\u2026"
    for n, line in enumerate(lines):
        _text(
            group,
            centre,
            TOP + PLOT_H + 20 + 15 * n,
            line,
            **{
                "text-anchor": "middle",
                "font-size": "12",
                "fill": INK,
                "font-weight": "bold" if bar.priority else "normal",
            },
        )


def render(spec: ChartSpec) -> str:
    low, high = spec.levels[0][0], spec.levels[-1][0]
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(WIDTH),
            "height": str(HEIGHT),
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "role": "img",
            "font-family": FONT,
            "data-level-min": str(low),
            "data-level-max": str(high),
            "data-plot-height": str(PLOT_H),
        },
    )
    ET.SubElement(svg, "title").text = spec.title
    ET.SubElement(svg, "desc").text = (
        "Mean current score against mean target per outcome: "
        + "; ".join(f"{b.title} {b.current:.2f} -> {b.target:.2f}" for b in spec.bars)
    )
    ET.SubElement(svg, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    _text(svg, LEFT, 30, spec.title, **{"font-size": "20", "font-weight": "bold", "fill": INK})
    _text(svg, LEFT, 52, spec.subtitle, **{"font-size": "13", "fill": "#555555"})
    _axes(svg, spec.levels)
    _legend(svg)
    slot = PLOT_W / max(1, len(spec.bars))
    for index, bar in enumerate(spec.bars):
        _group(svg, bar, index, slot, low, high)
    return ET.tostring(svg, encoding="unicode", xml_declaration=False)
