"""The whole system as `make run` starts it, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.system import RunningSystem

CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network: without these chromium keeps trying to reach Google's services.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("SUPPORTMATCH_ARTIFACTS", "var/artifacts/browser"))
SCREENSHOTS = Path("docs/screenshots")


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    if not CHROMIUM.exists():
        if os.environ.get("SUPPORTMATCH_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
        pytest.skip(f"{CHROMIUM} is missing (make browser installs it)")
    running = RunningSystem(
        tmp_path_factory.mktemp("browser") / "var",
        {
            "PORTAL_DEMO_ACCOUNTS": "true",
            "PORTAL_COOKIE_SECURE": "false",
            "PORTAL_POLL_SECONDS": "1",
            "NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        },
    )
    running.start()
    yield running
    if running.process is not None:
        running.stop()


@pytest.fixture(scope="session")
def browser(system: RunningSystem) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser, system: RunningSystem) -> Iterator[Page]:
    context = browser.new_context(
        base_url=system.url("portal"), viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def keep(page: Page, name: str, *, readme: bool = False) -> Path:
    """Keep a screenshot of the page as a test artifact (and in docs/ when asked to)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if readme and os.environ.get("SUPPORTMATCH_README_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
    return path


def check_page(page: Page) -> None:
    """What every page must have: a title, a label for each input, no overflow at 1280 and 390."""
    assert page.title().strip(), f"{page.url} has no title"
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
              .map(e => e.name || e.id)"""
    )
    assert unlabelled == [], f"{page.url}: inputs without a label: {unlabelled}"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} overflows by {overflow}px at {width}px wide"
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
