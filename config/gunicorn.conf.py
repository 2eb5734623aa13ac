"""gunicorn's settings for the web process, wherever it runs: production
(`gunicorn -c config/gunicorn.conf.py config.wsgi`, README) and the bench's API pass (bench/api.py)."""

import multiprocessing
import os

# gunicorn's documented starting point, (2 x cores) + 1: a sync worker waiting on PostgreSQL
# leaves its core to another. WEB_CONCURRENCY overrides it, as hosts that set it expect.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Where to listen: GUNICORN_BIND when set (`make run`: 127.0.0.1:8000); otherwise gunicorn's own
# default, which is 0.0.0.0:$PORT where a platform sets PORT, else 127.0.0.1:8000.
if os.environ.get("GUNICORN_BIND"):
    bind = [os.environ["GUNICORN_BIND"]]

# With LOG_FORMAT=json, gunicorn's own lines (its start, a worker that timed out) are JSON objects
# too, as the app's are (config/logs.py). Its access log stays silent, as it is without this: its
# lines hold each URL's query string, where the links of emails carry tokens.
if os.environ.get("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.logs.JsonLines"}},
        "handlers": {
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }
