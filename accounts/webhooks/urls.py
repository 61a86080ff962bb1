"""The webhooks API under /api/webhooks (with or without a trailing slash) and its portal pages
under /account/webhooks/."""

from django.urls import path, re_path

from accounts.webhooks import api, views

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ENDPOINT = rf"^api/webhooks/(?P<endpoint_id>{UUID})"
DELIVERY = rf"{ENDPOINT}/deliveries/(?P<delivery_id>{UUID})"

api_urlpatterns = [
    re_path(r"^api/webhooks/?$", api.WebhooksView.as_view(), name="api-webhooks"),
    re_path(rf"{ENDPOINT}/?$", api.WebhookView.as_view(), name="api-webhook"),
    re_path(
        rf"{ENDPOINT}/rotate-secret/?$", api.RotateSecretView.as_view(), name="api-webhook-rotate"
    ),
    re_path(rf"{ENDPOINT}/test/?$", api.TestEventView.as_view(), name="api-webhook-test"),
    re_path(
        rf"{ENDPOINT}/deliveries/?$", api.DeliveriesView.as_view(), name="api-webhook-deliveries"
    ),
    re_path(rf"{DELIVERY}/?$", api.DeliveryView.as_view(), name="api-webhook-delivery"),
    re_path(rf"{DELIVERY}/redeliver/?$", api.RedeliverView.as_view(), name="api-webhook-redeliver"),
]

portal_urlpatterns = [
    path("account/webhooks/", views.endpoints, name="portal-webhooks"),
    path("account/webhooks/threshold/", views.threshold, name="portal-webhook-threshold"),
    path("account/webhooks/<uuid:endpoint_id>/", views.endpoint, name="portal-webhook"),
    path("account/webhooks/<uuid:endpoint_id>/delete/", views.delete, name="portal-webhook-delete"),
    path("account/webhooks/<uuid:endpoint_id>/rotate/", views.rotate, name="portal-webhook-rotate"),
    path("account/webhooks/<uuid:endpoint_id>/test/", views.send_test, name="portal-webhook-test"),
    path(
        "account/webhooks/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/redeliver/",
        views.redeliver,
        name="portal-webhook-redeliver",
    ),
]
