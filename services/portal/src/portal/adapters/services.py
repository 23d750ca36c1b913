"""HTTP clients of the profiles, eligibility and notifications services, called as the signed-in
person with a short-lived token minted for them, so each service's own authorization decides."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx

from portal.domain.accounts import Account
from portal.settings import PortalSettings
from supportmatch_core.auth import Role, TokenService

T = TypeVar("T")
CATALOGUE_SECONDS = 60.0  # the public catalogue changes when an admin publishes; a minute is fresh
EXPORT_READ_SECONDS = 120.0  # the longest wait for the next bytes of a streamed list


class ServiceRefused(Exception):
    """A service answered with a problem (4xx): its status, sentence and field errors."""

    def __init__(self, status: int, detail: str, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{status}: {detail}")
        self.status, self.detail, self.errors = status, detail, errors


class ServiceUnavailable(Exception):
    """A service could not be reached or failed (5xx)."""


class Services:
    """One pooled HTTP client for the three services (`http`: another transport, e.g. a test's
    in-process app)."""

    def __init__(
        self, settings: PortalSettings, tokens: TokenService, http: httpx.Client | None = None
    ) -> None:
        self.urls = {
            "profiles": settings.profiles_url.rstrip("/"),
            "eligibility": settings.eligibility_url.rstrip("/"),
            "notifications": settings.notifications_url.rstrip("/"),
        }
        self._tokens = tokens
        self._token_ttl = timedelta(minutes=settings.service_token_minutes)
        self._timeout = settings.service_timeout_seconds
        self._http = http or httpx.Client(timeout=self._timeout)
        self._catalogue: tuple[float, list[dict[str, Any]]] | None = None
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="service-calls")

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        self._http.close()

    def soon(self, call: Callable[[], T]) -> Future[T]:
        """Start `call` now, beside the caller's own work; its answer is read when needed."""
        return self._pool.submit(call)

    def together(self, *calls: Callable[[], Any]) -> list[Any]:
        """The answers of calls that do not depend on each other, asked at the same time: a page
        then waits for the slowest service, not for the sum of them. A call's error is raised."""
        return [future.result() for future in [self.soon(call) for call in calls]]

    def token_for(self, account: Account) -> str:
        return self._tokens.issue(
            subject=f"portal:{account.username}",
            role=account.role,
            uscc=account.uscc,
            regions=sorted(account.provinces),
            ttl=self._token_ttl,
        )

    def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        account: Account | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """The JSON answer of one call; None for 204. Problems raise ServiceRefused."""
        request = self._request(service, method, path, account, json=json, params=params)
        try:
            answer = self._http.send(request)
        except httpx.HTTPError as error:
            raise ServiceUnavailable(f"{service}: {type(error).__name__}") from error
        _refused(service, answer)
        return None if answer.status_code == 204 else answer.json()

    def lines(
        self, service: str, path: str, *, account: Account, params: dict[str, Any]
    ) -> Iterator[Any]:
        """The JSON objects of an answer of one a line, read as they come: memory holds one
        line. An answer cut short, a line that is not JSON or a service failing raises
        ServiceUnavailable where it stops, so nothing short is taken for the whole. A long list
        may pause between lines while the service reads past firms it does not list: the wait
        for the next bytes is the export's, longer than a page's."""
        request = self._request(service, "GET", path, account, params=params)
        request.extensions["timeout"] = httpx.Timeout(
            self._timeout, read=EXPORT_READ_SECONDS
        ).as_dict()
        try:
            answer = self._http.send(request, stream=True)
            try:
                if answer.status_code >= 400:
                    answer.read()
                    _refused(service, answer)
                rest = b""
                for chunk in answer.iter_bytes():
                    *lines, rest = (rest + chunk).split(b"\n")
                    yield from (json.loads(line) for line in lines if line)
                if rest.strip():
                    yield json.loads(rest)
            finally:
                answer.close()
        except (httpx.HTTPError, ValueError) as error:
            raise ServiceUnavailable(f"{service}: {type(error).__name__}") from error

    def _request(
        self,
        service: str,
        method: str,
        path: str,
        account: Account | None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Request:
        headers = {"Authorization": f"Bearer {self.token_for(account)}"} if account else {}
        return self._http.build_request(
            method,
            self.urls[service] + path,
            json=json,
            params={k: v for k, v in (params or {}).items() if v is not None},
            headers=headers,
            timeout=timeout or self._timeout,
        )

    # The public catalogue, kept for a minute: every page of measures reads it.
    def measures(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._catalogue and time.monotonic() - self._catalogue[0] < CATALOGUE_SECONDS:
                return self._catalogue[1]
        found = self.call("eligibility", "GET", "/v1/measures")
        with self._lock:
            self._catalogue = (time.monotonic(), found)
        return list(found)

    def measure(self, measure_id: str) -> dict[str, Any]:
        return dict(self.call("eligibility", "GET", f"/v1/measures/{measure_id}"))

    def conditions(self, measure: dict[str, Any]) -> list[dict[str, Any]]:
        """The criteria of one measure version, read from a self-check on its first day.

        The catalogue API does not list criteria; a check of a firm of whom nothing but the
        three required facts is said names every criterion with what it requires.
        """
        body = {
            "industry": "C",
            "province": "11",
            "ownership": "private",
            "as_of": date.fromisoformat(measure["valid_from"]).isoformat(),
        }
        for decision in self.call("eligibility", "POST", "/v1/checks", json=body)["decisions"]:
            if decision["measure"]["id"] == measure["id"]:
                return list(decision["criteria"])
        return []

    def admin_account(self) -> Account:
        """The portal itself acting as an administrator (seeding the demo firm)."""
        return Account(id=0, username="portal", role=Role.ADMIN, display_name="portal")


def _refused(service: str, answer: httpx.Response) -> None:
    """Raise for an answer that is a problem: ServiceUnavailable for 5xx, else ServiceRefused."""
    if answer.status_code >= 500:
        raise ServiceUnavailable(f"{service} answered {answer.status_code}")
    if answer.status_code >= 400:
        body = _json(answer)
        raise ServiceRefused(
            answer.status_code, str(body.get("detail", "")), list(body.get("errors") or [])
        )


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {"detail": answer.text[:200]}
    return body if isinstance(body, dict) else {"detail": str(body)[:200]}
