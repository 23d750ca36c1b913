"""The whole system as `make run` starts it, and Debian's chromium driven by Playwright.

Without chromium the browser tests are skipped, unless SUPPORTMATCH_REQUIRE_BROWSER is set (as in
CI): then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.system import RunningSystem

# Debian's package, by its path; another build can be named for a run (it is never downloaded).
CHROMIUM = Path(os.environ.get("SUPPORTMATCH_CHROMIUM", "/usr/bin/chromium"))
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
# Nearly square: the README shows two side by side, each about 430 px wide.
README_VIEWPORT = ViewportSize(width=1280, height=1320)


def _unavailable(reason: str) -> NoReturn:
    """Fail where the browser is required (CI), else skip with how to get it."""
    if os.environ.get("SUPPORTMATCH_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (SUPPORTMATCH_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(f"{reason}; `make browser` installs it")


def start_chromium(playwright: Playwright, path: Path) -> Browser:
    """The chromium at `path`, started headless; else the run fails or skips (`_unavailable`)."""
    if not path.exists():
        _unavailable(f"{path} is missing")
    try:
        return playwright.chromium.launch(executable_path=str(path), args=ARGS)
    except PlaywrightError as error:
        _unavailable(f"{path} does not start: {str(error).splitlines()[0]}")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, started before the system so a missing browser costs nothing."""
    instance = start_chromium(playwright, CHROMIUM)
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def system(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
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


@pytest.fixture
def page(browser: Browser, system: RunningSystem) -> Iterator[Page]:
    context = browser.new_context(
        base_url=system.url("portal"), viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def keep(page: Page, name: str, *, readme: bool = False) -> Path:
    """Keep a screenshot of the page as a test artifact (and in docs/ when asked to: the top of
    the page, as a reader first sees it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if readme and os.environ.get("SUPPORTMATCH_README_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size(README_VIEWPORT)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
        page.set_viewport_size({"width": 1280, "height": 900})
    return path


# Controls a keyboard cannot reach or a screen reader cannot name, and inputs without a label.
_PROBLEMS = """() => {
  const shown = e => e.getClientRects().length > 0;
  const problems = [];
  for (const e of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (e.type === 'hidden' || !shown(e)) continue;
    const what = `${e.tagName.toLowerCase()} ${e.name || e.id || e.textContent.trim().slice(0, 30)}`;
    if (e.tabIndex < 0) problems.push(`not reachable by Tab: ${what}`);
    const named = (e.getAttribute('aria-label') || e.textContent || e.value || '').trim();
    if (['A', 'BUTTON', 'SUMMARY'].includes(e.tagName) && !named) problems.push(`no name: ${what}`);
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(e.tagName)
        && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
      problems.push(`no label: ${what}`);
  }
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  if (!document.documentElement.lang) problems.push('no lang on <html>');
  return problems;
}"""


def check_page(page: Page) -> None:
    """What every page must have: a title, one h1, a label for each input, controls reachable
    and named for keyboard and screen-reader users, and no sideways scrolling at 1280 and 390."""
    page.wait_for_load_state()  # a link just clicked: the address changes before the page comes
    assert page.title().strip(), f"{page.url} has no title"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        problems = page.evaluate(_PROBLEMS)
        assert problems == [], f"{page.url} at {width}px: {problems}"
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} overflows by {overflow}px at {width}px wide"
    page.set_viewport_size({"width": 1280, "height": 900})


def tab_to(page: Page, selector: str, *, presses: int = 40) -> None:
    """Press Tab until the element `selector` has the focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached in {presses} presses of Tab on {page.url}")


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
