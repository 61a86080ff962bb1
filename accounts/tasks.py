"""Emails about access requests and accounts, sent by Celery workers (eagerly in the embedded
default)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import AccessRequest, PlanChangeRequest


def send_templated(template: str, context: dict, to: list[str]) -> None:
    """Render the plain-text email `template` (its first line is the subject) and send it."""
    subject, _, body = render_to_string(template, context, using="emails").strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, to)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_request_received(access_request_id: int) -> None:
    access_request = AccessRequest.objects.select_related("requested_tier").get(
        pk=access_request_id
    )
    context = {"request": access_request, "site_url": settings.SITE_URL}
    send_templated("request_received.txt", context, [access_request.email])
    admin_url = settings.SITE_URL + reverse(
        "admin:accounts_accessrequest_change", args=[access_request.pk]
    )
    send_templated(
        "staff_new_request.txt", {**context, "admin_url": admin_url}, settings.STAFF_EMAILS
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_approval(access_request_id: int, token: str) -> None:
    access_request = AccessRequest.objects.select_related("account__tier").get(pk=access_request_id)
    link = settings.SITE_URL + reverse("reveal-key", args=[token])
    context = {"request": access_request, "link": link, "site_url": settings.SITE_URL}
    send_templated("approved.txt", context, [access_request.email])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_rejection(access_request_id: int) -> None:
    access_request = AccessRequest.objects.get(pk=access_request_id)
    context = {"request": access_request, "site_url": settings.SITE_URL}
    send_templated("rejected.txt", context, [access_request.email])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_request_still_pending(email: str) -> None:
    """A second request for an address whose first still waits: told to that address only,
    with what the first request said, not what the second one typed."""
    access_request = (
        AccessRequest.objects.filter(email__iexact=email, status=AccessRequest.Status.PENDING)
        .select_related("requested_tier")
        .first()
    )
    if access_request is None:  # decided in the meantime
        return
    context = {"request": access_request, "site_url": settings.SITE_URL}
    send_templated("request_still_pending.txt", context, [access_request.email])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sign_in_link(email: str) -> None:
    """Queued for every address typed into the sign-in form; only an account's gets a link."""
    from accounts import services  # services queue this task, so not at import time

    created = services.create_sign_in_link(email=email)
    if created is None:
        return
    account, token = created
    link = settings.SITE_URL + reverse("portal-sign-in-link", args=[token])
    context = {"account": account, "link": link, "site_url": settings.SITE_URL}
    send_templated("sign_in.txt", context, [account.email])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_plan_change_to_staff(plan_change_id: int) -> None:
    plan_change = PlanChangeRequest.objects.select_related(
        "account", "current_tier", "requested_tier"
    ).get(pk=plan_change_id)
    admin_url = settings.SITE_URL + reverse(
        "admin:accounts_planchangerequest_change", args=[plan_change.pk]
    )
    context = {"plan_change": plan_change, "admin_url": admin_url}
    send_templated("staff_plan_change.txt", context, settings.STAFF_EMAILS)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_plan_change_decision(plan_change_id: int) -> None:
    plan_change = PlanChangeRequest.objects.select_related("account", "requested_tier").get(
        pk=plan_change_id
    )
    context = {"plan_change": plan_change, "site_url": settings.SITE_URL}
    send_templated("plan_change_decided.txt", context, [plan_change.account.email])
