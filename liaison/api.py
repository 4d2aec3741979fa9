"""The JSON API under /api/v1/: one NinjaAPI, one error shape, bearer tokens or the browser session."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.operation import Operation
from ninja.security import SessionAuth

from liaison.accounts.api import router as accounts_router
from liaison.accounts.tokens import BearerTokenAuth
from liaison.agreements.api import router as agreements_router
from liaison.agreements.public_api import router as public_router
from liaison.directory.api import router as directory_router
from liaison.insights.api import router as insights_router
from liaison.insights.outcome_api import router as outcomes_router
from liaison.insights.public_figures_api import router as public_figures_router
from liaison.interactions.api import router as interactions_router
from liaison.lib.api_errors import (
    CONFLICT,
    FORBIDDEN,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    SERVER_ERROR,
    error_body,
    schema_error_fields,
)
from liaison.lib.errors import ConflictError, validation_error_fields
from liaison.notifications.api import router as notifications_router
from liaison.people.api import router as people_router
from liaison.programs.api import router as programs_router
from liaison.surveys.api import router as surveys_router
from liaison.workflows.api import router as queue_router

logger = logging.getLogger(__name__)


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser's session, CSRF-checked; only when there is one.

    A request with an `Authorization` header is a client's (exempt from CSRF: a page on another site
    cannot set that header), and a request with no signed-in session has nothing to protect; either
    way a credential that does not check out is a 401, never a CSRF 403.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if "authorization" in request.headers or not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return super().authenticate(request, key) if key is not None else None


# Operations whose module moved between layers (docs/architecture.md) keep the operationId a client
# generated from the OpenAPI document already knows: ninja derives it from the module's dotted path.
MOVED_MODULES = {
    "liaison.people.api": "liaison.accounts.people_api",
    "liaison.insights.public_figures_api": "liaison.agreements.public_api",
}


class LiaisonAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        module = operation.view_func.__module__
        return f"{MOVED_MODULES.get(module, module)}_{operation.view_func.__name__}".replace(".", "_")


api = LiaisonAPI(
    title="Liaison API",
    version="1",
    description="School Resource Officer program records. Authenticate with `Authorization: Bearer <token>`.",
    urls_namespace="api",
    auth=[BearerTokenAuth(), BrowserSessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/accounts", accounts_router)
api.add_router("/accounts", people_router)
api.add_router("/", directory_router)
api.add_router("/", interactions_router)
api.add_router("/agreements", agreements_router)
api.add_router("/", programs_router)
api.add_router("/", surveys_router)
api.add_router("/", insights_router)
api.add_router("/insights/", outcomes_router)
api.add_router("/", public_router)
api.add_router("/", public_figures_router)
api.add_router("/", queue_router)
api.add_router("/", notifications_router)


def _error(request: HttpRequest, status: int, message: str, fields: dict[str, list[str]] | None = None) -> HttpResponse:
    return api.create_response(request, error_body(message, fields), status=status)


@api.exception_handler(SchemaValidationError)
def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    return _error(request, 400, "The input is not valid.", schema_error_fields(exc.errors))


@api.exception_handler(ConflictError)
def on_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return _error(request, 409, CONFLICT, validation_error_fields(exc))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 400, "The input is not valid.", validation_error_fields(exc))


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return _error(request, 409, CONFLICT)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, NOT_AUTHENTICATED)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or FORBIDDEN)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, NOT_FOUND)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else: a 500 in the error shape, never a traceback; the reference finds it in the log."""
    return server_error_response(request, exc)


def server_error_response(request: HttpRequest, exc: BaseException | None) -> HttpResponse:
    reference = secrets.token_hex(6)
    logger.error("API error %s on %s %s", reference, request.method, request.path, exc_info=exc or True)
    body = error_body(SERVER_ERROR.format(reference=reference))
    body["error"]["reference"] = reference
    return api.create_response(request, body, status=500)


def openapi_document() -> dict[str, Any]:
    return api.get_openapi_schema()
