"""`supportmatch account create` and `account disable`: the portal's accounts for real use.

Both write the portal's database (PORTAL_DATABASE_URL, else the embedded SQLite file). A password
is typed at a hidden prompt or read from a file, never given as an argument, where `ps` and the
shell's history would keep it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from supportmatch_core.auth import Role

if TYPE_CHECKING:
    from supportmatch_core.db import UnitOfWork

app = typer.Typer(help="Portal accounts: create and disable.", no_args_is_help=True)

EXIT_REFUSED = 1


def _refuse(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_REFUSED)


def _read_password(password_file: Path | None, oidc_only: bool) -> str | None:
    """The new password: from the file (`-` is stdin), else typed twice; None for OIDC only."""
    if oidc_only:
        if password_file is not None:
            raise typer.BadParameter(
                "an account for single sign-on only has no password", param_hint="--password-file"
            )
        return None
    if password_file is None:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        text = sys.stdin.read() if str(password_file) == "-" else password_file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(
            f"cannot read {password_file}: {error}", param_hint="--password-file"
        ) from error
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise typer.BadParameter(
            f"{password_file} holds no password on its first line", param_hint="--password-file"
        )
    return lines[0]


@app.command()
def create(
    role: Annotated[Role, typer.Option(help="enterprise, caseworker or admin")],
    username: Annotated[
        str | None,
        typer.Option(help="the name to sign in with (an enterprise's defaults to its USCC)"),
    ] = None,
    uscc: Annotated[
        str | None, typer.Option(help="the firm an enterprise account speaks for")
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option(help="a province a caseworker serves, by name or code; repeat for more"),
    ] = None,
    name: Annotated[
        str, typer.Option(help="the name shown in the portal's header (default: the user name)")
    ] = "",
    password_file: Annotated[
        Path | None,
        typer.Option(help="read the password from the first line of this file ('-': stdin)"),
    ] = None,
    oidc_only: Annotated[
        bool, typer.Option("--oidc-only", help="no password: signs in through OpenID Connect")
    ] = False,
) -> None:
    """Create a portal account bound to a firm (enterprise), provinces (caseworker) or nothing (admin)."""
    from portal.domain.accounts import AccountInvalid, binding, username_of
    from portal.settings import PortalSettings
    from portal.use_cases.accounts import AccountExists, create_account

    if username is None:
        if role is not Role.ENTERPRISE or not uscc:
            raise typer.BadParameter(
                "give the account a user name (only an enterprise's defaults to its USCC)",
                param_hint="--username",
            )
        username = uscc
    try:  # before asking for a password that would then be thrown away
        username_of(username)
        binding(role, uscc=uscc, provinces=list(region or []))
    except AccountInvalid as error:
        raise _refuse(str(error)) from None
    password = _read_password(password_file, oidc_only)
    with _portal_database() as uow:
        try:
            account = create_account(
                uow=uow,
                passwords=PortalSettings().passwords(),
                username=username,
                password=password,
                role=role,
                display_name=name,
                uscc=uscc,
                provinces=list(region or []),
                now=datetime.now(UTC),
            )
        except AccountInvalid as error:
            raise _refuse(str(error)) from None
        except AccountExists as error:
            raise _refuse(f"an account named {error} exists already") from None
    bound = account.uscc or ", ".join(sorted(account.provinces)) or "-"
    how = "single sign-on only" if password is None else "password"
    typer.echo(f"created {account.role.value} account {account.username} ({bound}; {how})")


@app.command()
def disable(
    username: Annotated[str, typer.Argument(help="the account's user name")],
) -> None:
    """Refuse the account's sign-ins from now on and end its open sessions; the account is kept."""
    from portal.use_cases.accounts import NoSuchAccount, disable_account

    with _portal_database() as uow:
        try:
            changed = disable_account(uow=uow, username=username, now=datetime.now(UTC))
        except NoSuchAccount:
            raise _refuse(f"no account is named {username.strip().lower()}") from None
    typer.echo(f"{'disabled' if changed else 'already disabled:'} {username.strip().lower()}")


@contextmanager
def _portal_database() -> Iterator[UnitOfWork]:
    """The portal's database, migrated to the current schema, for the length of one command; a
    database that cannot be reached is said in one line, without a traceback."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from portal.settings import PortalSettings
    from supportmatch_core.db import UnitOfWork, create_database_engine
    from supportmatch_core.migrate import upgrade_to_head

    url = PortalSettings().database_url
    engine = create_database_engine(url)
    try:
        try:
            with engine.connect():
                pass
        except OperationalError as error:
            where = make_url(url).render_as_string(hide_password=True)
            reason = str(error.orig or error).strip().splitlines()[0]
            raise _refuse(
                f"the portal's database ({where}, PORTAL_DATABASE_URL) cannot be reached: {reason}"
            ) from None
        upgrade_to_head("portal", url)
        yield UnitOfWork(engine)
    finally:
        engine.dispose()
