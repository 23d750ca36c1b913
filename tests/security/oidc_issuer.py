"""A small OpenID provider on 127.0.0.1 for the portal's single sign-on tests: discovery, a JWKS
with an RS256 key made per run, an authorization endpoint that signs one person in and sends the
browser back with a code, and a token endpoint that checks the client, the code (once) and the
PKCE verifier before it answers with an ID token. A test can make the next ID token wrong."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_ID = "fake-issuer-key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    """A code the authorization endpoint handed out, and what it was handed out for."""

    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    username: str
    used: bool = False


@dataclass
class FakeIssuer:
    client_id: str
    client_secret: str
    redirect_uri: str = ""  # the one registered redirect; set once the portal's port is known
    username: str = "li.hua"  # who signs in at the authorization endpoint
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    # What the next ID token gets wrong: claims to override, or another key to sign it with.
    next_claims: dict[str, Any] = field(default_factory=dict)
    next_key: rsa.RSAPrivateKey | None = None
    refusals: list[str] = field(default_factory=list)
    tokens_issued: int = 0

    def __post_init__(self) -> None:
        self.codes: dict[str, Grant] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """(status, redirect URL or the reason for refusing)."""
        wanted = {
            "response_type": "code",
            "client_id": self.client_id,
            "code_challenge_method": "S256",
        }
        if any(query.get(k) != v for k, v in wanted.items()) or "openid" not in query.get(
            "scope", ""
        ):
            return 400, "not an OpenID authorization-code request with PKCE S256 for this client"
        if query.get("redirect_uri") != self.redirect_uri or not query.get("code_challenge"):
            return 400, "unregistered redirect_uri or no code_challenge"
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(
            self.client_id, self.redirect_uri, query["code_challenge"], query.get("nonce", ""),
            self.username,
        )  # fmt: skip
        back = urlencode({"code": code, "state": query.get("state", "")})
        return 302, f"{self.redirect_uri}?{back}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        """(status, body) of the token endpoint; every refusal is kept in `refusals`."""
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        grant = self.codes.get(form.get("code", ""))
        reason = None
        if authorization != f"Basic {expected}":
            reason = "invalid_client"
        elif form.get("grant_type") != "authorization_code" or grant is None:
            reason = "invalid_grant: unknown code"
        elif grant.used:
            reason = "invalid_grant: code used already"
        elif form.get("redirect_uri") != grant.redirect_uri:
            reason = "invalid_grant: redirect_uri differs"
        elif _s256(form.get("code_verifier", "")) != grant.challenge:
            reason = "invalid_grant: PKCE verifier does not match the challenge"
        if grant is not None:
            grant.used = True  # a code is good for one exchange, whatever its outcome
        if reason is not None or grant is None:
            self.refusals.append(reason or "invalid_grant")
            return 400, {"error": (reason or "invalid_grant").split(":")[0]}
        now = int(time.time())
        claims = {
            "iss": self.url, "sub": f"sub-{grant.username}", "aud": self.client_id,
            "iat": now, "exp": now + 300, "nonce": grant.nonce,
            "preferred_username": grant.username, **self.next_claims,
        }  # fmt: skip
        key, self.next_claims, self.next_key = self.next_key or self.key, {}, None
        self.tokens_issued += 1
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})
        return 200, {"access_token": "unused", "token_type": "Bearer", "id_token": id_token}


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _handler(issuer: FakeIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, issuer.discovery())
            elif parts.path == "/jwks":
                self._json(200, issuer.jwks())
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, target = issuer.authorize(query)
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            self._json(*issuer.token(form, self.headers.get("Authorization", "")))

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads `refusals`, not a log."""

    return Handler
