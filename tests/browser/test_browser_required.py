"""A chromium that is missing or does not start skips the browser tests on a developer's machine,
and fails them where SUPPORTMATCH_REQUIRE_BROWSER is set (CI): they never pass by not running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from supportmatch_core.paths import project_root


def journeys(chromium: Path, *, required: bool) -> subprocess.CompletedProcess[str]:
    """One browser journey run by pytest on its own, with `chromium` as the browser."""
    env = {k: v for k, v in os.environ.items() if k != "SUPPORTMATCH_REQUIRE_BROWSER"}
    env["SUPPORTMATCH_CHROMIUM"] = str(chromium)
    if required:
        env["SUPPORTMATCH_REQUIRE_BROWSER"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "language",
         "tests/browser/test_journeys.py"],
        cwd=project_root(), env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_browser_that_does_not_start_fails_the_run_where_it_is_required(tmp_path: Path) -> None:
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'chromium: cannot open display' >&2\nexit 1\n")
    broken.chmod(0o755)
    run = journeys(broken, required=True)
    assert run.returncode == 1, run.stdout
    assert "does not start" in run.stdout
    assert "1 error" in run.stdout
    run = journeys(broken, required=False)
    assert run.returncode == 0, run.stdout
    assert "1 skipped" in run.stdout
