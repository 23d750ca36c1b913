"""A firm's inbox, notification preferences, webhooks (with a test send) and delivery log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.adapters.services import ServiceRefused
from portal.use_cases import firm
from portal.use_cases.notice_form import read_preferences_form
from portal.web.deps import AccountDep, Csrf, FormDep, FormListsDep, ServicesDep, VisitorDep
from portal.web.pages import render

router = APIRouter(prefix="/firms/{uscc}", tags=["firm notices"])
Uscc = Annotated[str, Path(pattern="^[0-9A-Za-z]{18}$")]
EntryId = Annotated[int, Path(ge=1, le=2**63 - 1)]
WebhookId = Annotated[str, Path(pattern=r"^wh_[0-9a-f]{16}$")]


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: Uscc,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> HTMLResponse:
    page = firm.inbox(services, account, uscc, before=before)
    return render(request, visitor, "inbox.html", uscc=uscc.upper(), page=page)


@router.get("/inbox/badge", response_class=HTMLResponse)
def unread_badge(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    uscc: Uscc,
    since: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """The header's unread count for the page's poll: 204 while it is still `since`."""
    firm.guard(account, uscc)
    if since is not None and visitor.unread == since:
        return Response(status_code=204)
    return render(request, visitor, "partials/unread.html")


@router.post("/inbox/{entry_id}/read", dependencies=[Csrf])
def mark_read(
    account: AccountDep, services: ServicesDep, uscc: Uscc, entry_id: EntryId
) -> Response:
    firm.mark_read(services, account, uscc, entry_id)
    return RedirectResponse(f"/firms/{uscc.upper()}/inbox", status_code=303)


@router.post("/inbox/read", dependencies=[Csrf])
def mark_all_read(account: AccountDep, services: ServicesDep, uscc: Uscc) -> Response:
    firm.mark_read(services, account, uscc, None)
    return RedirectResponse(f"/firms/{uscc.upper()}/inbox", status_code=303)


def _notices(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: str,
    *,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    context: dict[str, Any] = {"errors": {}, "secret": None, "test": None, "saved": False, **extra}
    return render(
        request,
        visitor,
        "notices.html",
        status=status,
        uscc=uscc.upper(),
        preferences=firm.notifications(services, account, uscc, "preferences"),
        webhooks=firm.notifications(services, account, uscc, "webhooks"),
        **context,
    )


@router.get("/notices", response_class=HTMLResponse)
def notices_page(
    request: Request, visitor: VisitorDep, account: AccountDep, services: ServicesDep, uscc: Uscc
) -> HTMLResponse:
    return _notices(request, visitor, account, services, uscc)


@router.post("/notices", response_class=HTMLResponse, dependencies=[Csrf])
def change_preferences(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: Uscc,
    form: FormDep,
    lists: FormListsDep,
) -> HTMLResponse:
    body, errors = read_preferences_form(form, lists)
    if not errors:
        try:
            firm.change_notifications(services, account, uscc, "PATCH", "preferences", body)
        except ServiceRefused as refused:
            if refused.status != 422:
                raise
            errors = {"form": "refused"}
    return _notices(
        request, visitor, account, services, uscc, status=422 if errors else 200,
        errors=errors, saved=not errors,
    )  # fmt: skip


@router.post("/webhooks", response_class=HTMLResponse, dependencies=[Csrf])
def subscribe(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: Uscc,
    form: FormDep,
) -> HTMLResponse:
    url = form.get("url", "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 2000:
        return _notices(
            request, visitor, account, services, uscc, status=422, errors={"url": "url"}
        )
    try:
        created = firm.change_notifications(
            services, account, uscc, "POST", "webhooks", {"url": url}
        )
    except ServiceRefused as refused:
        if refused.status != 422:
            raise
        detail = refused.detail
        return _notices(
            request, visitor, account, services, uscc, status=422,
            errors={"url": "refused"}, refused_detail=detail,
        )  # fmt: skip
    return _notices(request, visitor, account, services, uscc, secret=created["secret"])


@router.post("/webhooks/{webhook_id}/test", response_class=HTMLResponse, dependencies=[Csrf])
def send_test(
    request: Request,
    visitor: VisitorDep,
    account: AccountDep,
    services: ServicesDep,
    uscc: Uscc,
    webhook_id: WebhookId,
) -> HTMLResponse:
    result = firm.change_notifications(
        services, account, uscc, "POST", f"webhooks/{webhook_id}/ping"
    )
    return _notices(request, visitor, account, services, uscc, test={**result, "id": webhook_id})


@router.post("/webhooks/{webhook_id}/delete", dependencies=[Csrf])
def unsubscribe(
    account: AccountDep, services: ServicesDep, uscc: Uscc, webhook_id: WebhookId
) -> Response:
    firm.change_notifications(services, account, uscc, "DELETE", f"webhooks/{webhook_id}")
    return RedirectResponse(f"/firms/{uscc.upper()}/notices", status_code=303)


@router.get("/deliveries", response_class=HTMLResponse)
def deliveries_page(
    request: Request, visitor: VisitorDep, account: AccountDep, services: ServicesDep, uscc: Uscc
) -> HTMLResponse:
    log = firm.notifications(services, account, uscc, "deliveries")
    return render(request, visitor, "deliveries.html", uscc=uscc.upper(), deliveries=log)
