"""The API's tokens: a token for a username and password (``POST /api/v1/auth/token/``), revoking the token in
use (``DELETE`` there), and the caller's own tokens (``/api/v1/me/tokens/``)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts import lockout, ratelimit, selectors, services
from practica.accounts.authentication import token_of
from practica.accounts.models import ApiToken, TokenScope, User

CREDENTIALS_WRONG = "Unable to log in with provided credentials."


class TokenOptionsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, help_text="What the token is for.")
    scope = serializers.ChoiceField(choices=TokenScope.choices, default=TokenScope.WRITE)
    expires_in_days = serializers.IntegerField(
        required=False, min_value=1, help_text="Days until it expires (default 90; at most API_TOKEN_MAX_DAYS)."
    )


class TokenRequestSerializer(TokenOptionsSerializer):
    username = serializers.CharField(max_length=254, help_text="Username or email address.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its key."""

    state = serializers.CharField(read_only=True, help_text="active, expired or revoked")
    revoked_reason = serializers.CharField(
        read_only=True, help_text="Empty while the token may work; else owner, admin, password or deactivated."
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scope", "state", "created_at", "expires_at", "last_used_at",
                  "last_used_from", "revoked_at", "revoked_reason"]
        read_only_fields = fields


class IssuedTokenSerializer(TokenSerializer):
    """A token just made, with its key: shown this once."""

    token = serializers.CharField(read_only=True, help_text="The key: send it as `Authorization: Token <key>`.")

    class Meta(TokenSerializer.Meta):
        fields = ["token", *TokenSerializer.Meta.fields]
        read_only_fields = fields


def _issued(issued: services.IssuedToken) -> dict[str, object]:
    data = dict(TokenSerializer(issued.token).data)
    return {"token": issued.key, **data}


class TokenView(APIView):
    """``POST {"username", "password"}`` returns ``{"token", ...}`` for the ``Authorization: Token`` header;
    ``DELETE`` revokes the token the request is made with."""

    permission_classes = [AllowAny]
    throttle_classes: list[type] = []  # the failed sign-in policy (lockout) limits this endpoint

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: IssuedTokenSerializer,
            400: OpenApiResponse(description="Wrong username or password, or invalid options."),
            429: OpenApiResponse(description="Too many failed sign-ins (Retry-After says how long to wait)."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        refusal = lockout.check(request, data["username"])
        if refusal is not None:
            return Response({"detail": refusal.message}, status=429, headers={"Retry-After": str(max(refusal.retry_after, 1))})
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            lockout.failed(request, data["username"])
            return Response({"non_field_errors": [CREDENTIALS_WRONG]}, status=status.HTTP_400_BAD_REQUEST)
        lockout.succeeded(request, user)  # type: ignore[arg-type]
        issued = services.token_create(
            user=user,  # type: ignore[arg-type]
            name=data.get("name") or "API token (username and password)",
            scope=data["scope"],
            expires_in_days=data.get("expires_in_days"),
        )
        return Response(_issued(issued))

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The token used for this request is revoked."),
            400: OpenApiResponse(description="The request was not made with a token."),
            401: OpenApiResponse(description="No valid credentials."),
        },
    )
    def delete(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            return Response({"detail": "Authentication credentials were not provided."}, status=401)
        token = token_of(request)
        if token is None:
            return Response(
                {"detail": "This request was not made with a token; revoke tokens at /api/v1/me/tokens/{id}/."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyTokensView(APIView):
    """The caller's tokens (``GET``), and a new one (``POST``; the key is in the answer, this once)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        tokens = selectors.tokens_of(user=request.user)  # type: ignore[arg-type]
        return Response(TokenSerializer(tokens, many=True).data)

    @extend_schema(request=TokenOptionsSerializer, responses={201: IssuedTokenSerializer, 429: OpenApiResponse(description="Too many tokens made.")})
    def post(self, request: Request) -> Response:
        serializer = TokenOptionsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        verdict = ratelimit.hit("token", f"user:{request.user.pk}")
        if not verdict.allowed:
            return Response({"detail": "Too many tokens made; try again later."}, status=429,
                            headers={"Retry-After": str(max(verdict.retry_after, 1))})
        user: User = request.user  # type: ignore[assignment]
        issued = services.token_create(
            user=user,
            name=serializer.validated_data.get("name", ""),
            scope=serializer.validated_data["scope"],
            expires_in_days=serializer.validated_data.get("expires_in_days"),
        )
        return Response(_issued(issued), status=status.HTTP_201_CREATED)


class MyTokenView(APIView):
    """One of the caller's tokens: ``GET``, and ``DELETE`` to revoke it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TokenSerializer)
    def get(self, request: Request, token_id: int) -> Response:
        token = get_object_or_404(selectors.tokens_of(user=request.user), pk=token_id)  # type: ignore[arg-type]
        return Response(TokenSerializer(token).data)

    @extend_schema(responses={204: OpenApiResponse(description="Revoked."), 404: OpenApiResponse(description="Not one of your tokens.")})
    def delete(self, request: Request, token_id: int) -> Response:
        token = get_object_or_404(selectors.tokens_of(user=request.user), pk=token_id)  # type: ignore[arg-type]
        services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
