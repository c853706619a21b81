import xml.etree.ElementTree as ET

from hindsight.service.maturity import chart

NS = {"svg": "http://www.w3.org/2000/svg"}
LEVELS = [(0, "Not yet"), (1, "Emerging"), (2, "Established"), (3, "Embedded")]


def _spec(bars: list[chart.Bar]) -> chart.ChartSpec:
    return chart.ChartSpec(title="KM maturity", subtitle="test", levels=LEVELS, bars=bars)


def test_bar_heights_are_proportional_to_the_means():
    bars = [
        chart.Bar("a", "Leaders champion KM", 1.5, 2.5, priority=True),
        chart.Bar("b", "Communities", 3, 3),
    ]
    root = ET.fromstring(chart.render(_spec(bars)))
    plot_height = float(root.get("data-plot-height"))
    found = {}
    for group in root.iterfind("svg:g[@class='outcome']", NS):
        for rect in group.iterfind("svg:rect", NS):
            found[(group.get("data-outcome"), rect.get("data-series"))] = (
                float(rect.get("data-value")),
                float(rect.get("height")),
                float(rect.get("y")) + float(rect.get("height")),
            )
    assert found[("a", "current")][:2] == (1.5, plot_height / 2)
    assert found[("a", "target")][:2] == (2.5, round(plot_height * 2.5 / 3, 2))
    assert found[("b", "target")][1] == plot_height
    assert len({bottom for _, _, bottom in found.values()}) == 1  # bars share one baseline


def test_axes_are_labelled_and_the_legend_names_both_series():
    root = ET.fromstring(chart.render(_spec([chart.Bar("a", "A", 1, 2)])))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Outcome" in texts
    assert any(t and t.startswith("Maturity level") for t in texts)
    assert {"0 Not yet", "3 Embedded", "Current score", "Target in a year"} <= set(texts)


def test_titles_from_a_framework_are_escaped_not_markup():
    svg = chart.render(_spec([chart.Bar("a", "<script>alert(1)</script> & co", 1, 2)]))
    assert "<script>" not in svg
    ET.fromstring(svg)  # still well-formed


def test_a_scale_starting_at_one_puts_level_one_on_the_baseline():
    assert chart.bar_height(1, 1, 5) == 0
    assert chart.bar_height(5, 1, 5) == chart.PLOT_H


def test_a_long_outcome_title_is_wrapped_and_marked_when_cut():
    long_title = " ".join(["knowledge"] * 40)
    root = ET.fromstring(chart.render(_spec([chart.Bar("a", long_title, 1, 2)] * 6)))
    group = root.find("svg:g[@class='outcome']", NS)
    lines = [t.text for t in group.iterfind("svg:text", NS)][2:]  # after the two value labels
    assert len(lines) == chart.MAX_LABEL_LINES
    assert lines[-1].endswith("\u2026")
