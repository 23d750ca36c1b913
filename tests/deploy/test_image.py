"""The container image: pinned base, the locked environment, a non-root user, a health check, no
secrets inside (checked by reading deploy/docker/Dockerfile: no Docker engine runs here)."""

from __future__ import annotations

import re

from tests.deploy.files import DEPLOY, ROOT, SECRET_NAME, dockerfile

DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
INSTRUCTIONS = dockerfile(DOCKERFILE)
FINAL = max(i.stage for i in INSTRUCTIONS)


def _final(keyword: str) -> list[str]:
    return [i.arguments for i in INSTRUCTIONS if i.keyword == keyword and i.stage == FINAL]


def _base_image() -> str:
    (default,) = [i.arguments for i in INSTRUCTIONS if i.keyword == "ARG" and i.stage == -1]
    name, _, image = default.partition("=")
    assert name == "PYTHON_IMAGE"
    return image


def test_every_stage_starts_from_one_base_pinned_to_an_exact_python_release() -> None:
    image = _base_image()
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", image), image
    python = (ROOT / ".python-version").read_text().strip()
    assert image.startswith(f"python:{python}."), "the image runs the Python of .python-version"
    froms = [i.arguments.split()[0] for i in INSTRUCTIONS if i.keyword == "FROM"]
    assert froms == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]


def test_the_environment_is_installed_from_the_lock_with_the_makefiles_uv() -> None:
    runs = " ".join(i.arguments for i in INSTRUCTIONS if i.keyword == "RUN")
    assert "uv sync --frozen --no-dev --all-packages" in runs
    make_uv = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert make_uv is not None
    assert f"uv=={make_uv.group(1)}" in runs


def test_the_service_runs_as_an_unprivileged_user() -> None:
    users = _final("USER")
    assert users, "the final stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert int(user) >= 10000  # outside the ranges host accounts use


def test_a_health_check_asks_the_service_its_healthz() -> None:
    (check,) = _final("HEALTHCHECK")
    for part in ("http://127.0.0.1:8080/healthz", "--interval=", "--timeout="):
        assert part in check
    assert any("PROFILES_PORT=8080" in env for env in _final("ENV"))


def test_no_secret_is_baked_into_the_image() -> None:
    for instruction in INSTRUCTIONS:
        if instruction.keyword in ("ENV", "ARG"):
            for name in re.findall(r"([A-Z_][A-Z0-9_]*)=", instruction.arguments):
                assert not SECRET_NAME.search(name) or name.endswith("_FILE"), name
        if instruction.keyword in ("COPY", "ADD"):
            for forbidden in ("secret", ".env"):
                assert forbidden not in instruction.arguments
    assert not [i for i in INSTRUCTIONS if i.keyword == "ADD"], "COPY only: no remote downloads"


def test_the_build_context_holds_only_what_the_image_copies() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*", "everything is left out unless named"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = [
        source
        for i in INSTRUCTIONS
        if i.keyword == "COPY" and "--from=" not in i.arguments
        for source in i.arguments.split()[:-1]
    ]
    assert set(copied) == allowed
    for source in copied:
        assert (ROOT / source).exists(), source
