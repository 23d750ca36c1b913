"""`supportmatch import enterprises FILE` and `supportmatch demo-data`: bulk import from the shell.

Both write the profiles database directly (PROFILES_DATABASE_URL, else the embedded SQLite file);
the outbox relay of the running profiles service publishes the events.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Import data from files.", no_args_is_help=True)

EXIT_STORED, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


@app.command()
def enterprises(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8) or XLSX with a header row")],
) -> None:
    """Import enterprises; errors are listed in FILE.errors.csv next to the file.

    Exit code 0 when every row was stored, 1 when the report lists errors (rejected rows or
    unknown columns), 2 when the file cannot be read at all.
    """
    raise typer.Exit(import_file(file, report=file.with_suffix(".errors.csv")))


def demo_data(
    count: Annotated[int, typer.Option(min=1, help="how many enterprises")] = 200,
    seed: Annotated[int, typer.Option(help="the same seed gives the same enterprises")] = 1,
    out: Annotated[
        Path | None, typer.Option(help="write this CSV (the import format) instead of importing")
    ] = None,
) -> None:
    """Synthetic enterprises across provinces, industries, sizes and ownerships."""
    from supportmatch_cli import demo
    from supportmatch_core.paths import var_dir

    if out is not None:
        written = demo.write_csv(out, count, seed=seed)
        typer.echo(f"wrote {written} enterprises to {out}")
        return
    with tempfile.TemporaryDirectory(prefix="supportmatch-demo-") as folder:
        path = Path(folder) / "demo-enterprises.csv"
        demo.write_csv(path, count, seed=seed)
        raise typer.Exit(import_file(path, report=var_dir() / "demo-data.errors.csv"))


def import_file(path: Path, *, report: Path) -> int:
    """Import `path` as the admin "cli"; print the summary; the exit code (0, 1 or 2)."""
    from profiles.adapters.unit_of_work import SqlUnitOfWork
    from profiles.api.schemas import EnterpriseCreate
    from profiles.domain.imports import write_report
    from profiles.settings import ProfilesSettings
    from profiles.use_cases import imports as importer
    from supportmatch_core.auth import Principal, Role
    from supportmatch_core.db import create_database_engine
    from supportmatch_core.errors import RuleBroken
    from supportmatch_core.migrate import upgrade_to_head

    if not path.is_file():
        typer.echo(f"error: {path} is not a file", err=True)
        return EXIT_UNREADABLE
    settings = ProfilesSettings()
    upgrade_to_head("profiles", settings.database_url)
    engine = create_database_engine(settings.database_url)
    bar = _ProgressBar()
    try:
        summary = importer.run(
            uow=SqlUnitOfWork(engine),
            principal=Principal(subject="cli", role=Role.ADMIN),
            path=path,
            file_name=path.name,
            read_row=EnterpriseCreate.model_validate,
            progress=bar,
            limits=settings.import_limits(),
        )
    except RuleBroken as error:
        typer.echo(f"error: {path} cannot be imported: {error}", err=True)
        return EXIT_UNREADABLE
    finally:
        bar.close()
        engine.dispose()
    typer.echo(
        f"{path.name}: {summary.rows} rows: {summary.created} created, {summary.updated} "
        f"updated, {summary.unchanged} unchanged, {summary.rejected} rejected (import {summary.id})"
    )
    if not summary.error_count:
        report.unlink(missing_ok=True)  # an old report would tell of errors that are gone
        return EXIT_STORED
    with report.open("w", encoding="utf-8", newline="") as handle:
        write_report(summary.errors, handle)
    typer.echo(f"{summary.error_count} errors, listed in {report}", err=True)
    if summary.note:
        typer.echo(summary.note, err=True)
    return EXIT_REJECTED


class _ProgressBar:
    """A terminal progress bar over rows, made once the importer knows about how many there are."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int, estimate: int | None) -> None:
        if self._bar is None:
            length = max(estimate or 0, done, 1)
            self._bar = typer.progressbar(length=length, label="importing rows", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
