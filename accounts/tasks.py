"""Emails about access requests, sent by Celery workers (eagerly in the embedded default)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import AccessRequest


def _send(template: str, context: dict, to: list[str]) -> None:
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, to)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_request_received(access_request_id: int) -> None:
    access_request = AccessRequest.objects.select_related("requested_tier").get(
        pk=access_request_id
    )
    context = {"request": access_request, "site_url": settings.SITE_URL}
    _send("emails/request_received.txt", context, [access_request.email])
    admin_url = settings.SITE_URL + reverse(
        "admin:accounts_accessrequest_change", args=[access_request.pk]
    )
    _send(
        "emails/staff_new_request.txt", {**context, "admin_url": admin_url}, settings.STAFF_EMAILS
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_approval(access_request_id: int, token: str) -> None:
    access_request = AccessRequest.objects.select_related("account__tier").get(pk=access_request_id)
    link = settings.SITE_URL + reverse("reveal-key", args=[token])
    context = {"request": access_request, "link": link, "site_url": settings.SITE_URL}
    _send("emails/approved.txt", context, [access_request.email])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_rejection(access_request_id: int) -> None:
    access_request = AccessRequest.objects.get(pk=access_request_id)
    context = {"request": access_request, "site_url": settings.SITE_URL}
    _send("emails/rejected.txt", context, [access_request.email])
