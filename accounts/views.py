"""The public pages: landing, the access-request form, and the key-reveal link."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from accounts import services
from accounts.forms import DUPLICATE_MESSAGE, AccessRequestForm
from billing.models import Tier
from billing.prices import PRICES


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"tiers": Tier.objects.all(), "prices": PRICES})


@require_http_methods(["GET", "POST"])
def request_access(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/request_access.html", {"form": AccessRequestForm()})
    if is_ratelimited(
        request,
        group="request-access",
        key="ip",
        rate=settings.REQUEST_ACCESS_RATE,
        method="POST",
        increment=True,
    ):
        return render(request, "rate_limited.html", status=429)
    form = AccessRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/request_access.html", {"form": form}, status=400)
    if form.is_bot:
        return redirect("request-access-thanks")
    try:
        services.submit_access_request(
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            company=form.cleaned_data["company"],
            use_case=form.cleaned_data["use_case"],
            tier=form.cleaned_data["plan"],
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except services.DuplicateRequest:
        form.add_error("email", DUPLICATE_MESSAGE)
        return render(request, "accounts/request_access.html", {"form": form}, status=400)
    return redirect("request-access-thanks")


def request_access_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/request_thanks.html")


@never_cache
@require_http_methods(["GET", "POST"])
def reveal_key(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST reveals, so mail scanners that prefetch links
    cannot burn the link."""
    if request.method == "GET":
        link = services.find_reveal_link(token)
        if link is None:
            return render(request, "accounts/reveal_unavailable.html", status=410)
        return render(request, "accounts/reveal.html", {"link": link})
    try:
        api_key, plaintext = services.reveal_key(token=token)
    except services.RevealUnavailable:
        return render(request, "accounts/reveal_unavailable.html", status=410)
    context = {"api_key": api_key, "plaintext": plaintext}
    return render(request, "accounts/reveal_done.html", context)
