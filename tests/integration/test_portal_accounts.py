"""`supportmatch account create` and `account disable` against the portal's database: accounts of
each role, passwords only from a prompt or a file, clear refusals with a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from portal.adapters import accounts as store
from portal.adapters.tables import accounts
from supportmatch_cli.main import app
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.migrate import upgrade_to_head
from tests.conftest import Databases
from tests.factories import new_uscc
from tests.passwords import cheap_passwords

PASSWORD = "a-password-of-sixteen"


@pytest.fixture
def portal_url(databases: Databases, monkeypatch: pytest.MonkeyPatch) -> str:
    url = databases.url("portal")
    upgrade_to_head("portal", url)  # as `make run` leaves it; the command migrates it too
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    return url


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return path


def account(command: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Exit code, output and error output (usage errors unboxed into one line)."""
    result = CliRunner().invoke(app, ["account", command, *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def said(text: str) -> str:
    """A usage error as one line of words, without the box the terminal draws around it."""
    return " ".join(text.replace("│", " ").split())


def stored(url: str, username: str) -> tuple[str | None, str | None, bool]:
    """(password hash, the account's role, whether it is disabled)."""
    engine = create_database_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            select(accounts).where(accounts.c.username == username)
        ).one_or_none()
    engine.dispose()
    assert row is not None, username
    return row.password_hash, row.role, row.disabled_at is not None


def test_each_role_gets_its_account_and_signs_in_with_its_password(
    portal_url: str, password_file: Path
) -> None:
    firm = new_uscc("44")
    code, out, _ = account(
        "create", "--role", "enterprise", "--uscc", firm.lower(),
        "--name", "深圳市某某科技有限公司", "--password-file", str(password_file),
    )  # fmt: skip
    assert code == 0, out
    assert f"created enterprise account {firm.lower()}" in out
    code, out, _ = account(
        "create", "--role", "caseworker", "--username", "Li.Hua@gd.gov.cn",
        "--region", "广东", "--region", "33", "--password-file", str(password_file),
    )  # fmt: skip
    assert (code, out.strip()) == (
        0,
        "created caseworker account li.hua@gd.gov.cn (33, 44; password)",
    )
    code, out, _ = account(
        "create", "--role", "admin", "--username", "root-admin", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, out
    code, out, _ = account("create", "--role", "admin", "--username", "sso-admin", "--oidc-only")
    assert "single sign-on only" in out
    uow, passwords = UnitOfWork(create_database_engine(portal_url)), cheap_passwords()
    with uow.read() as connection:
        found = store.by_username(connection, firm)
        caseworker = store.by_username(connection, "li.hua@gd.gov.cn")
        sso = store.by_username(connection, "sso-admin")
    assert found is not None
    assert caseworker is not None
    assert sso is not None
    assert found[0].uscc == firm
    assert found[0].display_name == "深圳市某某科技有限公司"
    assert caseworker[0].provinces == {"44", "33"}
    assert passwords.verify(found[1], PASSWORD)
    assert passwords.verify(caseworker[1], PASSWORD)
    assert sso[1] is None  # no password: only the OpenID provider can sign this person in
    assert stored(portal_url, "root-admin")[0].startswith("$argon2id$")  # type: ignore[union-attr]


BAD = [
    (["--role", "enterprise", "--uscc", "91440300192203821X"], "not a valid USCC"),
    (["--role", "enterprise", "--uscc", new_uscc(), "--region", "广东"], "no province"),
    (["--role", "caseworker", "--username", "wang", "--region", "火星"], "火星"),
    (["--role", "caseworker", "--username", "wang"], "at least one province"),
    (["--role", "admin", "--username", "x y z"], "a user name has 3 to 100 characters"),
    (["--role", "admin", "--username", "boss", "--uscc", new_uscc()], "only an enterprise"),
]


def test_bad_accounts_are_refused_with_a_sentence_and_exit_1(
    portal_url: str, password_file: Path
) -> None:
    for args, message in BAD:
        code, out, err = account("create", *args, "--password-file", str(password_file))
        assert code == 1, (args, out)
        assert err.startswith("error: "), args
        assert message in err, args
    engine = create_database_engine(portal_url)
    with engine.connect() as connection:
        assert connection.execute(select(accounts)).first() is None
    engine.dispose()


def test_a_database_out_of_reach_is_one_sentence_without_its_password(
    password_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql+psycopg://portal:s3cret@127.0.0.1:1/x")
    for command, args in (
        ("create", ("--role", "admin", "--username", "ops", "--password-file", str(password_file))),
        ("disable", ("ops",)),
    ):
        code, out, err = account(command, *args)
        assert code == 1, out
        assert err.startswith("error: the portal's database ("), err
        assert "cannot be reached" in err
        assert "s3cret" not in err
        assert "Traceback" not in out + err


def test_passwords_come_from_a_prompt_or_a_file_and_are_checked(
    portal_url: str, tmp_path: Path, password_file: Path
) -> None:
    base = ["--role", "admin", "--username", "boss"]
    code, out, err = account("create", "--role", "enterprise", "--uscc", "91440300192203821X")
    assert code == 1
    assert "Password" not in out  # refused before a password is asked for
    assert "not a valid USCC" in err
    code, _, err = account("create", *base, "--password", PASSWORD)
    assert code == 2
    assert "No such option: --password" in said(err)
    code, out, err = account("create", *base, stdin=f"{PASSWORD}\nsomething-else-1\n")
    assert code == 1
    assert "do not match" in out + err
    short = tmp_path / "short"
    short.write_text("short\n")
    code, _, err = account("create", *base, "--password-file", str(short))
    assert (code, err.strip()) == (1, "error: a password has at least 10 characters")
    empty = tmp_path / "empty"
    empty.write_text("")
    code, out, err = account("create", *base, "--password-file", str(empty))
    assert code == 2
    assert "holds no password" in said(err)
    code, out, err = account("create", *base, "--password-file", str(tmp_path / "missing"))
    assert code == 2
    assert "cannot read" in said(err)
    code, out, _ = account("create", *base, "--password-file", "-", stdin=f"{PASSWORD}\n")
    assert code == 0, out
    code, out, err = account("create", *base, "--password-file", str(password_file))
    assert (code, err.strip()) == (1, "error: an account named boss exists already")
    code, out, err = account("create", *base, "--oidc-only", "--password-file", str(short))
    assert code == 2
    assert "has no password" in said(err)


def test_a_disabled_account_is_kept_but_cannot_sign_in(
    portal_url: str, password_file: Path
) -> None:
    code, out, _ = account(
        "create", "--role", "admin", "--username", "leaver", "--password-file", str(password_file)
    )
    assert code == 0, out
    assert account("disable", "Leaver") == (0, "disabled leaver\n", "")
    assert account("disable", "leaver") == (0, "already disabled: leaver\n", "")
    assert stored(portal_url, "leaver")[2]
    uow = UnitOfWork(create_database_engine(portal_url))
    with uow.read() as connection:
        assert store.by_username(connection, "leaver") is None
    # The name stays taken: a new account cannot take over the old one's identity.
    code, _, err = account(
        "create", "--role", "admin", "--username", "leaver", "--password-file", str(password_file)
    )
    assert (code, err.strip()) == (1, "error: an account named leaver exists already")
    code, _, err = account("disable", "nobody")
    assert (code, err.strip()) == (1, "error: no account is named nobody")
