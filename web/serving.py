"""How `rassegna serve` runs the web app under gunicorn: the command line, with the config file
that ships beside this module."""

from __future__ import annotations

import sys
from pathlib import Path

GUNICORN_CONFIG = Path(__file__).resolve().with_name("gunicorn.conf.py")
APP = "web:create_app()"


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command serving Rassegna on ``host:port`` (flags win over the config file)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(GUNICORN_CONFIG),
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        APP,
    ]
