"""Markdown bodies are rendered and sanitised: hostile input never reaches body_html."""

import pytest

from hindsight.service.assets.rendering import render


def test_markdown_is_rendered() -> None:
    html = render("## Context\n\n**Two** wards\n\n- one\n- two\n\n[NHS](https://www.nhs.uk)")
    assert "<h2>Context</h2>" in html
    assert "<strong>Two</strong>" in html
    assert "<li>one</li>" in html
    assert 'href="https://www.nhs.uk"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_tables_survive() -> None:
    assert "<td>1</td>" in render("| a | b |\n|---|---|\n| 1 | 2 |")


def test_empty_body_renders_empty() -> None:
    assert render("   \n") == ""


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert('x')</script>",
        "text <SCRIPT src=https://evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '<div onclick="alert(1)" onmouseover="alert(2)">hover</div>',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="  javascript:alert(1)">x</a>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        '<iframe src="https://evil.example"></iframe>',
        "<svg><script>alert(1)</script></svg>",
        '<form action="https://evil.example"><input name=x></form>',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<object data="x.swf"></object><embed src="x.swf">',
    ],
)
def test_hostile_input_is_neutralised(hostile: str) -> None:
    html = render(hostile).lower()
    for bad in ("<script", "onerror", "onclick", "onmouseover", "onload", "javascript:",
                "data:", "<iframe", "<svg", "<form", "<input", "<style", "style=", "<object",
                "<embed"):  # fmt: skip
        assert bad not in html, (hostile, html)


def test_script_text_is_dropped_not_shown() -> None:
    assert "alert" not in render("<script>alert(1)</script>")
