"""HTTP edge of check-ins and discussions: parse, call a service or selector, serialize."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError, UnsupportedMediaType, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from checkin import selectors, services
from checkin.errors import NoOpenRound, NoSuchDiscussion, NoSuchRound
from checkin.models import Discussion
from checkin.serializers import (
    TRENDS_DATES,
    AnswerInputSerializer,
    DiscussionFilterSerializer,
    DiscussionNoteInputSerializer,
    DiscussionNoteSerializer,
    DiscussionSerializer,
    OwnAnswerSerializer,
    RoundSerializer,
    TrendsQuerySerializer,
    TrendsSerializer,
    own_answer_shaped,
    round_shaped,
)
from couples.auth import AuthenticatedRequest

# What a round shows is the selectors' to decide, its shape RoundSerializer's (round_shaped).


class CheckinListView(GenericAPIView):
    error_responses = {"POST": {409}}
    serializer_class = RoundSerializer
    request: AuthenticatedRequest

    @extend_schema(responses={200: RoundSerializer(many=True)}, tags=["check-ins"])
    def get(self, request: AuthenticatedRequest) -> Response:
        # History is what the paginator needs (count() and slices), though not a QuerySet or a Sequence.
        page = self.paginate_queryset(selectors.History(user=request.user, now=timezone.now()))  # type: ignore[arg-type]
        return self.get_paginated_response(RoundSerializer(page, many=True).data)

    @extend_schema(request=None, responses={201: RoundSerializer}, tags=["check-ins"])
    def post(self, request: AuthenticatedRequest) -> Response:
        created = services.round_open_now(user=request.user)
        view = selectors.round_get(user=request.user, round_id=created.pk)
        assert view is not None  # just opened, for the couple of the person asking
        return Response(round_shaped(view), status=status.HTTP_201_CREATED)


class CheckinCurrentView(APIView):
    error_responses = {404}

    @extend_schema(responses={200: RoundSerializer}, tags=["check-ins"])
    def get(self, request: AuthenticatedRequest) -> Response:
        current = selectors.current_round(user=request.user, now=timezone.now())
        if current is None:
            raise NoOpenRound()
        services.round_seen(user=request.user, round_id=current.id)
        return Response(round_shaped(current))


class CheckinDetailView(APIView):
    @extend_schema(responses={200: RoundSerializer}, tags=["check-ins"])
    def get(self, request: AuthenticatedRequest, round_id: int) -> Response:
        checkin_round = selectors.round_get(user=request.user, round_id=round_id)
        if checkin_round is None:
            raise NoSuchRound()
        services.round_seen(user=request.user, round_id=round_id)
        return Response(round_shaped(checkin_round))


class CheckinAnswerView(APIView):
    error_responses = {409}

    @extend_schema(request=AnswerInputSerializer, responses={200: OwnAnswerSerializer}, tags=["check-ins"])
    def put(self, request: AuthenticatedRequest, round_id: int) -> Response:
        try:
            form = AnswerInputSerializer(data=request.data)
            form.is_valid(raise_exception=True)
        except (ParseError, UnsupportedMediaType, ValidationError):
            # Another couple's round is a 404 whatever the body, so that no 400 hints it exists.
            # A valid body is scoped by answer_submit's locking read instead, at no extra query.
            if not selectors.round_exists(user=request.user, round_id=round_id):
                raise NoSuchRound() from None
            raise
        # Another couple's round or a closed one: the service raises NoSuchRound or RoundClosed.
        answer = services.answer_submit(user=request.user, round_id=round_id, **form.validated_data)
        return Response(own_answer_shaped(answer))


class CheckinTrendsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description=f"First local date included, YYYY-MM-DD, {TRENDS_DATES}."
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description=f"Last local date included, YYYY-MM-DD, {TRENDS_DATES}."
            ),
        ],
        responses={200: TrendsSerializer},
        tags=["check-ins"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        query = TrendsQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        period = selectors.Period(start=query.validated_data.get("from"), end=query.validated_data.get("to"))
        return Response(TrendsSerializer(selectors.trends(user=request.user, period=period)).data)


class DiscussionListView(GenericAPIView):
    serializer_class = DiscussionSerializer

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["open", "resolved"])],
        responses={200: DiscussionSerializer(many=True)},
        tags=["discussions"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        query = DiscussionFilterSerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        discussions = selectors.discussions_of(user=request.user, status=query.validated_data.get("status"))
        page = self.paginate_queryset(discussions)
        return self.get_paginated_response(DiscussionSerializer(page, many=True).data)


def _discussion_or_404(request: AuthenticatedRequest, discussion_id: int) -> Discussion:
    discussion = selectors.discussions_of(user=request.user).filter(pk=discussion_id).first()
    if discussion is None:
        raise NoSuchDiscussion()
    return discussion


class DiscussionDetailView(APIView):
    @extend_schema(responses={200: DiscussionSerializer}, tags=["discussions"])
    def get(self, request: AuthenticatedRequest, discussion_id: int) -> Response:
        discussion = _discussion_or_404(request, discussion_id)
        services.discussion_seen(user=request.user, discussion=discussion)
        return Response(DiscussionSerializer(discussion).data)


class DiscussionNotesView(APIView):
    error_responses = {409}  # a talk of a couple that has ended is read-only

    @extend_schema(
        request=DiscussionNoteInputSerializer, responses={201: DiscussionNoteSerializer}, tags=["discussions"]
    )
    def post(self, request: AuthenticatedRequest, discussion_id: int) -> Response:
        discussion = _discussion_or_404(request, discussion_id)
        form = DiscussionNoteInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        note = services.discussion_note_add(user=request.user, discussion=discussion, text=form.validated_data["text"])
        return Response(DiscussionNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class DiscussionResolveView(APIView):
    error_responses = {409}  # a talk of a couple that has ended is read-only

    @extend_schema(request=None, responses={200: DiscussionSerializer}, tags=["discussions"])
    def post(self, request: AuthenticatedRequest, discussion_id: int) -> Response:
        services.discussion_resolve(discussion=_discussion_or_404(request, discussion_id))
        return Response(DiscussionSerializer(_discussion_or_404(request, discussion_id)).data)
