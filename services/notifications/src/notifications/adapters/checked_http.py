"""HTTP whose connections open only to addresses the destination policy checked: the name is
resolved once, by the policy, and the socket goes to one of those addresses, while the URL keeps
its host name, so the Host header, TLS SNI and certificate checks all use the name."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

from notifications.adapters.destinations import DestinationPolicy, Unresolvable

Connect = Callable[..., httpcore.NetworkStream]  # httpcore.SyncBackend().connect_tcp's shape


class CheckedBackend(httpcore.NetworkBackend):
    """httpcore's network backend that resolves through the policy and connects to what it
    checked; httpcore asks it for every new connection, so none escapes the check."""

    def __init__(self, policy: DestinationPolicy, connect: Connect | None = None) -> None:
        self._policy = policy
        self._connect = connect or httpcore.SyncBackend().connect_tcp

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._policy.addresses(host, port)
        except Unresolvable as error:  # perhaps for now: the delivery is retried
            raise httpcore.ConnectError(str(error)) from error
        failure: Exception | None = None
        for address in addresses:
            try:
                return self._connect(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None
        raise failure


_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
}
_CORE_ERRORS = tuple(_ERRORS)


@contextmanager
def _as_httpx(request: httpx.Request) -> Iterator[None]:
    """httpcore's errors as httpx's, as an httpx transport must raise them."""
    try:
        yield
    except _CORE_ERRORS as error:
        raise _ERRORS.get(type(error), httpx.TransportError)(str(error), request=request) from error


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes], request: httpx.Request) -> None:
        self._stream, self._request = stream, request

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx(self._request):
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class CheckedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore connection pool with the checked backend."""

    def __init__(self, backend: CheckedBackend, *, ssl_context: ssl.SSLContext) -> None:
        # No kept-alive connections: each request resolves and checks its host afresh.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, network_backend=backend, max_keepalive_connections=0
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx(request):
            response = self._pool.handle_request(core)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream, request),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()
