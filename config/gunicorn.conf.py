"""gunicorn's settings for the web process, wherever it runs: production
(`gunicorn -c config/gunicorn.conf.py config.wsgi`, README) and the bench's API pass (bench/api.py)."""

import multiprocessing
import os

# gunicorn's documented starting point, (2 x cores) + 1: a sync worker waiting on PostgreSQL
# leaves its core to another. WEB_CONCURRENCY overrides it, as hosts that set it expect.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
