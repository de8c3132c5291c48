"""The API's docs page in a real Chromium: Swagger UI from our own files, within the CSP.

One visit: the page draws the operations from /api/schema/, every request stays on this
server, and the browser reports no Content-Security-Policy violation and no script error.
"""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_draw_the_schema_with_our_files_and_no_csp_violation(
    page, live_server, screenshot_dir
):
    seen, problems = [], []
    page.on("request", lambda request: seen.append(request.url))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/api/docs/")
    # Generous: on a busy machine Swagger UI takes seconds to draw the whole schema.
    expect(page.locator("#operations-sales-months_update")).to_be_visible(timeout=30_000)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OTOP")
    page.screenshot(path=screenshot_dir / "api-docs.png", full_page=False)
    foreign = [url for url in seen if not url.startswith(("data:", live_server.url))]
    assert not foreign, f"requests to other hosts: {foreign}"
    assert any("/static/drf_spectacular_sidecar/" in url for url in seen)
    assert not problems, problems  # a CSP violation is reported as a console error
