"""Start LSS-assistenten's web app: python app.py [--host HOST] [--port PORT].

Builds the index first if it is missing, then serves the chat page (/), the
HTTP API (/api/*, docs at /docs) and the widget (/widget.js). Same as
`lss-assistant serve`.
"""

from __future__ import annotations

import argparse
import logging

from assistant.config import load_settings
from assistant.web import serve


def main(argv: list[str] | None = None) -> None:
    settings = load_settings()
    parser = argparse.ArgumentParser(description="Serve LSS-assistenten (chat page, API and widget).")
    parser.add_argument("--host", default=settings.host, help=f"address to listen on (LSS_HOST, default {settings.host})")
    parser.add_argument("--port", type=int, default=settings.port, help=f"port (LSS_PORT, default {settings.port})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(settings, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
