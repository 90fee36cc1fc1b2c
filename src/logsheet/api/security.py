"""The gate every request passes (pure ASGI middleware), and the bind rule of ``logsheet serve``.

- **Token.** With an access token, every request needs it: ``Authorization: Bearer T`` (or ``X-Logsheet-Token``),
  ``?token=T`` (the page is opened once with it), or the ``logsheet_token`` cookie that a valid ``?token=``
  sets (HttpOnly, SameSite=Strict) so that the page's own scripts and styles load. Otherwise 401.
- **Cross-site requests.** A state-changing request (anything but GET, HEAD, OPTIONS) from a browser must be
  same-origin: an ``Origin`` equal to the ``Host``, or ``Sec-Fetch-Site: same-origin``. Otherwise 403. A request
  with neither header is not from a browser page and passes (it cannot carry a victim's cookie or token).
- **Host.** When ``allowed_hosts`` is given (``logsheet serve`` on 127.0.0.1 without a token), a request whose
  ``Host`` is another name is refused (403): that is a DNS-rebinding page pretending to be same-origin.
- **Headers.** Every response carries the Content-Security-Policy below, ``nosniff`` and ``no-referrer``; API
  answers are not cached.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Collection

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from logsheet.core.errors import LogsheetError

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'"
)
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}
COOKIE = "logsheet_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, token: str | None = None, allowed_hosts: Collection[str] | None = None) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        refusal = self.refusal(conn, scope["method"])
        if refusal is not None:
            status, message = refusal
            response = JSONResponse({"error": message}, status_code=status)
            response.headers.update(HEADERS)
            await response(scope, receive, send)
            return
        cookie = cookie_value(self.token) if self.token else ""
        given = conn.query_params.get("token", "")
        set_cookie = bool(cookie and given) and hmac.compare_digest(given.encode(), (self.token or "").encode())
        set_cookie = set_cookie and conn.cookies.get(COOKIE) != cookie
        is_api = scope["path"].startswith("/api/") or scope["path"] == "/openapi.json"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if is_api and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
                if set_cookie:
                    headers.append("set-cookie", f"{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Strict")
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def refusal(self, conn: HTTPConnection, method: str) -> tuple[int, str] | None:
        if self.allowed_hosts is not None and host_name(conn.headers.get("host", "")) not in self.allowed_hosts:
            return 403, "this server answers only to its own address (unexpected Host header)"
        if self.token and not authorised(conn, self.token):
            return 401, "an access token is required"
        if method not in SAFE_METHODS and not same_origin(conn):
            return 403, "cross-site request refused"
        return None


def authorised(conn: HTTPConnection, token: str) -> bool:
    header = conn.headers.get("authorization", "")
    candidates = [
        header[7:].strip() if header[:7].lower() == "bearer " else "",
        conn.headers.get("x-logsheet-token", ""),
        conn.query_params.get("token", ""),
    ]
    expected = token.encode()
    if any(c and hmac.compare_digest(c.encode(), expected) for c in candidates):
        return True
    cookie = conn.cookies.get(COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), cookie_value(token).encode())


def cookie_value(token: str) -> str:
    """What the cookie holds: derived from the token (any characters), never the token itself."""
    return hmac.new(token.encode(), b"logsheet page cookie", hashlib.sha256).hexdigest()


def same_origin(conn: HTTPConnection) -> bool:
    origin = conn.headers.get("origin")
    fetch_site = conn.headers.get("sec-fetch-site")
    if origin is None and fetch_site is None:
        return True  # not a browser page: no ambient credentials to abuse
    if fetch_site == "same-origin":
        return True
    host = conn.headers.get("host", "").lower()
    return origin is not None and "://" in origin and origin.split("://", 1)[1].lower() == host


def host_name(host: str) -> str:
    """The name part of a Host header: ``127.0.0.1:8765`` -> ``127.0.0.1``, ``[::1]:80`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


MIN_TOKEN = 16  # characters: a shorter token is guessed


def token_problem(token: str | None) -> str | None:
    """Why ``token`` cannot guard a server (shorter than MIN_TOKEN without its blanks), or None (also for no
    token: ``check_bind`` says where one is needed)."""
    if not token:
        return None
    if len(token.strip()) < MIN_TOKEN:
        return (
            f"an access token needs at least {MIN_TOKEN} characters (this one has {len(token.strip())}); "
            "make one with: python -c 'import secrets; print(secrets.token_urlsafe())'"
        )
    return None


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve on anything but the loopback address without an access token, and a token shorter than
    MIN_TOKEN characters anywhere."""
    problem = token_problem(token)
    if problem is not None:
        raise LogsheetError(problem)
    if not is_loopback(host) and not token:
        raise LogsheetError(
            f"refusing to serve on {host} without an access token: pass --token or set "
            "LOGSHEET_TOKEN (only 127.0.0.1 is served without one)"
        )


def loopback_hosts(host: str) -> tuple[str, ...]:
    return (*LOOPBACK_NAMES, host.lower())


__all__ = [
    "CSP",
    "MIN_TOKEN",
    "SecurityMiddleware",
    "check_bind",
    "token_problem",
    "is_loopback",
    "loopback_hosts",
    "same_origin",
]
