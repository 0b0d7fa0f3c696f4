"""gunicorn settings for `make serve` (read automatically from the working directory; the command line wins).

Loopback unless HOST is set. On the 2-core reference machine 3 sync workers measured best (bench/load.py).
The app is imported once in the master (preload) so workers share its code pages; workers are recycled after
a few thousand requests so per-worker caches cannot grow without bound.
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
preload_app = True
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
limit_request_line = 8190  # a Sammenlign link with every kommune selected is ~2 kB; allow some headroom


def when_ready(server):
    """With preload the app is already imported here: fill its per-file tables once, before the fork."""
    from components import serving

    if os.environ.get("INNENFOR_WARM", "1") != "0":  # the deploy tests start instances cold, in seconds
        serving.warm()
