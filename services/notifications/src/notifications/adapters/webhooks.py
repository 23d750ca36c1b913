"""Webhook deliveries and pings: a signed JSON POST to the subscriber's URL, over a connection
that opens only to an address checked just before it opens."""

from __future__ import annotations

import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from notifications.adapters.checked_http import CheckedBackend, CheckedTransport, Connect
from notifications.adapters.destinations import DestinationPolicy
from notifications.domain import signing
from notifications.domain.webhook_urls import RefusedDestination


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
        policy: DestinationPolicy | None = None,
        *,
        timeout: float = 5.0,
        ssl_context: ssl.SSLContext | None = None,
        connect: Connect | None = None,
    ) -> None:
        self._policy = policy or DestinationPolicy()
        transport = CheckedTransport(
            CheckedBackend(self._policy, connect),
            ssl_context=ssl_context or httpx.create_ssl_context(),
        )
        # No proxies, .netrc or redirects: the request goes where the policy checked, as is.
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=False, transport=transport, trust_env=False
        )

    def check(self, url: str) -> str:
        """The URL's normal form, or `RefusedDestination` when webhooks may not go there."""
        return self._policy.check(url).url.url

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
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "supportmatch-webhooks/1",
            signing.HEADER: signing.sign(body, secrets_in_use=secrets_in_use, timestamp=timestamp),
            "Supportmatch-Delivery": delivery_id,  # the same on every retry: receivers dedupe
            "Supportmatch-Topic": topic,
        }
        target = self._policy.parse(url)  # its addresses are checked as the connection opens
        request = self._client.build_request("POST", target.url, content=body, headers=headers)
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as error:
            raise WebhookFailed(f"{type(error).__name__}: {error}") from error
        response.close()  # only the status matters: a receiver's body is never read
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
