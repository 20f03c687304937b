"""Present stage: the Gradio chat page, the HTTP API and the embeddable widget, as one ASGI app.

``create_app(settings)`` builds the app; ``serve(settings, host, port)`` builds the
index if it is missing and serves the app with uvicorn. Nothing outside this
package imports it (data flows one way: the pipeline never depends on the web).
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve"]


def create_app(*args: Any, **kwargs: Any):
    # Imported lazily: gradio is heavy, and `lss-assistant ask` should not pay for it.
    from assistant.web.app import create_app as _create_app

    return _create_app(*args, **kwargs)


def serve(settings=None, host: str | None = None, port: int | None = None) -> None:
    from assistant.web.app import serve as _serve

    _serve(settings, host=host, port=port)
