"""Gunicorn settings for `rassegna serve` (command-line flags such as --bind/--workers win).

Each worker builds its own app and opens the index lazily (no preload: Whoosh file handles are not
shared across fork), and picks up rebuilt indexes by itself.
"""

import os

# Not named `config`: gunicorn would read it as its own --config setting.
from search import config as rassegna_config

bind = f"{rassegna_config.get('host')}:{rassegna_config.get('port')}"
workers = int(rassegna_config.get("workers"))
worker_class = "sync"
# A search is CPU-bound and short; a worker stuck longer than this is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 2
# Recycle workers now and then (bounded memory), staggered so they don't all restart at once.
max_requests = 2000
max_requests_jitter = 200
# Request limits well above any legitimate search URL.
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
proc_name = "rassegna"
preload_app = False
# Behind a reverse proxy on the same host, trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
