"""The installable app: its manifest, icons and service worker, and the session check the offline queue makes.

The service worker is served from the site root (its scope is the whole site), rendered from a template so it
names the hashed static files of this release; every change to it installs a new worker.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from .offline import USER_HEADER, offline_user_key

# The pages kept for offline use: the quick log (with today and the week) and the enforcement form.
# The form is kept only so that it can say, offline, that it needs a connection.
OFFLINE_PAGES = ("interactions:quick_log", "interactions:enforcement_new")
OFFLINE_SCRIPTS = ("js/offline_queue.js", "js/quick_log.js", "js/enforcement_form.js", "js/pwa.js")
ICON_SIZES = (192, 512)
BRAND = "#0b5cad"
THEME = {"name": "Liaison", "short_name": "Liaison", "background": "#f6f8fa"}


def offline_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a page's responses with the user they belong to, so the service worker files them under that user."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        key = offline_user_key(request.user)
        if key and request.method == "GET" and response.status_code == 200:
            response[USER_HEADER] = key
            response["Cache-Control"] = "private, no-cache"
        return response

    return wrapped


def _precache() -> list[str]:
    # htmx may be absent (no npm at install): the worker caches each file on its own and skips a missing one.
    names = ["css/liaison.css", "vendor/htmx/htmx.min.js", *OFFLINE_SCRIPTS]
    return [*filter(None, map(_static_url, names)), *[reverse("app_icon", args=[size]) for size in ICON_SIZES]]


def _static_url(name: str) -> str | None:
    try:
        return static(name)
    except ValueError:  # not collected in this release
        return None


def _version(precache: list[str]) -> str:
    """Changes whenever a cached file's name or (while developing, under one name) its content changes."""
    digest = hashlib.sha256("|".join(precache).encode())
    for name in OFFLINE_SCRIPTS:
        found = finders.find(name)
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    precache = _precache()
    config = {
        "pages": [reverse(name) for name in OFFLINE_PAGES],
        "precache": precache,
        "userHeader": USER_HEADER,
        "signIn": reverse(settings.LOGIN_URL),
        "session": reverse("interactions:offline_session"),
        "api": reverse("api:interaction_create"),
        "version": _version(precache),
    }
    context = {"config": json.dumps(config), "queue_script": json.dumps(static("js/offline_queue.js"))}
    response = render(request, "interactions/offline/service_worker.js", context, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    # A new release must reach phones at once: the browser checks this file on every visit.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": reverse("app_icon", args=[size]), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in ICON_SIZES
    ]
    icons.append({"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"})
    body = {
        "name": THEME["name"],
        "short_name": THEME["short_name"],
        "description": "Log school resource officer contacts, with or without a signal.",
        "id": "/",
        "start_url": reverse("interactions:quick_log"),
        "scope": "/",
        "display": "standalone",
        "background_color": THEME["background"],
        "theme_color": BRAND,
        "icons": icons,
    }
    return JsonResponse(body, content_type="application/manifest+json")


@functools.lru_cache(maxsize=len(ICON_SIZES))
def _icon_png(size: int) -> bytes:
    """The icon of static/img/icon.svg, drawn at `size` pixels (phones want PNGs; nothing generated is committed)."""
    from PIL import Image, ImageDraw

    scale = size / 512
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(96 * scale), fill=BRAND)
    shield = [(256, 72), (400, 128), (400, 248), (370, 340), (256, 440), (142, 340), (112, 248), (112, 128)]
    draw.polygon([(x * scale, y * scale) for x, y in shield], fill="#ffffff")
    draw.rectangle((200 * scale, 160 * scale, 240 * scale, 344 * scale), fill=BRAND)
    draw.rectangle((200 * scale, 304 * scale, 320 * scale, 344 * scale), fill=BRAND)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@require_GET
def app_icon(request: HttpRequest, size: int) -> HttpResponse:
    if size not in ICON_SIZES:
        raise Http404
    response = HttpResponse(_icon_png(size), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@functools.cache
def _favicon() -> bytes:
    found = finders.find("favicon.ico")
    return Path(found).read_bytes() if isinstance(found, str) else b""


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """static/favicon.ico (the icon at 16, 32 and 48 px) at the root, where browsers ask for it on every site."""
    body = _favicon()
    if not body:
        raise Http404
    response = HttpResponse(body, content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def offline_session(request: HttpRequest) -> JsonResponse:
    """Who is signed in, as the offline queue asks before it sends: a queue is sent only by its own user.

    Answers 401 (never a redirect to the sign-in page) when no one is signed in, so the queue waits.
    """
    key = offline_user_key(request.user)
    body = {"user": key, "csrf": get_token(request)} if key else {"user": ""}
    response = JsonResponse(body, status=200 if key else 401)
    response["Cache-Control"] = "no-store"
    return response
