"""``optbench explore --serve``: the live page, answered by the real compiled runner.

A small HTTP server (the standard library's) sends the page at ``/`` and answers each ``POST /run``
(a start and the sliders' positions, as JSON) with :meth:`Explorer.answer`: one
:func:`optbench.race`, whose compiled runs are reused from the first request on, since a new
learning rate or start is a new argument, not a new program. It listens on 127.0.0.1 unless told
otherwise, and answers one request at a time.
"""

from __future__ import annotations

import errno
import json
import socket
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from .._errors import OptbenchError

MAX_BODY = 1 << 16  # a request is a start and a few slider positions


def make_server(ex: Any, host: str = "127.0.0.1", port: int = 8765) -> HTTPServer:
    """A server for ``ex`` bound to ``host:port`` (port 0: a free one), not yet serving; the
    first request's runs are compiled before it returns, so every answer is a warm one."""
    from ._page import html, page_config

    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise OptbenchError(f"`port` (={port!r}) must be an integer from 0 to 65535.")
    if not isinstance(host, str) or not host:
        raise OptbenchError(f"`host` (={host!r}) must be a host name or address, e.g. 127.0.0.1.")
    page = html(page_config(ex), None).encode("utf-8")
    first = {
        "start": list(ex.surface.start),
        "lanes": [
            {"i": lane.lr.index, "j": lane.second.index if lane.second else None}
            for lane in ex.lanes
        ],
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet: the command prints what matters
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            if self.path.split("?")[0] in ("/", "/index.html"):
                self._send(200, page, "text/html; charset=utf-8")
            else:
                self._send(404, b"not found", "text/plain; charset=utf-8")

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/run":
                return self._send(404, b"not found", "text/plain; charset=utf-8")
            try:
                size = int(self.headers.get("Content-Length", "0"))
                if not 0 < size <= MAX_BODY:
                    raise OptbenchError(f"a request of {size} bytes; at most {MAX_BODY}.")
                request = json.loads(self.rfile.read(size))
                if not isinstance(request, dict):
                    raise OptbenchError("a request must be a JSON object.")
                answer, status = ex.answer(request), 200
            except (OptbenchError, ValueError, TypeError, AttributeError) as err:
                answer, status = {"error": f"optbench: error: {err}"}, 400
            body = json.dumps(answer, allow_nan=False).encode("utf-8")
            self._send(status, body, "application/json")

    try:
        server = HTTPServer((host, port), Handler)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise OptbenchError(
                f"port {port} on {host} is in use; give another with --port (0 picks a free one)."
            ) from None
        if isinstance(err, socket.gaierror) or err.errno == errno.EADDRNOTAVAIL:
            raise OptbenchError(f"`host` (={host!r}) is not an address of this machine.") from None
        raise OptbenchError(f"cannot listen on {host}:{port}: {err.strerror or err}.") from None
    try:
        ex.answer(first)  # compile now: the page's first request is answered warm
    except BaseException:
        server.server_close()
        raise
    return server


def address(server: HTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"
