"""The planner web page driven by Playwright in Debian's chromium against a real uvicorn server:
load suggestions, approve one, override one (refused without comment for `other`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from tests.api.conftest import ApiEnv, free_port

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.browser


@pytest.fixture
def server_url(shared_api_env: ApiEnv) -> Iterator[str]:
    """A uvicorn server on a free loopback port serving the shared env's database."""
    port = free_port()
    config = uvicorn.Config(
        create_app(shared_api_env.database_url), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_planner_approves_and_overrides_in_the_browser(
    shared_api_env: ApiEnv, server_url: str
) -> None:
    if not shared_api_env.database_url.startswith("sqlite"):
        pytest.skip("the page is database-agnostic; run it once (its API calls are tested on both)")
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium (/usr/bin/chromium) is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-gpu",
            ],
        )
        try:
            page = browser.new_page()
            page.goto(f"{server_url}/planner")
            page.fill("#api-key", shared_api_env.keys["planner"])
            page.fill("#location", "F2")
            page.click("#load")
            rows = page.locator("#suggestions tbody tr")
            rows.first.wait_for()
            assert rows.count() == 2
            assert "version 1" in page.inner_text("#plan")
            service = page.locator("#suggestions tbody tr", has_text="Order 6 units.")
            assert service.locator("td.service .badge").inner_text() == "BY"
            assert service.locator("td.service").inner_text() == "BY front B · 91.6%"

            first = page.locator("#suggestions tbody tr", has_text="Order 24 units.")
            first.locator("button.approve").click()
            page.wait_for_function(
                "document.querySelector('#message').textContent.includes('approved')"
            )
            first = page.locator("#suggestions tbody tr", has_text="Order 24 units.")
            assert first.locator("td.status").inner_text() == "approved"
            assert first.locator("td.final").inner_text() == "24"

            second = page.locator("#suggestions tbody tr", has_text="Order 6 units.")
            second.locator("input.qty").fill("9")
            second.locator("select.reason").select_option("other")
            second.locator("button.override").click()
            page.wait_for_selector("#message.error")
            assert "requires a non-empty comment" in page.inner_text("#message")

            second.locator("input.comment").fill("shop refit")
            second.locator("button.override").click()
            page.wait_for_function(
                "document.querySelector('#message').textContent.includes('overridden')"
            )
            second = page.locator("#suggestions tbody tr", has_text="Order 6 units.")
            assert second.locator("td.status").inner_text() == "overridden (other)"
            assert second.locator("td.final").inner_text() == "9"
        finally:
            browser.close()
    trail = shared_api_env.client.get(
        "/v1/suggestions?location=F2&review_status=overridden",
        headers=shared_api_env.auth("planner"),
    ).json()["items"]
    assert [(row["sku"], row["final_qty"], row["comment"]) for row in trail] == [
        ("B", 9.0, "shop refit")
    ]
