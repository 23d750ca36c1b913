"""HTTP routes for bulk imports: upload a CSV or XLSX file, read its summary and error report."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from profiles.api.deps import UowDep
from profiles.api.schemas import EnterpriseCreate
from profiles.domain.imports import Summary, report_lines
from profiles.settings import ProfilesSettings
from profiles.use_cases import imports as importer
from supportmatch_core.auth import CurrentPrincipal, Role, require_role

router = APIRouter(prefix="/v1", tags=["imports"])

_SHOWN_ERRORS = 100


def present(summary: Summary) -> dict[str, Any]:
    """An import's summary with its first errors; the whole list is in the report."""
    values = summary.record()
    values["errors"] = summary.errors[:_SHOWN_ERRORS]
    values["errors_kept"] = len(summary.errors)
    values["report"] = f"/v1/imports/{summary.id}/report.csv"
    return values


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require_role(Role.ADMIN, Role.CASEWORKER)],
)
def create_import(
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX, a header row first")],
    principal: CurrentPrincipal,
    uow: UowDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """Import enterprises: every row is validated, the valid ones stored, the others reported.

    A file over a limit (rows, characters in a cell, unpacked size) is refused whole (422).
    """
    settings: ProfilesSettings = request.app.state.settings
    with tempfile.TemporaryDirectory(prefix="supportmatch-import-") as folder:
        path = FilePath(folder) / "upload"
        with path.open("wb") as handle:
            shutil.copyfileobj(file.file, handle, 1 << 20)
        summary = importer.run(
            uow=uow,
            principal=principal,
            path=path,
            file_name=file.filename or "upload",
            read_row=EnterpriseCreate.model_validate,
            limits=settings.import_limits(),
        )
    response.headers["Location"] = f"/v1/imports/{summary.id}"
    return present(summary)


# An import's id is a UUID: anything else (a NUL, a path) is refused before it reaches a query.
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
ImportId = Annotated[str, Path(pattern=UUID_PATTERN)]


@router.get("/imports/{import_id}")
def read_import(import_id: ImportId, principal: CurrentPrincipal, uow: UowDep) -> dict[str, Any]:
    """An import's counts and first errors, for an admin or whoever ran it."""
    return present(importer.read(uow=uow, principal=principal, import_id=import_id))


@router.get("/imports/{import_id}/report.csv", response_class=StreamingResponse)
def import_report(
    import_id: ImportId, principal: CurrentPrincipal, uow: UowDep
) -> StreamingResponse:
    """Every error kept (row, column, message) as CSV."""
    summary = importer.read(uow=uow, principal=principal, import_id=import_id)
    return StreamingResponse(
        report_lines(summary.errors),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{summary.id}-errors.csv"'},
    )
