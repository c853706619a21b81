"""Markdown to safe HTML: render with `markdown`, then clean with nh3 (ammonia).

Markdown lets raw HTML through, so the sanitiser is what makes `body_html` safe to show:
an allow-list of tags and attributes (no script, style, iframe or form; no `on*` event
handlers) and of URL schemes (http, https, mailto; so no `javascript:` or `data:` links).
"""

import markdown as md
import nh3

_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "span",
        "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
_URL_SCHEMES = frozenset({"http", "https", "mailto"})
_EXTENSIONS = ["extra", "sane_lists"]


def render(body: str) -> str:
    """`body` (markdown, possibly hostile) as sanitised HTML."""
    if not body.strip():
        return ""
    html = md.markdown(body, extensions=_EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=set(_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
