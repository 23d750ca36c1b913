"""Entry point of the `supportmatch` command."""

from __future__ import annotations

from typing import Annotated

import typer

from supportmatch_cli import accounts, importing, local_kafka, reference, replay, supervisor
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.settings import ServiceSettings
from supportmatch_reference import uscc as uscc_codes
from supportmatch_reference.regions import UnknownProvince, parse_province

app = typer.Typer(help="supportmatch: match enterprises to the support measures they qualify for.")
app.add_typer(importing.app, name="import")
app.add_typer(accounts.app, name="account")
app.add_typer(local_kafka.app, name="kafka")
app.command("demo-data")(importing.demo_data)
app.command("replay")(replay.replay)
app.command("settings-reference")(reference.settings_reference)


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="enterprise, caseworker or admin")],
    uscc: Annotated[
        str | None, typer.Option(help="the enterprise's USCC (role enterprise)")
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option(help="a province the caseworker serves, by name or code; repeat for more"),
    ] = None,
    subject: Annotated[str | None, typer.Option(help="who the token is for")] = None,
    hours: Annotated[int, typer.Option(min=1, max=24 * 30, help="validity in hours")] = 12,
) -> None:
    """Print a development token signed with the local key, for curl and the APIs' /docs."""
    from datetime import timedelta

    if role is Role.ENTERPRISE:
        if not uscc:
            raise typer.BadParameter("an enterprise token needs --uscc", param_hint="--uscc")
        try:
            uscc = uscc_codes.normalize(uscc)
        except uscc_codes.InvalidUSCC as error:
            raise typer.BadParameter(str(error), param_hint="--uscc") from error
    elif uscc:
        raise typer.BadParameter("only an enterprise token carries --uscc", param_hint="--uscc")
    codes = []
    for name in region or []:
        try:
            codes.append(parse_province(name).code)
        except UnknownProvince as error:
            raise typer.BadParameter(str(error), param_hint="--region") from error
    if role is Role.CASEWORKER and not codes:
        raise typer.BadParameter(
            "a caseworker token needs at least one --region", param_hint="--region"
        )
    settings = ServiceSettings()
    tokens = TokenService(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience)
    typer.echo(
        tokens.issue(
            subject=subject or uscc or f"dev-{role.value}",
            role=role,
            uscc=uscc,
            regions=codes,
            ttl=timedelta(hours=hours),
        )
    )


@app.command()
def run(
    demo_count: Annotated[
        int, typer.Option(min=0, help="on first use, import this many demo enterprises")
    ] = 0,
) -> None:
    """Start the broker (unless KAFKA_BOOTSTRAP_SERVERS is set) and every service; Ctrl-C stops all."""
    raise typer.Exit(supervisor.run_system(demo_count=demo_count))


if __name__ == "__main__":
    app()
