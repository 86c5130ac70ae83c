"""A small but real OpenID Connect provider for the tests, on 127.0.0.1 with a random port.

It serves discovery, a JWKS with a freshly generated RSA key, ``/authorize``
(approves the configured test person at once and sends the browser back with
a code), ``/token`` (checks the client secret, the redirect URI and the PKCE
``code_verifier`` against the S256 challenge, and answers an ID token signed
with its key, carrying the nonce) and an ``end_session_endpoint``.

Tests steer it through attributes: ``claims`` (the person), ``token_overrides``
(claims to change in the next ID tokens; ``None`` removes one), ``sign_with``
(another key, for a bad signature) and ``metadata_overrides``; every request
it receives is kept in ``requests``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "trajectory-test"
CLIENT_SECRET = "test-client-secret-0123456789"
REDIRECT_URI = "http://localhost/inloggen/sso/terug"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Seen:
    path: str
    args: dict[str, str]
    form: dict[str, str]
    authorization: str | None


@dataclass
class TestProvider:
    __test__ = False  # not a test class for pytest

    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(
        2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"}))
    claims: dict[str, Any] = field(default_factory=dict)
    token_overrides: dict[str, Any] = field(default_factory=dict)
    metadata_overrides: dict[str, Any] = field(default_factory=dict)
    sign_with: RSAKey | None = None
    client_key: RSAKey | None = None  # the client's public key, for private_key_jwt
    assertion_ids: set[str] = field(default_factory=set)
    requests: list[Seen] = field(default_factory=list)
    codes: dict[str, dict] = field(default_factory=dict)

    def start(self) -> TestProvider:
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True,
                                  request_handler=_QuietHandler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        self.claims = {"sub": "sub-0001", "preferred_username": "s.devries",
                       "name": "Sanne de Vries", "email": "s.devries@goes.example",
                       "roles": ["klantmanager"], "organisation": "Goes",
                       "acr": "urn:test:loa:substantial", "amr": ["pwd", "otp"]}
        self.token_overrides = {}
        self.metadata_overrides = {}
        self.sign_with = None
        self.client_key = None
        self.assertion_ids.clear()
        self.requests.clear()
        self.codes.clear()

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    # --- the endpoints ---------------------------------------------------------------------

    def metadata(self) -> dict:
        data = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }
        data.update(self.metadata_overrides)
        return {k: v for k, v in data.items() if v is not None}

    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.requests.append(Seen(request.path, dict(request.args), dict(request.form),
                                  request.headers.get("Authorization")))
        handler = {
            "/.well-known/openid-configuration": lambda r: _json(self.metadata()),
            "/jwks": lambda r: _json({"keys": [self.key.as_dict(private=False)]}),
            "/authorize": self.authorize,
            "/token": self.token,
            "/logout": lambda r: Response("Uitgelogd bij de testprovider.", 200),
        }.get(request.path)
        response = handler(request) if handler else Response("not found", 404)
        return response(environ, start_response)

    def authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("redirect_uri") != REDIRECT_URI:
            return Response("unknown client or redirect_uri", 400)
        problems = []
        if args.get("response_type") != "code":
            problems.append("response_type")
        if "openid" not in args.get("scope", "").split():
            problems.append("scope")
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            problems.append("pkce")
        if not args.get("state") or not args.get("nonce"):
            problems.append("state/nonce")
        back = {"state": args.get("state", "")}
        if problems:
            back.update(error="invalid_request", error_description=",".join(problems))
        else:
            code = secrets.token_urlsafe(24)
            self.codes[code] = {"challenge": args["code_challenge"], "nonce": args["nonce"],
                                "redirect_uri": args["redirect_uri"], "claims": dict(self.claims)}
            back["code"] = code
        return Response(status=302, headers={
            "Location": REDIRECT_URI + "?" + urllib.parse.urlencode(back)})

    def client_authenticated(self, request: Request) -> bool:
        """The client secret (Basic), or a private_key_jwt assertion signed with ``client_key``."""
        form = request.form
        if "client_assertion" in form:
            if self.client_key is None or "Authorization" in request.headers:
                return False  # one method per request
            try:
                token = jwt.decode(form["client_assertion"], self.client_key,
                                   algorithms=["RS256", "ES256"])
                jwt.JWTClaimsRegistry(
                    iss={"essential": True, "value": CLIENT_ID},
                    sub={"essential": True, "value": CLIENT_ID},
                    aud={"essential": True, "value": f"{self.issuer}/token"},
                    exp={"essential": True}, jti={"essential": True},
                ).validate(token.claims)
            except JoseError:
                return False
            if token.claims["jti"] in self.assertion_ids:
                return False  # an assertion works once
            self.assertion_ids.add(token.claims["jti"])
            return form.get("client_assertion_type") == \
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        return request.headers.get("Authorization") == expected

    def token(self, request: Request) -> Response:
        if request.method != "POST" or not self.client_authenticated(request):
            return _json({"error": "invalid_client"}, 401)
        form = request.form
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return _json({"error": "invalid_grant"}, 400)
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_grant", "error_description": "redirect_uri"}, 400)
        verifier = form.get("code_verifier", "")
        if not verifier or s256(verifier) != grant["challenge"]:
            return _json({"error": "invalid_grant", "error_description": "code_verifier"}, 400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "auth_time": now, "nonce": grant["nonce"], **grant["claims"]}
        for name, value in self.token_overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        header = {"alg": "RS256", "kid": "test-key-1", "typ": "JWT"}
        id_token = jwt.encode(header, claims, self.sign_with or self.key)
        return _json({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
                      "expires_in": 300, "id_token": id_token})


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


def _json(data: dict, status: int = 200) -> Response:
    return Response(json.dumps(data), status, content_type="application/json")
