"""axe-core on every page of the app, as every role that opens it, in every state worth seeing.

The pages come from the URL resolver (as in tests/test_security_sweep.py): a URL name with
neither a line in VISITS nor a reason in NOT_PAGES fails test_every_page_has_an_axe_visit.
Each line of VISITS is one visit and one test: the page is opened in a real Chromium as
that role, brought into its state, then axe-core (from npm, node_modules/axe-core, installed
by `make install`) checks it against the WCAG 2.0/2.1 A and AA rules; any violation fails
with its rule, its nodes and the page. A screenshot of every visit lands in
test-artifacts/screenshots/axe-*.png (and a phone-size one, axe-*-phone.png).

To add a page, add ONE line to VISITS:

    Visit("my-url-name", "district", "/my/path/5701/2570/11/"),

role is one of ROLES (district d5701, province p57, department cdd, anonymous); the path is
formatted with the world's ids ({sent_back}, {sale}, ...). For a state that needs a person's
action first (a refused save, an open dialog), pass a function of the page as `state`, as
refused_save below does. Pages that are not HTML (downloads) or only take a POST go into
NOT_PAGES with the reason; a POST-only view's answer page is checked through the visit that
posts to it.

Cost: one live server, one browser and one data set for the module; one page load and one
axe run per visit (pytest tests/test_axe.py -q prints the count of visits).
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from confirmations import services as confirmations
from otopdoc.fiscal import BANGKOK
from otopdoc.officers import create_officer
from sales.models import District, MonthlySale
from tests.conftest import PASSWORD, chromium_present
from tests.test_security_sweep import (
    FISCAL_MONTH,
    NOW,
    build_world,
    url_names,
)

# The data is the module's (world, committed); each test's own transaction only keeps the
# sessions the server writes from piling up. The django_db mark also makes pytest-django
# create the test database for a module whose tests need no `db` fixture of their own.
pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ROLES = {"district": "d5701", "province": "p57", "department": "cdd", "anonymous": None}
ROLES["new-district"] = "d5703"  # district 5703, added by add_states with no rows at all
CLOCK = [NOW]  # the live server's "now"; a visit may move it (lock_window_save)

# URL names that are no page of their own, with the reason.
NOT_PAGES = {
    "home": "sends each officer to their own home (visited as district-home etc.)",
    "logout": "POST only: ends the session and sends to the sign-in page (login visit)",
    "lock-exception-grant": "POST only: its refusal is the exceptions page (grant_refused)",
    "sales-import-confirm": "POST only: answers with the entry page or the import preview",
    "sales-import-template": "an Excel file, not a page",
    "confirm-send-back": "POST only: answers with the province confirmation page",
    "lock-exception-withdraw": "POST only: answers with the exceptions page",
    "row-note-explain": "POST only: answers with the row's note page",
    "row-note-follow-up": "POST only: answers with the row's note page",
    "producer-rename": "POST only: answers with the producer's page",
    "producer-merge": "POST only: answers with the producer's page",
    "producer-active": "POST only: answers with the producer's page",
    "notification-read": "POST only: answers with the notifications page",
    "notifications-read-all": "POST only: answers with the notifications page",
    "two-factor-codes": "shown once right after enrolment, else sends home (test_two_factor.py)",
}
# The JSON API answers programs, not people: only its documentation page is a page.
API_PAGES = {"api:docs"}
ADMIN_PAGES = {"admin:login"}  # Django's admin: its sign-in page is checked, not its inside


@dataclass
class Visit:
    """One page, opened as one role, brought into one state."""

    name: str
    role: str
    path: str
    state: object = None  # a function of (page, world) run after the page loads
    lang: str = "th"  # the page's language (the API's Swagger UI is English)

    @property
    def label(self):
        state = self.state.__name__ if self.state else "page"
        return f"{self.name}-{self.role}-{state}"


def labelled(visits):
    """Return a unique test id per visit: the label, then -2, -3 for a page's other months."""
    seen = {}
    for visit in visits:
        seen[visit.label] = seen.get(visit.label, 0) + 1
        count = seen[visit.label]
        yield pytest.param(visit, id=visit.label + (f"-{count}" if count > 1 else ""))


# --- states that need a person's action -----------------------------------------------------


def refused_save(page, world):
    """Type an amount that is not a number into the first open row and save: refused."""
    amount = page.locator("#rows tr[data-row] input[data-amount]").first
    amount.click()
    amount.press("Control+a")
    page.keyboard.type("สิบบาท")
    with page.expect_navigation():
        page.locator("#save").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()


def new_row(page, world):
    """Add a row with the button, as on an empty month."""
    page.locator("#add-row").click()
    expect(page.locator("#rows tr[data-row]:not(.d-none)").last).to_be_visible()


def lock_window_save(page, world):
    """Save on the 7th, inside the close window: the middleware answers with its lock page."""
    CLOCK[0] = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=BANGKOK)
    try:
        with page.expect_navigation():
            page.locator("#save").click()
    finally:
        CLOCK[0] = NOW
    expect(page.locator("#go-back")).to_be_visible()


def ticked(page, world):
    """Tick the whole batch from the header box, as before saving."""
    page.locator("input[data-check-all='tick']").check()


def send_back_chosen(page, world):
    """Choose a row to send back and type the reason, the send-back form ready to submit."""
    page.locator("input[data-check='chosen']").first.check()
    page.locator("#send-back-form textarea").click()
    page.keyboard.type("ยอดไม่ตรงกับเอกสาร")
    expect(page.locator("#send-back")).to_be_enabled()


def send_back_without_reason(page, world):
    """Send back a chosen row with no reason: refused with a message by the field."""
    page.locator("input[data-check='chosen']").first.check()
    with page.expect_navigation():
        page.locator("#send-back").click()
    expect(page.locator("#send-back-form .invalid-feedback")).to_be_visible()


def import_preview(page, world):
    """Upload the month's own Excel template with one bad amount: the preview with an error."""
    import io

    import openpyxl

    response = world["client"]["district"].get("/sales/5701/2570/11/import/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, (int, float, Decimal)) and cell.value >= 1000:
                cell.value = "หนึ่งพัน"
                break
        else:
            continue
        break
    out = io.BytesIO()
    book.save(out)
    page.locator("input[type=file]").set_input_files(
        {"name": "rt1.xlsx", "mimeType": "application/octet-stream", "buffer": out.getvalue()}
    )
    with page.expect_navigation():
        page.locator("#upload-form [type=submit]").click()
    expect(page.locator("#import-summary")).to_be_visible()


def estimate_errors(page, world):
    """Type a bad amount into the estimate and save: refused with messages."""
    field = page.locator("input[name='domestic_11']")
    field.click()
    field.press("Control+a")
    page.keyboard.type("abc")
    with page.expect_navigation():
        page.locator("#save").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()


def exports_errors(page, world):
    """Clear the first line's value and save: refused with messages by the fields."""
    field = page.locator("input[name='lines-0-value']")
    field.click()
    field.press("Control+a")
    page.keyboard.type("ไม่ใช่ตัวเลข")
    with page.expect_navigation():
        page.locator("#save").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()


def grant_refused(page, world):
    """Grant an exception without a reason or an area: refused with messages by the fields."""
    with page.expect_navigation():
        page.locator("form[action$='/grant/'] [type=submit]").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()


def wrong_password(page, world):
    """Sign in with a wrong password: the Thai message above the form."""
    page.get_by_label("ชื่อผู้ใช้").fill("d5701")
    page.get_by_label("รหัสผ่าน").fill("not-the-password")
    with page.expect_navigation():
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.locator(".alert-danger")).to_be_visible()


def password_refused(page, world):
    """Change the password with a wrong old one and a short new one: refused by the fields."""
    page.locator("#id_old_password").fill("wrong")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("other")
    with page.expect_navigation():
        page.locator("form [type=submit]").last.click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()


def swagger_drawn(page, world):
    """Wait until Swagger UI has fetched the schema and drawn its operations and models."""
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator("section.models").first).to_be_visible()


def server_error(page, world):
    """The 500 page, as Django's handler renders it, served at this address."""
    from django.test import RequestFactory
    from django.views.defaults import server_error as handler

    html = handler(RequestFactory().get("/")).content.decode()
    page.route("**/server-error/", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(page.url.rsplit("/", 2)[0] + "/server-error/")


# --- the pages ------------------------------------------------------------------------------

D, P, N = "/sales/5701/2570/11/", "/confirm/province/5701/2570/11/", "/reports/rt3/"
VISITS = [
    Visit("login", "anonymous", "/accounts/login/"),
    Visit("login", "anonymous", "/accounts/login/", wrong_password),
    Visit("admin:login", "anonymous", "/admin/login/"),
    Visit("password_change", "district", "/accounts/password/"),
    Visit("password_change", "province", "/accounts/password/", password_refused),
    Visit("password_change_done", "department", "/accounts/password/done/"),
    Visit("district-home", "district", "/district/5701/"),
    Visit("district-home", "province", "/district/5701/"),
    Visit("province-home", "province", "/province/57/"),
    Visit("province-home", "department", "/province/57/"),
    Visit("nation-home", "department", "/nation/"),
    Visit("lock-exceptions", "department", "/calendar/exceptions/"),
    Visit("privacy-notice", "anonymous", "/privacy/"),
    Visit("two-factor", "department", "/accounts/2fa/"),
    Visit("two-factor-setup", "department", "/accounts/2fa/setup/"),
    Visit("two-factor-lost", "department", "/accounts/2fa/lost/"),
    Visit("privacy-access-log", "department", "/privacy/access-log/"),
    Visit("lock-exceptions", "department", "/calendar/exceptions/", grant_refused),
    # The entry grid: filled, refused, sent back (row 2 of 5701), empty, locked, read-only.
    Visit("sales-month", "district", D),
    Visit("sales-month", "district", D, refused_save),
    Visit("sales-month", "district", "/sales/5701/2570/12/"),
    Visit("sales-month", "new-district", "/sales/5703/2570/11/"),
    Visit("sales-month", "new-district", "/sales/5703/2570/11/", new_row),
    Visit("sales-month", "district", "/sales/5701/2570/10/"),
    Visit("sales-month", "district", D, lock_window_save),
    Visit("sales-month", "province", D),
    Visit("sales-month", "department", D),
    Visit("sales-estimate", "district", "/sales/5701/2570/estimate/"),
    Visit("sales-estimate", "district", "/sales/5701/2570/estimate/", estimate_errors),
    Visit("sales-estimate", "province", "/sales/5701/2570/estimate/"),
    Visit("sales-exports", "province", "/sales/exports/57/2570/11/"),
    Visit("sales-exports", "province", "/sales/exports/57/2570/11/", exports_errors),
    Visit("sales-exports", "department", "/sales/exports/57/2570/11/"),
    Visit("sales-import", "district", D + "import/"),
    Visit("sales-import", "district", D + "import/", import_preview),
    Visit("confirm-district", "district", "/confirm/district/5701/2570/11/"),
    Visit("confirm-district", "district", "/confirm/district/5701/2570/11/", ticked),
    Visit("confirm-district", "district", "/confirm/district/5701/2570/10/"),
    Visit("confirm-district", "province", "/confirm/district/5701/2570/11/"),
    Visit("confirm-province", "province", P),
    Visit("confirm-province", "province", P, send_back_chosen),
    Visit("confirm-province", "province", P, send_back_without_reason),
    Visit("confirm-province", "department", P),
    Visit("sale-history", "district", "/confirm/history/{sent_back}/"),
    Visit("sale-history", "province", "/confirm/history/{sale}/"),
    Visit("completeness-latest", "department", "/confirm/completeness/"),
    Visit("completeness", "department", "/confirm/completeness/2570/11/"),
    Visit("completeness-province", "province", "/confirm/completeness/2570/11/57/"),
    Visit("report-rt1", "district", "/reports/rt1/5701/2570/11/"),
    Visit("report-rt1", "province", "/reports/rt1/5701/2570/11/"),
    Visit("report-rt2", "district", "/reports/rt2/5701/2570/11/"),
    Visit("report-rt3", "district", N + "5701/2570/11/"),
    Visit("report-rt3", "province", N + "57/2570/11/"),
    Visit("report-rt3", "department", N + "all/2570/11/"),
    Visit("report-rt4", "province", "/reports/rt4/57/2570/"),
    Visit("report-rt4-nation", "department", "/reports/rt4/all/2570/"),
    Visit("report-estimate", "district", "/reports/estimate/5701/2570/"),
    Visit("report-estimate-form", "district", "/reports/estimate/5701/2570/form/"),
    Visit("report-exports", "province", "/reports/exports/57/2570/11/"),
    Visit("report-kpi-current", "province", "/reports/kpi/"),
    Visit("report-kpi", "department", "/reports/kpi/2570/"),
    Visit("report-outliers", "province", "/reports/outliers/57/2570/11/"),
    Visit("report-outliers", "department", "/reports/outliers/all/2570/11/"),
    Visit("report-follow-up", "province", "/reports/follow-up/57/"),
    Visit("report-follow-up", "department", "/reports/follow-up/all/"),
    Visit("row-note", "district", "/sales/notes/{sent_back}/"),
    Visit("row-note", "province", "/sales/notes/{sale}/"),
    Visit("producer-list", "district", "/sales/5701/producers/"),
    Visit("producer-detail", "district", "/sales/5701/producers/{producer}/"),
    Visit("producer-detail", "province", "/sales/5701/producers/{producer}/"),
    Visit("notifications", "district", "/notifications/"),
    Visit("notifications", "province", "/notifications/"),
    Visit("notification-settings", "district", "/notifications/settings/"),
    Visit("notification-offices", "department", "/notifications/offices/"),
    Visit("notification-office", "department", "/notifications/offices/5701/"),
    Visit("notification-office", "department", "/notifications/offices/57/"),
    Visit("api:docs", "district", "/api/docs/", swagger_drawn, lang="en"),
    # The error pages: 403 (the province may not import), 404, 500.
    Visit("error-403", "province", D + "import/"),
    Visit("error-404", "district", "/sales/9999/2570/11/"),
    Visit("error-500", "district", "/district/5701/", server_error),
]
ERROR_PAGES = {"error-403", "error-404", "error-500"}
# Pages whose fields are filled: on a phone they fit its width (one card per row, app.css).
FILLED_ON_A_PHONE = {
    "sales-month",
    "sales-estimate",
    "sales-exports",
    "confirm-district",
    "confirm-province",
}


# --- the world: one server, one data set, one browser context per role ----------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Build the data once and commit it, for a live server of the module's own.

    The data: the security sweep's areas (rows of 5701, 5702 and 5001 in November 2569, some
    confirmed, export lines, estimates, an exception), plus a row of 5701 the province sent
    back and a row it confirmed, and district 5703 without a row. The clock stays on
    15 November 2569 (an open day) unless a visit moves it. Everything is flushed at the end.
    """
    if not chromium_present():
        pytest.skip("no Chromium")
    with (
        django_db_blocker.unblock(),
        mock.patch.object(timezone, "now", lambda: CLOCK[0]),
    ):
        try:
            world = build_world()
            add_states(world)
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                world["url"] = server.url
                world["client"] = {role: signed_in(world, role) for role in ROLES}
                yield world
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0)


def add_states(world):
    """Confirm one row of 5701 by the province, send another back, add an empty district."""
    users = world["users"]
    district = District.objects.get(code="5701")
    rows = list(MonthlySale.objects.for_month(district, FISCAL_MONTH).order_by("pk"))
    shown = {r.pk: r.version for r in rows}
    confirmations.confirm_province(district, FISCAL_MONTH, users["p57"], shown, {rows[0].pk})
    rows = list(MonthlySale.objects.for_month(district, FISCAL_MONTH).order_by("pk"))
    shown = {r.pk: r.version for r in rows}
    confirmations.send_back(
        district, FISCAL_MONTH, users["p57"], shown, {rows[2].pk}, "ยอดสูงผิดปกติ กรุณาตรวจสอบ"
    )
    District.objects.create(
        code="5703", province_id="57", name_th="เวียงป่าเป้า", name_en="Wiang Pa Pao"
    )
    users["d5703"] = create_officer("d5703", PASSWORD, "district", "5703").user
    world["ids"] = {"sale": rows[0].pk, "sent_back": rows[2].pk, "producer": rows[0].producer_id}


def signed_in(world, role):
    """Return a test client signed in as the role, its session good past the lock window."""
    client = Client()
    if ROLES[role]:
        client.force_login(world["users"][ROLES[role]])
        session = client.session
        session.set_expiry(datetime.timedelta(days=60))  # lock_window_save moves the clock
        session.save()
    return client


@pytest.fixture(scope="module")
def contexts(world, browser):
    """A browser context per role, signed in by the session cookie of a Django test client."""
    opened = {}

    def context_for(role, username=None):
        key = username or role
        if key not in opened:
            context = browser.new_context(viewport=DESKTOP, locale="th-TH")
            context.set_default_timeout(10_000)
            client = world["client"][role]
            if username:
                client = Client()
                client.force_login(world["users"][username])
            if "sessionid" in client.cookies:
                context.add_cookies(
                    [
                        {
                            "name": "sessionid",
                            "value": client.cookies["sessionid"].value,
                            "url": world["url"],
                        }
                    ]
                )
            opened[key] = context
        return opened[key]

    yield context_for
    for context in opened.values():
        context.close()


def run_axe(page):
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page; return its violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # The CSP refuses inline <script> (add_script_tag), so the file runs by evaluation.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,"
        " summary: n.failureSummary}))})))",
        WCAG_TAGS,
    )


def describe(violations, url):
    lines = [f"axe: {len(violations)} rule(s) violated on {url}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            lines.append("      " + (node["summary"] or "").replace("\n", " ")[:300])
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more nodes")
    return "\n".join(lines)


# --- the tests ------------------------------------------------------------------------------


def test_every_page_has_an_axe_visit():
    """Check every URL name of the resolver is visited here or has a reason not to be."""
    visited = {visit.name for visit in VISITS}
    names = {
        name
        for name in url_names()
        if not name.startswith(("admin:", "api:")) and name not in NOT_PAGES
    }
    names |= ADMIN_PAGES | (API_PAGES & url_names())
    missing = sorted(names - visited)
    assert not missing, f"pages without a line in tests/test_axe.py VISITS: {missing}"
    stale = sorted(visited - names - ERROR_PAGES)
    assert not stale, f"VISITS of URL names that no longer exist: {stale}"
    for visit in VISITS:
        if visit.name not in ERROR_PAGES:
            path = visit.path.format(sent_back=1, sale=1, producer=1)
            assert resolve(path).view_name == visit.name, (visit.path, visit.name)


def test_the_axe_check_finds_a_violation(world, contexts):
    """Check the check can fail: an input without a name added to a page is reported."""
    page = contexts("district").new_page()
    try:
        page.goto(world["url"] + "/district/5701/")
        page.evaluate(
            "document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')"
        )
        rules = {v["id"] for v in run_axe(page)}
        assert "label" in rules
    finally:
        page.close()


@pytest.mark.parametrize("visit", list(labelled(VISITS)))
def test_the_page_has_no_axe_violation(request, world, contexts, screenshot_dir, visit):
    page = contexts(visit.role).new_page()
    try:
        url = world["url"] + visit.path.format(**world["ids"])
        response = page.goto(url)
        expected = {"error-403": 403, "error-404": 404}.get(visit.name, 200)
        assert response.status == expected, (url, response.status)
        assert page.evaluate("document.documentElement.lang") == visit.lang
        if visit.state:
            visit.state(page, world)
        violations = run_axe(page)
        name = re.sub(r"[^\w-]", "_", request.node.callspec.id.removeprefix("chromium-"))
        page.screenshot(path=screenshot_dir / f"axe-{name}.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=screenshot_dir / f"axe-{name}-phone.png", full_page=True)
        if visit.name in FILLED_ON_A_PHONE:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{url} scrolls {overflow}px sideways on a 390 px phone"
        assert not violations, describe(violations, page.url)
    finally:
        page.close()
