"""Serving the web UI: the index opened (or first built), the port checked, Gradio launched."""

from __future__ import annotations

import errno
import os
import sys

from .errors import InputError, QAError
from .library import Library
from .style import CSS, theme


def serve(index: str, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None,
          build_from: list[str] | None = None, examples: list[str] | None = None,
          block: bool = True, backend: str | None = None, watch: list[str] | None = None,
          watch_every: float | None = None):
    """Open (or first build) the index and serve the UI. Returns the Gradio app.

    Args:
        watch: folders (or files) kept in step with the index while it is served: updated now,
            then when they change and every ``watch_every`` seconds (qa.watch; default 300, or
            10 where changes cannot be watched), a line on stderr when something changed.
    """
    from .watch import watch_in_background

    _refuse_a_port_in_use(host, port)  # before the model is loaded, or an index built
    build_from = build_from or watch
    if build_from and not os.path.exists(os.path.join(index, "manifest.json")):
        print(f"no index at {index}: building it from {', '.join(build_from)}", file=sys.stderr)
        lib = Library.build(build_from, index, backend=backend)
        for line in lib.last_summary.lines():
            print(line, file=sys.stderr)
    else:
        lib = Library.open(index, backend=backend)
    if watch:
        watch_in_background(lib, watch, watch_every, report=lambda line: print(line, file=sys.stderr, flush=True))
    lib.embedder  # load the model now, not on the first question  # noqa: B018
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {host}: anyone who can reach this machine can read the "
              "indexed articles" + ("" if auth else " (no --auth set)"), file=sys.stderr)
    credentials = None
    if auth:
        user, sep, password = auth.partition(":")
        if not sep or not user:
            raise QAError("auth must be USER:PASSWORD")
        credentials = (user, password)
    from .ui import build_ui  # Gradio: imported only to serve

    demo = build_ui(lib, examples)
    demo.queue(default_concurrency_limit=4)
    try:
        demo.launch(server_name=host, server_port=port, auth=credentials, css=CSS, theme=theme(),
                    prevent_thread_lock=not block, show_error=False, quiet=False)
    except OSError as exc:  # taken since the check above; Gradio says so with a traceback
        raise InputError(_in_use(host, port)) from exc
    return demo


def _refuse_a_port_in_use(host: str, port: int) -> None:
    import socket

    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as s:  # bound as Gradio's server binds
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(address)
    except OSError as exc:
        raise InputError(_in_use(host, port) if exc.errno == errno.EADDRINUSE else f"cannot serve on {host}:{port}: "
                         f"{exc.strerror or exc}") from exc


def _in_use(host: str, port: int) -> str:
    return f"port {port} on {host} is in use (another qa serve or app.py?): stop it, or choose another with --port"

