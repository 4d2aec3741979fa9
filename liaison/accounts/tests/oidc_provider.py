"""A real OpenID Connect provider for the test suite, built on Authlib's server components.

Authlib's AuthorizationServer with its authorization-code grant, the OpenID Connect extension
(ID tokens signed with an RSA key from joserfc) and PKCE, served over HTTP by wsgiref on a free
local port in a background thread: discovery, JWKS, an authorize page with a sign-in form, and the
token endpoint. Nothing of Liaison's client is mocked; the tests drive the provider through its
pages as a browser would. Switches let a test make it misbehave (another issuer, a short-lived ID
token, an `amr` claim).

It speaks plain http on localhost, which Authlib (server and client alike) refuses unless
AUTHLIB_INSECURE_TRANSPORT is set: the fixtures set it for the test's duration only (`plain_http`).
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey

INSECURE_TRANSPORT = "AUTHLIB_INSECURE_TRANSPORT"


def plain_http(monkeypatch: Any) -> None:
    monkeypatch.setenv(INSECURE_TRANSPORT, "1")


@dataclass
class Person:
    sub: str
    password: str
    email: str


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    amr: list[str] | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str] | None:
        return self.amr


class Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: dict[str, str], query: dict[str, str], form: dict[str, str]):
        super().__init__(method, uri, headers=headers)
        self._query, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Provider:
    """The provider; `start()` serves it, `url` is its issuer (unless `issuer_claimed` says otherwise)."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.people: dict[str, Person] = {}
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.nonces: set[str] = set()
        self.amr: list[str] | None = None  # the amr claim the next ID tokens carry
        self.id_token_seconds = 3600
        self.issuer_claimed: str | None = None  # a discovery document naming another issuer
        self.token_issuer: str | None = None  # ID tokens naming another issuer
        self.signing_key: RSAKey | None = None  # ID tokens signed by a key the JWKS does not publish
        self.token_requests = 0
        self._server: WSGIServer | None = None
        self.url = ""
        provider = self

        class Grant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, request: Any) -> None:
                data = request.payload.data
                if data.get("nonce"):
                    provider.nonces.add(data["nonce"])  # a nonce is good for one code (replays refused)
                provider.codes[code] = Code(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=data.get("redirect_uri", ""),
                    scope=request.scope or data.get("scope", ""),
                    person=request.user,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    amr=provider.amr,
                )

            def query_authorization_code(self, code: str, client: Any) -> Code | None:
                found = provider.codes.get(code)
                return found if found is not None and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> Person:
                return authorization_code.person

        class OpenID(OpenIDCode):
            def exists_nonce(self, nonce: str, request: Any) -> bool:
                return nonce in provider.nonces

            def get_client_algorithm(self, client: Any) -> str:
                return "RS256"

            def get_encode_header(self, client: Any) -> dict[str, str]:
                return {"alg": "RS256", "kid": "test-key"}

            def resolve_client_private_key(self, client: Any) -> Any:
                return provider.signing_key or provider.key

            def get_client_claims(self, client: Any) -> dict[str, Any]:
                return {
                    "iss": provider.token_issuer or provider.url,
                    "aud": [client.get_client_id()],
                    "exp": int(time.time()) + provider.id_token_seconds,
                }

            def generate_user_info(self, user: Person, scope: str) -> UserInfo:
                return UserInfo(sub=user.sub, email=user.email, email_verified=True)

        class Server(AuthorizationServer):
            def query_client(self, client_id: str) -> Client | None:
                return provider.clients.get(client_id)

            def save_token(self, token: dict[str, Any], request: Any) -> None:
                return None

            def create_oauth2_request(self, request: Any) -> Any:
                return request

            def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, Any]:
                return status, body, headers

            def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
                return None

        self.server = Server()
        self.server.register_token_generator("default", BearerTokenGenerator(lambda *a, **k: secrets.token_urlsafe(32)))
        self.server.register_grant(Grant, [OpenID(require_nonce=True), CodeChallenge(required=True)])

    # --- set-up, for tests ---

    def add_person(self, sub: str, password: str = "idp-password", email: str = "") -> Person:
        self.people[sub] = Person(sub=sub, password=password, email=email or f"{sub}@example.org")
        return self.people[sub]

    def add_client(self, client_id: str, client_secret: str, redirect_uri: str) -> Client:
        self.clients[client_id] = Client(client_id, client_secret, [redirect_uri])
        return self.clients[client_id]

    def start(self) -> Provider:
        class Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = make_server("127.0.0.1", 0, self.app, handler_class=Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- HTTP ---

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = dict(parse_qsl(environ["wsgi.input"].read(length).decode())) if length else {}
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        uri = f"{self.url}{path}" + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        request = Request(method, uri, headers, query, form)
        if path == "/.well-known/openid-configuration":
            status, body, out = 200, self.discovery(), []
        elif path == "/jwks":
            status, body, out = 200, {"keys": [self.key.as_dict(private=False)]}, []
        elif path == "/authorize":
            status, body, out = self.authorize(request)
        elif path == "/token" and method == "POST":
            self.token_requests += 1
            status, body, out = self.server.create_token_response(request)
        else:
            status, body, out = 404, {"error": "not_found"}, []
        return self._respond(start_response, status, body, out)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer_claimed or self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def authorize(self, request: Request) -> tuple[int, Any, Any]:
        try:
            grant = self.server.get_consent_grant(request)
        except OAuth2Error as error:
            return 400, {"error": error.error, "error_description": error.description}, []
        if request.method == "POST":
            person = self.people.get(request.form.get("username", ""))
            if person is not None and secrets.compare_digest(person.password, request.form.get("password", "")):
                return self.server.create_authorization_response(request, grant_user=person, grant=grant)
        action = "/authorize?" + urlencode(request.args)
        page = (
            "<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1>"
            f'<form method="post" action="{html.escape(action)}">'
            '<label for="u">Username</label><input id="u" name="username">'
            '<label for="p">Password</label><input id="p" name="password" type="password">'
            "<button type=submit>Sign in at the provider</button></form>"
        )
        return 200, page, [("Content-Type", "text/html; charset=utf-8")]

    def _respond(self, start_response: Any, status: int, body: Any, headers: Any) -> list[bytes]:
        headers = list(headers or [])
        if isinstance(body, dict):
            body = json.dumps(body)
            if not any(k.lower() == "content-type" for k, _ in headers):
                headers.append(("Content-Type", "application/json"))
        reason = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
        start_response(f"{status} {reason.get(status, 'Status')}", headers)
        return [(body or "").encode()]
