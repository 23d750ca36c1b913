"""The firm's report: its profile and answers printed to PDF, sent as a file to keep."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from portal.adapters.pdf import print_pdf
from portal.domain.accounts import Language
from portal.use_cases.firm import Answers
from portal.use_cases.profile_form import FLAG_FIELDS
from portal.web.messages import translate
from portal.web.pages import Visitor, page_text
from portal.web.wording import CHINA


def report_file(
    request: Request, visitor: Visitor, found: Answers, *, made_at: datetime
) -> Response:
    """The report as a download; never kept by a cache, since it describes one firm."""
    page = page_text(
        request,
        visitor,
        "firm_report.html",
        firm=found.profile,
        groups=found.groups,
        made_at=made_at,
        flags=FLAG_FIELDS,
    )
    disposition = attachment(str(found.profile["uscc"]), made_at, visitor.language)
    return Response(
        print_pdf(page),
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def attachment(uscc: str, made_at: datetime, language: Language) -> str:
    """`attachment` with a name of the firm's USCC and the day in China: in ASCII for every
    client, and in Chinese (RFC 5987 `filename*`) for the clients that read it."""
    day = made_at.astimezone(CHINA).strftime("%Y%m%d")
    plain = f"supportmatch-report-{uscc}-{day}.pdf"
    named = f"{translate('report.file', language)}-{uscc}-{day}.pdf"
    if named == plain:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(named)}"
