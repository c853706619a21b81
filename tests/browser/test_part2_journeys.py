"""Capture, review, act and measure in a real browser: each journey end to end against a real
server, axe-core on every page of it (no serious or critical violation), nothing loaded from
elsewhere, no script error or 5xx, and forms posted without their CSRF token refused.

Set HINDSIGHT_SCREENSHOTS to a folder to keep a screenshot of each step.
"""

import re
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.browser import test_pages as part1
from tests.browser.conftest import PASSWORD, Site
from tests.browser.test_pages import BLOCKING, PHONE, _shot, axe_violations, sign_in
from tests.factories import ADMIN_TOKEN

# Part 1's fixture: a fresh browser context per page, watching what each page does.
open_page = part1.open_page

AXE_COUNTS: Counter[str] = Counter()


def _axe(page: Any, where: str) -> None:
    """Runs axe on the page as it is now; any serious or critical violation fails."""
    found = axe_violations(page)
    AXE_COUNTS.update(v["impact"] for v in found)
    blocking = [f"{v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in BLOCKING]
    print(f"axe {where}: {len(found)} violations {[v['id'] for v in found]}")
    assert blocking == [], f"{where}: {blocking}"


def _focused(page: Any, element_id: str) -> None:
    """Waits (a few seconds at most) until `element_id` has the focus: autofocus is applied
    once the page is parsed, which a loaded machine may do after Playwright sees the load."""
    page.wait_for_function(
        f"document.activeElement && document.activeElement.id === {element_id!r}", timeout=5000
    )


def _step(page: Any, name: str) -> None:
    _axe(page, name)
    _shot(page, name, "desktop")


def _person(site: Site, name: str, role: str) -> str:
    email = f"{name.split()[0].lower()}@example.org"
    with httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as h:
        made = h.post(
            "/v1/users",
            json={
                "name": name,
                "email": email,
                "role": role,
                "team_ids": [site.ids["team_a"]],
                "password": PASSWORD,
            },
        )
        assert made.status_code == 201, made.text
    return email


@pytest.fixture(scope="module")
def reviewer(site: Site) -> str:
    return _person(site, "Rita Reviewer", "reviewer")


@pytest.fixture(scope="module")
def admin(site: Site) -> str:
    return _person(site, "Ada Admin", "admin")


def _capture_retrospect(page: Any, title: str) -> str:
    """Alice records a retrospect with one lesson of two whys; returns the asset's path."""
    page.get_by_role("link", name="Record").click()
    page.get_by_label("Retrospect").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Objectives").fill("Move patients home within a day of being fit to leave")
    page.get_by_label("What went well (optional)").fill("Daily huddles\nOne shared referral form")
    page.get_by_label("Useful contacts (optional)").fill(
        "Priya Shah, discharge lead, priya@example.org"
    )
    page.get_by_role("button", name="Add a lesson").click()
    _focused(page, "lessons-0-title")  # autofocus on the row just added
    assert page.get_by_label("Title", exact=True).input_value() == title  # kept on post-back
    page.get_by_label("Title of the lesson").fill("Weekly panels delayed social care referrals")
    page.get_by_label("Step 1: why?").fill("Why did discharges wait?")
    page.get_by_label("Step 1: because").fill("Referrals waited for the weekly panel")
    page.get_by_role("button", name="Add a step to the whys of lesson 1").click()
    _focused(page, "lessons-0-five_whys-1-question")
    page.get_by_label("Step 2: why?").fill("Why was there a weekly panel?")
    page.get_by_label("Step 2: because").fill("No one owned referrals between the services")
    # Saved without a root cause or the lesson itself: errors beside fields, summary on top.
    page.get_by_role("button", name="Save as draft").first.click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.get_by_text("Lesson 1: Enter the root cause the whys lead to").is_visible()
    _step(page, "capture-errors")
    summary.get_by_role("link", name="Lesson 1: Enter the root cause the whys lead to").click()
    assert page.evaluate("document.activeElement.id") == "lessons-0-root_cause-description"
    page.get_by_label("Root cause", exact=True).fill("No shared referral process")
    page.get_by_label("Category of the root cause").select_option("process")
    page.get_by_label("The lesson", exact=True).fill("Agree a daily referral slot with social care")
    page.get_by_label("Barrier: something to avoid").check()
    page.get_by_label("Delivery").check()
    _step(page, "capture-filled")
    page.get_by_role("button", name="Save and send for review").click()
    page.wait_for_load_state()
    path = re.sub(r"\?.*", "", page.url.removeprefix(page.url.split("/assets/")[0]))
    assert re.fullmatch(r"/assets/\d+", path), page.url
    assert page.get_by_text("Weekly panels delayed social care referrals").is_visible()
    _step(page, "capture-saved")
    return path


def test_capture_then_review_journey(open_page: Any, site: Site, reviewer: str) -> None:
    page, watch = open_page()
    sign_in(page, site.people["alice"])
    asset_path = _capture_retrospect(page, "Discharge huddles retrospect")

    desk, desk_watch = open_page()
    sign_in(desk, reviewer)
    desk.get_by_role("link", name="Review queue").click()
    _step(desk, "review-queue")
    desk.get_by_role("link", name="Discharge huddles retrospect").click()
    desk.get_by_label("No, send it back to its author").check()
    desk.get_by_role("button", name="Record the decision").click()
    assert desk.locator("#comment-error").is_visible()
    _step(desk, "review-needs-comment")
    desk.get_by_label("Comment for the author").fill("Name who owns referrals now")
    desk.get_by_role("button", name="Record the decision").click()
    assert desk.get_by_text("The report is sent back to its author").is_visible()

    # The author reads the comment in the history and sends it again.
    page.goto(asset_path)
    page.get_by_role("link", name="History and review").click()
    assert page.get_by_text("Name who owns referrals now").is_visible()
    _step(page, "review-history-author")
    page.get_by_role("link", name="Edit the draft").click()
    assert page.get_by_label("Step 2: because").input_value() == (
        "No one owned referrals between the services"
    )
    page.get_by_label("What went wrong (optional)").fill("Nobody owned referrals until May")
    _step(page, "capture-edit")
    page.get_by_role("button", name="Save and send for review").click()
    assert page.get_by_text("The report is sent for review").is_visible()

    desk.goto("/queue")
    desk.get_by_role("link", name="Discharge huddles retrospect").click()
    desk.get_by_label("Yes, publish it").check()
    desk.get_by_role("button", name="Record the decision").click()
    assert desk.get_by_text("The report is published").is_visible()
    # In review, back to draft, edited, in review again, published.
    assert desk.locator(".history__item").count() == 5
    _step(desk, "review-published")
    for w in (watch, desk_watch):
        assert w.foreign == [] and w.console_errors == [] and w.server_errors == []


def test_act_journey_from_lesson_to_learned(open_page: Any, site: Site) -> None:
    page, watch = open_page()
    sign_in(page, site.people["alice"])
    page.goto(f"/lessons/{site.ids['lesson']}")
    page.get_by_role("link", name="Move it on, plan actions or record where it was used").click()
    _step(page, "act-start")
    page.get_by_label("What will be done").fill("Name one referral owner per ward")
    page.get_by_label("Who will do it").select_option(label="Alice Example")
    page.get_by_label("Due date").fill("2020-06-30")
    page.get_by_role("button", name="Add the action").click()
    assert page.get_by_text("The action is added").is_visible()
    page.get_by_label("Action planned: an action is agreed").check()
    page.get_by_role("button", name="Move the lesson").click()
    assert page.get_by_text("The lesson has moved on").is_visible()

    page.get_by_role("link", name="My actions").first.click()
    card = page.locator(".action-card", has_text="Name one referral owner per ward")
    assert card.get_by_text("Overdue").is_visible()
    _step(page, "act-my-actions")
    card.get_by_label("Status").select_option("done")
    card.get_by_role("button", name="Update").click()
    assert page.locator(".error-message", has_text="an action is done with evidence").is_visible()
    _step(page, "act-done-needs-evidence")
    card = page.locator(".action-card", has_text="Name one referral owner per ward")
    card.get_by_label("Evidence").fill("Owners named on the ward rota since July")
    card.get_by_role("button", name="Update").click()
    assert page.get_by_text("The action is updated").is_visible()

    page.goto("/actions/overdue")
    _step(page, "act-overdue")

    page.goto(f"/lessons/{site.ids['lesson']}/act")
    # The seeded action is still open, so "actioned" says what is missing.
    page.get_by_label("Actioned: every action is finished").check()
    page.get_by_role("button", name="Move the lesson").click()
    assert page.get_by_text("still open or in progress").first.is_visible()
    _step(page, "act-refused")
    seeded = page.locator(".action-card", has_text="Agree the shared referral form")
    seeded.get_by_label("Status").select_option("cancelled")
    seeded.get_by_role("button", name="Update the action").click()
    page.get_by_label("Actioned: every action is finished").check()
    page.get_by_role("button", name="Move the lesson").click()
    page.get_by_label("Learned: something changed, and you can show it").check()
    page.get_by_label("Evidence of change").fill("Discharge delays halved on both wards")
    page.get_by_role("button", name="Move the lesson").click()
    assert page.locator("#status").get_by_text("Learned").is_visible()

    page.get_by_label("Project", exact=True).select_option(label="Discharge to assess, two wards")
    page.get_by_label("Applied as it is").check()
    page.get_by_role("button", name="Record it").click()
    assert page.get_by_text("The application is recorded").is_visible()
    applied = page.locator(".action-card", has_text="Discharge to assess, two wards")
    applied.get_by_label("It helped").check()
    applied.get_by_role("button", name="Record the outcome").click()
    assert page.get_by_text("The outcome is recorded").is_visible()
    _step(page, "act-learned")
    assert watch.foreign == [] and watch.console_errors == [] and watch.server_errors == []


def test_dashboard_journey(open_page: Any, site: Site) -> None:
    page, watch = open_page()
    sign_in(page, site.people["alice"])
    page.get_by_role("link", name="Dashboard").click()
    assert page.locator("svg.chart").first.is_visible()
    _step(page, "dashboard")
    page.get_by_label("Team").select_option(label="Discharge team")
    page.get_by_label("From").fill("2020-01-01")
    page.get_by_label("To", exact=True).fill("2019-01-01")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#end-error").is_visible()
    _step(page, "dashboard-error")
    page.get_by_label("To", exact=True).fill("2099-12-31")
    page.get_by_role("button", name="Show").click()
    assert "team_id=" in page.url and page.locator("svg.chart").first.is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures (CSV)").click()
    assert download.value.suggested_filename == "hindsight-dashboard.csv"
    assert watch.foreign == [] and watch.console_errors == [] and watch.server_errors == []


def test_maturity_journey(open_page: Any, site: Site) -> None:
    page, watch = open_page()
    sign_in(page, site.people["alice"])
    page.get_by_role("link", name="Maturity").click()
    page.get_by_role("link", name=re.compile("Start a self-assessment")).first.click()
    page.get_by_role("button", name="Save the assessment").click()
    assert page.locator(".error-summary").is_visible()
    _step(page, "maturity-errors")
    for part in page.locator(".maturity-part").all():
        part.get_by_role("group", name="Where your team is now").get_by_label("1: Emerging").check()
        part.get_by_role("group", name="Where it wants to be in a year").get_by_label(
            "2: Established"
        ).check()
    first = page.locator(".maturity-part").first
    first.get_by_label("Evidence (optional)").fill("Champion named in the board's terms")
    first.get_by_label("A priority for the coming year").check()
    first.get_by_label("Actions (optional)").fill("Put KM on the board agenda each quarter")
    page.get_by_role("button", name="Save the assessment").click()
    page.wait_for_load_state()
    assert re.search(r"/maturity/\d+$", page.url), page.url
    assert page.locator(".maturity-chart svg").is_visible()
    assert page.get_by_text("What Hindsight shows").first.is_visible()
    _step(page, "maturity-assessment")
    page.get_by_role("link", name="Progress over time").click()
    assert page.locator("#chart-progress-title").count() == 1
    _step(page, "maturity-progress")
    assert watch.foreign == [] and watch.console_errors == [] and watch.server_errors == []


def test_admin_journey(open_page: Any, site: Site, admin: str) -> None:
    page, watch = open_page()
    sign_in(page, admin)
    page.get_by_role("link", name="Teams").click()
    page.get_by_label("Name", exact=True).fill("Community nursing team")
    page.get_by_role("button", name="Add the team").click()
    assert page.get_by_text("The team is added").is_visible()
    _step(page, "admin-teams")
    page.get_by_role("link", name="Users", exact=True).first.click()
    page.get_by_label("Name", exact=True).fill("Nia Nurse")
    page.get_by_label("Email address").fill("nia@example.org")
    page.get_by_label("Role", exact=True).select_option("contributor")
    page.get_by_label("Team", exact=True).select_option(label="Community nursing team")
    page.get_by_label("Initial password").fill("short")
    page.get_by_role("button", name="Invite").click()
    assert page.locator("#password-error").is_visible()
    _step(page, "admin-invite-error")
    page.get_by_label("Initial password").fill(PASSWORD)
    page.get_by_role("button", name="Invite").click()
    assert page.get_by_text("The person is invited").is_visible()
    page.get_by_label("Role of Nia Nurse").select_option("reviewer")
    page.locator("tr", has_text="Nia Nurse").get_by_role("button", name="Set role").click()
    assert page.get_by_text("The role is changed").is_visible()
    assert page.get_by_label("Role of Nia Nurse").input_value() == "reviewer"
    _step(page, "admin-users")
    nia, _ = open_page()
    sign_in(nia, "nia@example.org")
    nia.get_by_role("link", name="API tokens").click()
    nia.get_by_label("What it is for").fill("Ward spreadsheet")
    nia.get_by_role("button", name="Create the token").click()
    secret = nia.locator(".token-secret code").inner_text()
    assert len(secret) > 20
    _step(nia, "admin-token-created")
    with httpx.Client(base_url=site.url) as http:
        me = http.get("/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
        assert me.status_code == 200 and me.json()["role"] == "reviewer"
        nia.get_by_role("button", name="Revoke Ward spreadsheet").click()
        assert nia.get_by_text("The token is revoked").is_visible()
        gone = http.get("/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
        assert gone.status_code == 401
    _step(nia, "admin-token-revoked")
    assert watch.foreign == [] and watch.console_errors == [] and watch.server_errors == []


def test_part2_pages_fit_a_phone(open_page: Any, site: Site) -> None:
    page, _ = open_page(PHONE)
    sign_in(page, site.people["alice"])
    for path in (
        "/capture",
        "/capture/new?kind=case_study",
        "/capture/lesson",
        f"/lessons/{site.ids['lesson']}/act",
        "/actions/mine",
        "/dashboard",
        "/maturity",
        "/account/tokens",
    ):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        _axe(page, f"{path} (phone)")
        _shot(page, path, "phone")


def test_a_capture_posted_without_its_csrf_token_is_refused(open_page: Any, site: Site) -> None:
    page, _ = open_page()
    sign_in(page, site.people["alice"])
    page.goto("/capture/new?kind=story")
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    page.get_by_label("Title", exact=True).fill("Never saved")
    with page.expect_response(lambda r: "/capture/new" in r.url) as answer:
        page.get_by_role("button", name="Save as draft").first.click()
    assert answer.value.status == 403
    assert page.get_by_text("security code").is_visible()
    print(f"\naxe over the part 2 journeys: {dict(AXE_COUNTS) or 'no violations'}")
