"""A local OpenID Connect issuer on 127.0.0.1: discovery document, JWKS, and keys to sign with."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

AUDIENCE = "supportmatch"
REALM = "/realms/supportmatch"  # providers such as Keycloak serve an issuer below a path


@dataclass
class SigningKey:
    kid: str
    algorithm: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def rsa(cls, kid: str) -> SigningKey:
        return cls(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def ec(cls, kid: str) -> SigningKey:
        return cls(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))

    def jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            data = RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            data = ECAlgorithm.to_jwk(public, as_dict=True)
        return {**data, "kid": self.kid, "use": "sig", "alg": self.algorithm}


@dataclass
class FakeIssuer:
    """Serves what a real provider serves; `keys` may change between requests (rotation)."""

    keys: list[SigningKey]
    url: str = ""
    jwks_requests: int = 0
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    def sign(
        self,
        key: SigningKey,
        *,
        role: str = "admin",
        issuer: str | None = None,
        audience: str = AUDIENCE,
        expires_in: timedelta = timedelta(minutes=5),
        **claims: Any,
    ) -> str:
        now = datetime.now(UTC)
        payload = {
            "iss": issuer or self.url,
            "aud": audience,
            "sub": "someone@example.cn",
            "role": role,
            "iat": now,
            "exp": now + expires_in,
            **claims,
        }
        return jwt.encode(payload, key.private, algorithm=key.algorithm, headers={"kid": key.kid})

    def _answer(self, path: str) -> dict[str, Any] | None:
        path = path.removeprefix(REALM)
        if path == "/.well-known/openid-configuration":
            return {"issuer": self.url, "jwks_uri": f"{self.url}/jwks"}
        if path == "/jwks":
            self.jwks_requests += 1
            return {"keys": [key.jwk() for key in self.keys]}
        return None


@contextmanager
def running(issuer: FakeIssuer) -> Iterator[FakeIssuer]:
    """Serve `issuer` on a free loopback port until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = issuer._answer(self.path)
            body = json.dumps(document).encode()
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}{REALM}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
