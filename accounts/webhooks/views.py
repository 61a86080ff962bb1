"""The portal's webhook pages: endpoints (the secret shown once), their delivery log with every
attempt, test events, redelivery, and the low-credit threshold."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Account
from accounts.services import set_low_credit_threshold
from accounts.views import portal_page
from accounts.webhooks import services
from accounts.webhooks.forms import EndpointForm, ThresholdForm
from accounts.webhooks.models import WebhookDelivery, WebhookEndpoint

LOG_PAGE_SIZE = 20
NOT_SENT = "The endpoint is disabled: enable it first."


def _own(account: Account, endpoint_id: UUID) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=endpoint_id, account=account)


def _secret_page(
    request: HttpRequest, account: Account, endpoint: WebhookEndpoint, secret: str, *, new: bool
) -> HttpResponse:
    context = {"account": account, "endpoint": endpoint, "secret": secret, "new": new}
    return render(request, "portal/webhook_secret.html", context)


@portal_page
@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest, account: Account) -> HttpResponse:
    form = EndpointForm(request.POST or None, initial={"enabled": True})
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.create_endpoint(
                account=account,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                enabled=form.cleaned_data["enabled"],
            )
        except services.EndpointLimitReached as exc:
            form.add_error(None, f"You have {exc.limit} endpoints, as many as an account may.")
        else:
            return _secret_page(request, account, endpoint, secret, new=True)
    context = {
        "account": account,
        "endpoints": account.webhook_endpoints.all(),
        "form": form,
        "threshold_form": ThresholdForm(
            initial={"low_credit_threshold": account.low_credit_threshold}
        ),
    }
    return render(request, "portal/webhooks.html", context, status=400 if form.errors else 200)


@portal_page
@require_POST
def threshold(request: HttpRequest, account: Account) -> HttpResponse:
    form = ThresholdForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(error) for error in form.errors["low_credit_threshold"])
        )
        return redirect("portal-webhooks")
    value = form.cleaned_data["low_credit_threshold"]
    set_low_credit_threshold(account=account, threshold=value)
    if value is None:
        messages.success(request, "credits.low is off: no threshold is set.")
    else:
        messages.success(request, f"credits.low fires when a debit takes you below {value:,}.")
    return redirect("portal-webhooks")


@portal_page
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest, account: Account, endpoint_id: UUID) -> HttpResponse:
    found = _own(account, endpoint_id)
    initial = {
        "url": found.url,
        "description": found.description,
        "events": found.events,
        "enabled": found.is_enabled,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_endpoint(endpoint=found, **form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("portal-webhook", endpoint_id=found.pk)
    deliveries = (
        found.deliveries.select_related("event")
        .prefetch_related("attempts")
        .order_by("-created_at")
    )
    context = {
        "account": account,
        "endpoint": found,
        "form": form,
        "log": Paginator(deliveries, LOG_PAGE_SIZE).get_page(request.GET.get("page")),
        "schedule": services.describe_schedule(),
        "disable_after": services.describe_duration(settings.WEBHOOKS_DISABLE_AFTER),
    }
    return render(request, "portal/webhook.html", context, status=400 if form.errors else 200)


@portal_page
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, account: Account, endpoint_id: UUID) -> HttpResponse:
    found = _own(account, endpoint_id)
    if request.method == "GET":
        context = {"account": account, "endpoint": found}
        return render(request, "portal/webhook_delete.html", context)
    services.delete_endpoint(endpoint=found)
    messages.success(request, f"Deleted the endpoint {found.url}; it is sent nothing more.")
    return redirect("portal-webhooks")


@portal_page
@require_http_methods(["GET", "POST"])
def rotate(request: HttpRequest, account: Account, endpoint_id: UUID) -> HttpResponse:
    found = _own(account, endpoint_id)
    if request.method == "GET":
        context = {"account": account, "endpoint": found}
        return render(request, "portal/webhook_rotate.html", context)
    rotated, secret = services.rotate_secret(endpoint=found)
    return _secret_page(request, account, rotated, secret, new=False)


@portal_page
@require_POST
def send_test(request: HttpRequest, account: Account, endpoint_id: UUID) -> HttpResponse:
    found = _own(account, endpoint_id)
    try:
        services.send_test_event(endpoint=found)
    except services.EndpointDisabled:
        messages.error(request, NOT_SENT)
    else:
        messages.success(request, "Test event queued: it appears in the log below as it goes.")
    return redirect("portal-webhook", endpoint_id=found.pk)


@portal_page
@require_POST
def redeliver(
    request: HttpRequest, account: Account, endpoint_id: UUID, delivery_id: UUID
) -> HttpResponse:
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint", "event"),
        pk=delivery_id,
        endpoint=_own(account, endpoint_id),
    )
    try:
        services.redeliver(delivery=delivery)
    except services.EndpointDisabled:
        messages.error(request, NOT_SENT)
    else:
        messages.success(request, f"Sending {delivery.event.type} {delivery.event_id} again.")
    return redirect("portal-webhook", endpoint_id=endpoint_id)
