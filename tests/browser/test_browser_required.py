"""A chromium that is missing or does not start skips the browser tests on a developer's machine,
and fails them where SUPPORTMATCH_REQUIRE_BROWSER is set (CI): they never pass by not running."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from tests.browser.conftest import start_chromium


def test_a_browser_that_does_not_start_fails_the_run_where_it_is_required(
    playwright: Playwright, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'chromium: cannot open display' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("SUPPORTMATCH_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="does not start"):
        start_chromium(playwright, broken)
    with pytest.raises(pytest.fail.Exception, match="is missing"):
        start_chromium(playwright, tmp_path / "no-chromium")
    monkeypatch.delenv("SUPPORTMATCH_REQUIRE_BROWSER")
    with pytest.raises(pytest.skip.Exception, match="does not start"):
        start_chromium(playwright, broken)
