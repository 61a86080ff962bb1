"""Pages that belong to the whole product rather than to one app."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from billing.models import Tier
from billing.prices import PRICES


def docs(request: HttpRequest) -> HttpResponse:
    context = {"tiers": Tier.objects.all(), "prices": PRICES, "base_url": settings.SITE_URL}
    return render(request, "docs.html", context)
