"""The web pages in a real browser: every page reachable from home passes axe-core with no
serious or critical violation, loads nothing from elsewhere, logs no script error and never
answers 5xx; a restricted item never shows to another team; and the search and pre-project
review journeys work end to end, on a desktop and on a phone.

Set HINDSIGHT_SCREENSHOTS to a folder to keep a desktop and a phone screenshot of each page.
"""

import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from tests.browser.conftest import PASSWORD, RESTRICTED_TITLE, Site

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}
NOT_PAGES = ("/static/", "/docs", "/redoc", "/openapi", "/attachments/", "/v1/", "/sign-out")
MAX_PAGES = 45
MAX_SEARCH_VARIANTS = 8
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("HINDSIGHT_SCREENSHOTS")


@dataclass
class Watch:
    """What a page did besides rendering: requests elsewhere, script errors, 5xx answers."""

    origin: str
    foreign: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _request(self, request: Any) -> None:
        if not request.url.startswith((self.origin + "/", "data:")):
            self.foreign.append(request.url)

    def _response(self, response: Any) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def _console(self, message: Any) -> None:
        # A 4xx page is the point of some checks (a 404 for a hidden item): the browser logs
        # its status as an error, which is not a script error.
        if message.type == "error" and "the server responded with a status of 4" not in (
            message.text
        ):
            self.console_errors.append(message.text)


@pytest.fixture
def open_page(browser: Any, site: Site) -> Iterator[Any]:
    contexts = []

    def opener(viewport: dict[str, int] = DESKTOP) -> tuple[Any, Watch]:
        context = browser.new_context(viewport=viewport, base_url=site.url)
        contexts.append(context)
        page = context.new_page()
        watch = Watch(site.url)
        watch.attach(page)
        return page, watch

    yield opener
    for context in contexts:
        context.close()


def sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/", page.content()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def _page_key(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(page: Any, site: Site) -> Iterator[str]:
    """Every page reachable from home by links (breadth first, up to MAX_PAGES), yielding
    each once it has loaded; facet and paging links of search count as a few pages."""
    queue, seen, search_variants = ["/"], set(), 0
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(path)
        assert response is not None and response.status < 500, f"{path}: {response.status}"
        yield path
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.href)"
        ):
            url, _ = urldefrag(urljoin(site.url + path, href))
            if not url.startswith(site.url + "/"):
                continue
            key = _page_key(url)
            if key.startswith(NOT_PAGES) or key in seen or key in queue:
                continue
            if key.startswith("/search?"):
                if search_variants >= MAX_SEARCH_VARIANTS:
                    continue
                search_variants += 1
            queue.append(key)


def _shot(page: Any, name: str, viewport: str) -> None:
    if SHOTS:
        folder = Path(SHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "home"
        page.screenshot(path=str(folder / f"{safe}-{viewport}.png"), full_page=True)


def test_every_page_from_home_passes_axe_and_loads_only_from_this_site(
    open_page: Any, site: Site
) -> None:
    page, watch = open_page()
    sign_in(page, site.people["alice"])
    visited, counts, blocking = [], Counter(), []
    for path in crawl(page, site):
        visited.append(path)
        for violation in axe_violations(page):
            counts[violation["impact"]] += 1
            if violation["impact"] in BLOCKING:
                blocking.append(f"{path}: {violation['id']} ({violation['impact']})")
        _shot(page, path, "desktop")
    print(f"\naxe over {len(visited)} pages: {dict(counts) or 'no violations'}")
    for expected in ("/search", "/reviews/new", f"/lessons/{site.ids['lesson']}"):
        assert any(p.startswith(expected) for p in visited), f"{expected} not reachable"
    assert f"/assets/{site.ids['asset']}" in visited
    assert f"/projects/{site.ids['project']}" in visited
    assert blocking == []
    assert watch.foreign == []
    assert watch.console_errors == []
    assert watch.server_errors == []


def test_pages_fit_a_phone(open_page: Any, site: Site) -> None:
    page, watch = open_page(PHONE)
    page.goto("/sign-in")
    _shot(page, "sign-in", "phone")
    sign_in(page, site.people["alice"])
    for path in (
        "/",
        "/search?q=referral",
        f"/lessons/{site.ids['lesson']}",
        f"/assets/{site.ids['asset']}",
        f"/projects/{site.ids['project']}",
        "/reviews/new",
        "/account/password",
    ):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        _shot(page, path, "phone")
    assert watch.console_errors == [] and watch.server_errors == []


def test_a_restricted_item_never_shows_to_another_team(open_page: Any, site: Site) -> None:
    page, watch = open_page()
    sign_in(page, site.people["bob"])
    for path in crawl(page, site):
        assert RESTRICTED_TITLE not in page.content(), f"{path} shows the restricted asset"
    page.goto("/search?q=staffing+rota")
    assert RESTRICTED_TITLE not in page.content()
    for path in (
        f"/assets/{site.ids['restricted_asset']}",
        f"/lessons/{site.ids['restricted_lesson']}",
    ):
        response = page.goto(path)
        assert response.status == 404 and RESTRICTED_TITLE not in page.content()
    # The owning team does see it, so the test above would notice a page that hid everything.
    owner, _ = open_page()
    sign_in(owner, site.people["alice"])
    owner.goto("/search?q=staffing+rota")
    assert RESTRICTED_TITLE in owner.content()
    assert watch.server_errors == []


def test_search_journey_marks_matches_and_keeps_filters_in_the_address(
    open_page: Any, site: Site
) -> None:
    page, watch = open_page()
    sign_in(page, site.people["alice"])
    page.get_by_label("Search lessons, reports and projects").fill("referral forms")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "q=referral+forms" in page.url
    assert page.locator(".result__snippet mark").count() >= 1
    page.locator(".facet a", has_text="Barrier").first.click()
    page.wait_for_load_state()
    assert "polarity=barrier" in page.url and "q=referral+forms" in page.url
    assert page.get_by_role("link", name=re.compile("Remove filter")).count() >= 1
    # The address alone reproduces the search: a colleague opening it sees the same.
    shared, _ = open_page()
    sign_in(shared, site.people["alice"])
    shared.goto(page.url)
    assert shared.locator(".result").count() == page.locator(".result").count()
    page.locator(".result__title a").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Asking why, down to the root cause").is_visible()
    assert page.get_by_text("Root cause: Process").is_visible()
    misspelt, _ = open_page()
    sign_in(misspelt, site.people["alice"])
    misspelt.goto("/search?q=refferal")
    assert misspelt.get_by_text("Did you mean").is_visible()
    assert watch.console_errors == [] and watch.server_errors == []


def test_pre_project_review_journey_records_decisions_and_prints(
    open_page: Any, site: Site
) -> None:
    page, watch = open_page()
    sign_in(page, site.people["alice"])
    page.get_by_role("link", name="Start a pre-project review").click()
    page.get_by_role("button", name="Find relevant lessons").click()
    # Nothing entered: the error summary takes focus and links to the fields.
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    _shot(page, "review-errors", "desktop")
    summary.get_by_role("link", name="Enter a name for the project").click()
    assert page.evaluate("document.activeElement.id") == "title"
    page.get_by_label("Project name").fill("Discharge to assess, two more wards")
    page.get_by_label("Describe the project").fill(
        "We will extend discharge to assess to two more wards. Referrals between the "
        "hospital and social care must move on one shared referral form, with daily "
        "huddles to clear delays."
    )
    page.get_by_label("Project in Hindsight").select_option(label="Discharge to assess, two wards")
    page.get_by_role("button", name="Find relevant lessons").click()
    page.wait_for_load_state()
    review_url = page.url
    assert re.search(r"/reviews/\d+$", review_url)
    assert page.get_by_text("Why it is shown").first.is_visible()
    first = page.locator(".review-lesson").first
    first.get_by_label("Apply it as it is").check()
    first.get_by_label("Note (optional)").fill("Use the form from day one")
    page.get_by_role("button", name="Save decisions").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your decisions are saved").is_visible()
    _shot(page, "review-saved", "desktop")
    # The stored review has its own address: it comes back as it was, with the decision.
    again, _ = open_page()
    sign_in(again, site.people["alice"])
    again.goto(review_url)
    assert again.get_by_text("Use the form from day one").first.is_visible()
    assert again.locator(".review-lesson").first.get_by_label("Apply it as it is").is_checked()
    # On paper: no header, no controls; the recorded decision stays.
    again.emulate_media(media="print")
    assert again.locator(".site-header").is_hidden()
    assert again.get_by_role("button", name="Save decisions").is_hidden()
    assert again.get_by_text("Use the form from day one").first.is_visible()
    _shot(again, "review-print", "print")
    assert watch.console_errors == [] and watch.server_errors == []


def test_a_form_posted_without_its_csrf_token_is_refused(open_page: Any, site: Site) -> None:
    page, _ = open_page()
    sign_in(page, site.people["bob"])
    page.goto("/account/password")
    # Every form's token goes (the header's sign-out form has one too).
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("another long passphrase")
    page.get_by_label("Type the new password again").fill("another long passphrase")
    with page.expect_response(lambda r: r.url.endswith("/account/password")) as answer:
        page.get_by_role("button", name="Change password").click()
    assert answer.value.status == 403
    assert page.get_by_text("security code").is_visible()
