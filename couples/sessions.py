"""The session engine (SESSION_ENGINE): Django's database sessions, stored as BrowserSession rows
that say whose they are (see couples/models.py)."""

from typing import Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from couples.models import BrowserSession


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> type[BrowserSession]:
        return BrowserSession

    def create_model_instance(self, data: dict[str, Any]) -> BrowserSession:
        session = cast(BrowserSession, super().create_model_instance(data))
        signed_in = data.get(SESSION_KEY)
        session.user_id = int(signed_in) if signed_in is not None else None
        return session
