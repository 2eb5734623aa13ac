"""The request that the views behind DRF's default permission (IsAuthenticated) receive."""

from rest_framework.request import Request

from couples.models import User


class AuthenticatedRequest(Request):
    """A request that passed IsAuthenticated: its user is a person, never AnonymousUser. Only for
    type hints (DRF builds plain Requests); a view that allows anyone takes a plain Request."""

    user: User  # narrowed by the permission, which DRF cannot know
