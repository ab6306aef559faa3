"""REST API: search, related threads, experts, and asking experts to answer a question (routing)
(../shared/API.md)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from practica.accounts.models import User
from practica.communities.selectors import community_get_readable
from practica.discovery import selectors as discovery_selectors
from practica.discovery import services
from practica.discovery.experts import find_experts
from practica.discovery.forms import SearchForm
from practica.discovery.views import run_search
from practica.discussions.api.permissions import MayAskExperts
from practica.discussions.selectors import thread_get_for_user
from practica.lib.api.requests import validated_data
from practica.lib.ids import MAX_ID
from practica.search import selectors
from practica.search.models import DocType, ExpertRequest


class HitSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    score = serializers.FloatField()
    url = serializers.CharField()
    external_id = serializers.CharField()
    community = serializers.CharField(allow_null=True)
    match = serializers.ChoiceField(
        choices=["words", "meaning"],
        help_text="words: found by the full-text index; meaning: only by the latent space (or the sentence embeddings "
        "of the semantic extra) — it may share few or none of the query's words.",
    )


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Results, counted up to 200; every one of them can be paged to.")
    count_capped = serializers.BooleanField(help_text="There are more than `count` results: narrow the search.")
    broadened = serializers.BooleanField(help_text="Results with only some of the words follow those with all.")
    suggestion = serializers.CharField(
        allow_null=True,
        help_text="Did you mean: the query with misspelled words corrected, when no result has all the words and "
        "the corrected query finds some (null otherwise).",
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HitSerializer(many=True)


class RelatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField()
    external_id = serializers.CharField()
    url = serializers.CharField()


class ExpertSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")
    external_id = serializers.CharField(source="user.external_id")
    score = serializers.FloatField(
        help_text="Falls down the list: 1 to 2 for people with evidence on the question, 0 to 1 for people only "
        "active in the community (docs/search.md)."
    )
    on_subject = serializers.BooleanField(
        help_text="Evidence on the question: an answer on a similar thread, a knowledge item that covers it or "
        "declared expertise in its topics."
    )
    reasons = serializers.ListField(child=serializers.CharField())


def _limit(request: Request, default: int = 10, maximum: int = 100) -> int:
    try:
        return max(1, min(maximum, int(request.query_params.get("limit", default))))
    except ValueError:
        raise ValidationError({"limit": ["A whole number from 1 to 100."]}) from None


class SearchView(APIView):
    """Ranked results across threads, people (and, as they land, knowledge and events)."""

    rate_limit_scope, rate_limit_anonymous_scope, rate_limit_methods = "search", "search-anonymous", ("GET",)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("community", str),
            OpenApiParameter("type", str, description="Comma-separated: thread,knowledge,event,person"),
            OpenApiParameter("kind", str),
            OpenApiParameter("tag", str),
            OpenApiParameter("author", str),
            OpenApiParameter("solved", str, enum=["yes", "no"]),
            OpenApiParameter("date_from", str),
            OpenApiParameter("date_to", str),
            OpenApiParameter(
                "sort", str, enum=["relevance", "newest", "votes"],
                description="relevance (default); newest or votes list the results with all the words by date or votes (score 0).",
            ),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=SearchPageSerializer,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params.copy()
        types = [t.strip() for t in params.get("type", "").split(",") if t.strip()]
        unknown = [t for t in types if t not in DocType.values]
        if unknown:
            raise ValidationError({"type": [f"Unknown type(s): {', '.join(unknown)}; use {', '.join(DocType.values)}."]})
        params["type"] = ""
        form = SearchForm(params)
        if not form.is_valid():
            raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
        page = _int(params.get("page"), 1, 1, 1000)
        page_size = _int(params.get("page_size"), 20, 1, 100)
        results = run_search(request.user, dict(form.cleaned_data), types=types, page=page, limit=page_size)
        url = request.build_absolute_uri()
        previous = None
        if page > 1:
            previous = remove_query_param(url, "page") if page == 2 else replace_query_param(url, "page", page - 1)
        return Response(
            {
                "count": results.count,
                "count_capped": results.count_capped,
                "broadened": results.broadened,
                "suggestion": results.suggestion.query if results.suggestion else None,
                # Pages stop where the count does: every result counted can be reached (selectors.COUNT_CAP).
                "next": replace_query_param(url, "page", page + 1) if page * page_size < results.count else None,
                "previous": previous,
                "results": HitSerializer(results.hits, many=True).data,
            }
        )


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(value))) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


class RelatedView(APIView):
    """The most similar other threads, best first."""

    @extend_schema(parameters=[OpenApiParameter("limit", int)], responses=RelatedSerializer(many=True))
    def get(self, request: Request, thread_id: int) -> Response:
        thread, _ = thread_get_for_user(thread_id=thread_id, user=request.user)
        hits = selectors.related_threads(thread=thread, user=request.user, limit=_limit(request))
        return Response(RelatedSerializer(hits, many=True).data)


class ExpertsView(APIView):
    """People ranked by fit to the question text, with reasons."""

    rate_limit_scope, rate_limit_anonymous_scope, rate_limit_methods = "search", "search-anonymous", ("GET",)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("community", str, required=True),
            OpenApiParameter("limit", int),
        ],
        responses=ExpertSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        q = (request.query_params.get("q") or "")[:10_000]
        slug = (request.query_params.get("community") or "")[:60]
        if not slug:
            raise ValidationError({"community": ["Give the community's slug."]})
        community, _ = community_get_readable(slug=slug, user=request.user)
        if not q.strip():
            return Response([])
        experts = find_experts(text=q, community=community, viewer=request.user, limit=_limit(request))
        return Response(ExpertSerializer(experts, many=True).data)


# --- Asking experts (routing) ---------------------------------------------------------------------


class SuggestedExpertSerializer(ExpertSerializer):
    asked = serializers.SerializerMethodField(help_text="Already asked to look at this question.")

    def get_asked(self, obj: Any) -> bool:
        return obj.user.id in self.context.get("asked", ())


class AskedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()


class ExpertRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    thread = serializers.IntegerField(source="thread_id")
    expert = AskedPersonSerializer()
    requested_by = serializers.CharField(source="requested_by.username", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why they were suggested.")


class ExpertRequestCreateSerializer(serializers.Serializer):
    expert = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The person's id (as in suggested-experts).")


class ThreadExpertsView(APIView):
    """The thread, read through its selector (404 where the caller may not read it), then the rule: the asker
    and the coordinators only (403 for the others)."""

    permission_classes = [IsAuthenticated, MayAskExperts]

    def thread(self, request: Request, thread_id: int) -> Any:
        thread, access = thread_get_for_user(thread_id=thread_id, user=request.user)
        self.check_object_permissions(request, (thread, access))
        return thread


class SuggestedExpertsView(ThreadExpertsView):
    """The people most likely to answer this question, best first, each with its reasons and whether they were
    asked already: what the thread page suggests to the asker and the coordinators (the page shows it once a
    question has waited ``ROUTING_AFTER_HOURS`` without an answer; the API at any time)."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description=f"1–{discovery_selectors.MAX_SUGGESTED_EXPERTS}, "
                                     f"default {discovery_selectors.SUGGESTED_EXPERTS}")],
        responses=SuggestedExpertSerializer(many=True),
    )
    def get(self, request: Request, thread_id: int) -> Response:
        thread = self.thread(request, thread_id)
        limit = _limit(request, default=discovery_selectors.SUGGESTED_EXPERTS,
                       maximum=discovery_selectors.MAX_SUGGESTED_EXPERTS)
        experts = discovery_selectors.suggested_experts(thread=thread, viewer=request.user, limit=limit)
        context = {"asked": discovery_selectors.asked_expert_ids(thread=thread)}
        return Response(SuggestedExpertSerializer(experts, many=True, context=context).data)


class ExpertRequestsView(ThreadExpertsView, generics.ListAPIView):
    """Who was asked to look at this question, oldest first; POST asks one more person (the asker or a
    coordinator; asking the same person again changes nothing and answers 200)."""

    serializer_class = ExpertRequestSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ExpertRequest.objects.none()
        return discovery_selectors.expert_requests_of(thread=self.thread(self.request, self.kwargs["thread_id"]))

    @extend_schema(
        request=ExpertRequestCreateSerializer,
        responses={201: ExpertRequestSerializer, 200: ExpertRequestSerializer},
    )
    def post(self, request: Request, thread_id: int) -> Response:
        thread = self.thread(request, thread_id)
        data = validated_data(ExpertRequestCreateSerializer, request)
        expert = User.objects.filter(id=data["expert"], is_active=True).first()
        if expert is None:
            raise ValidationError({"expert": ["No such person."]})
        already = expert.id in discovery_selectors.asked_expert_ids(thread=thread)
        services.expert_request_create(thread=thread, actor=cast(User, request.user), expert=expert)
        asked = discovery_selectors.expert_requests_of(thread=thread).get(expert=expert)
        return Response(
            ExpertRequestSerializer(asked).data, status=status.HTTP_200_OK if already else status.HTTP_201_CREATED
        )
