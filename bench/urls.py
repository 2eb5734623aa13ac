"""The bench's URLs (bench/settings.py): the app's, and the constant endpoint that is the API
pass's baseline (bench/views.py). No other settings route it.

BENCH_ANSWERING=plain in the server's environment: answering runs the ORM reference,
`answer_plainly`, on PostgreSQL too, where `answering.answer` would run the one statement; the API
pass's PUT mix is then the "before" of that trick (bench/README.md, section 3). Loaded once per
worker, with the URLs, before its first request is served.
"""

import os

from django.urls import path

from bench.views import ConstantView
from checkin import answering
from config.urls import handler404
from config.urls import urlpatterns as app_urlpatterns

if os.environ.get("BENCH_ANSWERING") == "plain":
    answering.answer_in_one_statement = answering.answer_plainly

urlpatterns = [
    path("api/v1/bench/constant", ConstantView.as_view(), name="bench-constant"),
    *app_urlpatterns,
]

__all__ = ["handler404", "urlpatterns"]
