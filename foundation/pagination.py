"""Pagination shared by every list: DRF's page numbers, with a 400 for a page that is not a number."""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

_Row = TypeVar("_Row")


class PageNumbers(PageNumberPagination):
    def paginate_queryset(
        self, queryset: QuerySet[Any, _Row] | Sequence[_Row], request: Request, view: APIView | None = None
    ) -> list[_Row] | None:
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw not in self.last_page_strings and not (raw.isdigit() and int(raw) >= 1):
            raise ValidationError({self.page_query_param: ["A page is a whole number from 1."]})
        return super().paginate_queryset(queryset, request, view)
