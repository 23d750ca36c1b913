"""Webhook deliveries: a signed JSON POST to the subscriber's URL, whose address is checked
again just before sending."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from notifications.adapters.destinations import (
    IpNetwork,
    RefusedDestination,
    Resolver,
    check_url,
    resolve,
)
from notifications.domain import signing


class WebhookFailed(Exception):
    """The receiver did not answer 2xx (or could not be reached)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    outcome: str  # sent | error | refused (retrying cannot help)
    detail: str
    duration_ms: int


class WebhookSender:
    def __init__(
        self,
        *,
        allowed: Sequence[IpNetwork] = (),
        timeout: float = 5.0,
        resolver: Resolver = resolve,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._allowed = tuple(allowed)
        self._resolver = resolver
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport)

    def check(self, url: str) -> None:
        """Raise `RefusedDestination` for a URL webhooks may not reach."""
        check_url(url, allowed=self._allowed, resolver=self._resolver)

    def send(
        self,
        url: str,
        body: bytes,
        *,
        secrets_in_use: Sequence[str],
        delivery_id: str,
        topic: str,
        timestamp: int,
    ) -> int:
        """POST `body`; returns the status code or raises `WebhookFailed`/`RefusedDestination`."""
        self.check(url)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "supportmatch-webhooks/1",
            signing.HEADER: signing.sign(body, secrets_in_use=secrets_in_use, timestamp=timestamp),
            "Supportmatch-Delivery": delivery_id,  # the same on every retry: receivers dedupe
            "Supportmatch-Topic": topic,
        }
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise WebhookFailed(f"{type(error).__name__}: {error}") from error
        if not 200 <= response.status_code < 300:
            raise WebhookFailed(f"HTTP {response.status_code}")
        return response.status_code

    def attempt(
        self,
        url: str,
        body: bytes,
        *,
        secrets_in_use: Sequence[str],
        delivery_id: str,
        topic: str,
        timestamp: int,
    ) -> Attempt:
        """`send`, with its outcome and duration as the delivery log records them."""
        started = time.monotonic()
        outcome, detail = "sent", ""
        try:
            status = self.send(
                url,
                body,
                secrets_in_use=secrets_in_use,
                delivery_id=delivery_id,
                topic=topic,
                timestamp=timestamp,
            )
            detail = f"HTTP {status}"
        except RefusedDestination as error:
            outcome, detail = "refused", str(error)
        except WebhookFailed as error:
            outcome, detail = "error", str(error)
        return Attempt(outcome, detail, int((time.monotonic() - started) * 1000))

    def close(self) -> None:
        self._client.close()
