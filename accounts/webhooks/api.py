"""The webhooks API: endpoints (list, create, get, change, delete, rotate the secret, send a
test event), their deliveries with every attempt, and redelivery. Free, and not counted toward
the daily limit; the two that make us send are under the plan's per-key burst limit."""

from typing import Any

from django.shortcuts import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_account
from accounts.webhooks import services
from accounts.webhooks.models import WebhookDelivery, WebhookEndpoint
from accounts.webhooks.payloads import delivery_body, endpoint_body
from accounts.webhooks.serializers import WebhookEndpointRequestSerializer
from billing.throttles import BurstThrottle
from generators.api import json_object
from generators.jobs_api import list_limit


def _own_endpoint(request: Request, endpoint_id: str) -> WebhookEndpoint:
    # Another account's endpoint is indistinguishable from one that does not exist.
    return get_object_or_404(
        WebhookEndpoint, pk=endpoint_id, account=authenticated_account(request)
    )


def _own_delivery(request: Request, endpoint_id: str, delivery_id: str) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery.objects.select_related("event", "endpoint"),
        pk=delivery_id,
        endpoint=_own_endpoint(request, endpoint_id),
    )


def _answer(data: Any, status: int = 200) -> Response:
    return Response({"success": True, "data": data}, status=status)


class WebhooksView(APIView):
    def get(self, request: Request) -> Response:
        endpoints = WebhookEndpoint.objects.filter(account=authenticated_account(request))
        return _answer([endpoint_body(endpoint) for endpoint in endpoints])

    def post(self, request: Request) -> Response:
        serializer = WebhookEndpointRequestSerializer(data=json_object(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint, secret = services.create_endpoint(
            account=authenticated_account(request),
            url=data["url"],
            events=data["events"],
            description=data["description"],
            enabled=data.get("enabled", True),
        )
        return _answer(endpoint_body(endpoint, secret=secret), status=201)


class WebhookView(APIView):
    def get(self, request: Request, endpoint_id: str) -> Response:
        return _answer(endpoint_body(_own_endpoint(request, endpoint_id)))

    def patch(self, request: Request, endpoint_id: str) -> Response:
        endpoint = _own_endpoint(request, endpoint_id)
        serializer = WebhookEndpointRequestSerializer(data=json_object(request), partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {name: serializer.validated_data.get(name) for name in serializer.initial_data}
        endpoint = services.update_endpoint(endpoint=endpoint, **changes)
        return _answer(endpoint_body(endpoint))

    def delete(self, request: Request, endpoint_id: str) -> Response:
        endpoint = _own_endpoint(request, endpoint_id)
        services.delete_endpoint(endpoint=endpoint)
        return _answer(endpoint_body(endpoint))


class RotateSecretView(APIView):
    def post(self, request: Request, endpoint_id: str) -> Response:
        endpoint, secret = services.rotate_secret(endpoint=_own_endpoint(request, endpoint_id))
        return _answer(endpoint_body(endpoint, secret=secret))


class TestEventView(APIView):
    throttle_classes = [BurstThrottle]

    def post(self, request: Request, endpoint_id: str) -> Response:
        delivery = services.send_test_event(endpoint=_own_endpoint(request, endpoint_id))
        return _answer(delivery_body(delivery), status=202)


class DeliveriesView(APIView):
    def get(self, request: Request, endpoint_id: str) -> Response:
        endpoint = _own_endpoint(request, endpoint_id)
        newest = (
            endpoint.deliveries.select_related("event")
            .prefetch_related("attempts")
            .order_by("-created_at")[: list_limit(request.query_params.get("limit"))]
        )
        return _answer([delivery_body(delivery) for delivery in newest])


class DeliveryView(APIView):
    def get(self, request: Request, endpoint_id: str, delivery_id: str) -> Response:
        return _answer(delivery_body(_own_delivery(request, endpoint_id, delivery_id)))


class RedeliverView(APIView):
    throttle_classes = [BurstThrottle]

    def post(self, request: Request, endpoint_id: str, delivery_id: str) -> Response:
        delivery = services.redeliver(delivery=_own_delivery(request, endpoint_id, delivery_id))
        return _answer(delivery_body(delivery), status=202)
