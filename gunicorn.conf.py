"""gunicorn settings for `gunicorn app:server` (read from the working directory automatically).

Environment: ``HOST`` and ``PORT`` (bind, default 127.0.0.1:8050, as ``python app.py``),
``WEB_CONCURRENCY`` (worker processes, default 2 per CPU core, at most 4) and
``GUNICORN_TIMEOUT`` (seconds a request may take, default 60). Options on the command line win
(``gunicorn -w 4 -b 0.0.0.0:8000 app:server``).

Before any worker starts, the master checks that the database answers and holds SASCI data;
if not it prints one line naming the database (password hidden) and exits with status 1.
"""

from __future__ import annotations

import os
import sys

#: Workers per CPU core by default, and at most this many (each holds its own result cache,
#: about 300-400 MB with the app loaded).
WORKERS_PER_CORE = 2
MAX_DEFAULT_WORKERS = 4
#: Restart each worker after this many requests (plus jitter) so memory cannot creep.
MAX_REQUESTS = 2000
MAX_REQUESTS_JITTER = 200

bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8050'}"
workers = int(os.environ.get("WEB_CONCURRENCY")
              or min(MAX_DEFAULT_WORKERS, WORKERS_PER_CORE * (os.cpu_count() or 1)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
max_requests = MAX_REQUESTS
max_requests_jitter = MAX_REQUESTS_JITTER
# Request line and headers: gunicorn's bounds (bytes, count), stated here on purpose.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"


def on_starting(_server) -> None:
    """Refuse to start, with one line on stderr and status 1, if the database is not usable."""
    from pages.services import check_database
    from sasci_map.config import get_settings
    from sasci_map.errors import DatabaseError

    try:
        check_database(get_settings())
    except (DatabaseError, ValueError) as exc:
        print(f"SASCI capacity map cannot start: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
