"""The public pages (landing, access-request form, key-reveal link) and the consumer portal."""

import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.charts import usage_chart
from accounts.forms import (
    AccessRequestForm,
    CreateKeyForm,
    PlanChangeForm,
    RotateKeyForm,
    SignInForm,
)
from accounts.models import Account, ApiKey
from billing.models import CreditEntry, Tier
from billing.prices import PRICES
from billing.services import next_utc_midnight, requests_today, utc_today
from billing.throttles import is_limited
from generators import jobs as jobs_service
from generators.models import Job


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"tiers": Tier.objects.all(), "prices": PRICES})


@require_http_methods(["GET", "POST"])
def request_access(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "accounts/request_access.html", {"form": AccessRequestForm()})
    if is_limited(
        request, group="request-access", key="ip", rate=settings.REQUEST_ACCESS_RATE, method="POST"
    ):
        return render(request, "rate_limited.html", status=429)
    form = AccessRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/request_access.html", {"form": form}, status=400)
    if form.is_bot:
        return redirect("request-access-thanks")
    services.submit_access_request(
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        company=form.cleaned_data["company"],
        use_case=form.cleaned_data["use_case"],
        tier=form.cleaned_data["plan"],
        ip_address=request.META.get("REMOTE_ADDR"),
    )
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


# The consumer portal: sign in with an emailed link, then usage, keys and plan.

SIGN_IN_RATE_PER_EMAIL = "5/h"
SIGN_IN_RATE_PER_IP = "20/h"
LEDGER_PAGE_SIZE = 20
JOBS_PAGE_SIZE = 25
PORTAL_NEXT = "portal_next"
SIGN_IN_LIMITED = (
    "We have sent several sign-in links for this address or from your network in the last "
    "hour. Use the newest link in your inbox, or wait a while and ask again."
)
PortalView = Callable[..., HttpResponseBase]  # a page, or a streamed file


def _sign_in_email_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


def _portal_account(request: HttpRequest) -> Account | None:
    if not request.user.is_authenticated:
        return None
    return Account.objects.select_related("tier").filter(owner=request.user).first()


def portal_page(view: PortalView) -> PortalView:
    """Pages for a signed-in consumer; everyone else goes to the sign-in form."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        account = _portal_account(request)
        if account is None:
            return redirect_to_login(request.get_full_path(), reverse("portal-sign-in"))
        return view(request, account, *args, **kwargs)

    return never_cache(wrapper)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        context = {"form": SignInForm(), "next": request.GET.get("next", "")}
        return render(request, "portal/sign_in.html", context)
    form = SignInForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/sign_in.html", {"form": form}, status=400)
    for key, rate in ((_sign_in_email_key, SIGN_IN_RATE_PER_EMAIL), ("ip", SIGN_IN_RATE_PER_IP)):
        if is_limited(request, group="sign-in", key=key, rate=rate):
            context = {"heading": "Too many sign-in links", "message": SIGN_IN_LIMITED}
            return render(request, "rate_limited.html", context, status=429)
    services.request_sign_in_link(email=form.cleaned_data["email"])
    # Back to the page that asked for a sign-in, when the link is opened in this browser.
    wanted = request.POST.get("next", "")
    if wanted.startswith("/account/") and url_has_allowed_host_and_scheme(wanted, None):
        request.session[PORTAL_NEXT] = wanted
    return redirect("portal-sign-in-sent")


def sign_in_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/sign_in_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST signs in, so mail scanners cannot spend the link."""
    if request.method == "GET":
        if services.find_sign_in_link(token) is None:
            return render(request, "portal/sign_in_unavailable.html", status=410)
        return render(request, "portal/sign_in_confirm.html")
    try:
        user = services.use_sign_in_link(token=token)
    except services.SignInUnavailable:
        return render(request, "portal/sign_in_unavailable.html", status=410)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(request.session.pop(PORTAL_NEXT, None) or "portal-dashboard")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("portal-sign-in")


@portal_page
def dashboard(request: HttpRequest, account: Account) -> HttpResponse:
    entries = CreditEntry.objects.filter(account=account).order_by("-created_at", "-pk")
    ledger = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    today = utc_today()
    context = {
        "account": account,
        "requests_today": requests_today(account),
        "chart": usage_chart(account=account, today=today),
        "ledger": ledger,
        "resets_at": next_utc_midnight(),
        "pending_plan_change": account.plan_change_requests.filter(status="pending").first(),
        "active_keys": [key for key in account.api_keys.all() if key.is_active],
    }
    return render(request, "portal/dashboard.html", context)


@portal_page
@require_http_methods(["GET", "POST"])
def keys(request: HttpRequest, account: Account) -> HttpResponse:
    form = CreateKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        api_key, plaintext = services.issue_key(account=account, name=form.cleaned_data["name"])
        context = {"account": account, "api_key": api_key, "plaintext": plaintext}
        return render(request, "portal/key_created.html", context)
    context = {"account": account, "keys": account.api_keys.all(), "form": form}
    return render(request, "portal/keys.html", context, status=400 if form.errors else 200)


@portal_page
@require_http_methods(["GET", "POST"])
def revoke_key(request: HttpRequest, account: Account, key_id: int) -> HttpResponse:
    api_key = get_object_or_404(ApiKey, pk=key_id, account=account, revoked_at=None)
    if request.method == "GET":
        return render(request, "portal/key_revoke.html", {"account": account, "api_key": api_key})
    services.revoke_key(api_key=api_key)
    messages.success(request, f"Revoked {api_key.prefix}. It is refused from its next request.")
    return redirect("portal-keys")


@portal_page
@require_http_methods(["GET", "POST"])
def rotate_key(request: HttpRequest, account: Account, key_id: int) -> HttpResponse:
    api_key = get_object_or_404(
        ApiKey, pk=key_id, account=account, revoked_at=None, expires_at=None
    )
    form = RotateKeyForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        context = {"account": account, "api_key": api_key, "form": form}
        return render(request, "portal/key_rotate.html", context)
    try:
        new_key, plaintext = services.rotate_key(
            account=account, api_key_id=api_key.pk, grace=form.grace_period
        )
    except services.KeyUnavailable:
        messages.error(request, "That key is already revoked or being rotated out.")
        return redirect("portal-keys")
    api_key.refresh_from_db()
    context = {"account": account, "api_key": new_key, "plaintext": plaintext, "old": api_key}
    return render(request, "portal/key_created.html", context)


@portal_page
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, account: Account) -> HttpResponse:
    form = PlanChangeForm(request.POST or None, current=account.tier)
    pending = account.plan_change_requests.filter(status="pending").first()
    if request.method == "POST" and form.is_valid() and pending is None:
        try:
            services.request_plan_change(
                account=account,
                tier=form.cleaned_data["tier"],
                message=form.cleaned_data["message"],
            )
        except services.DuplicatePlanChange:
            pass
        else:
            messages.success(request, "Request sent. We will email you when staff decide.")
        return redirect("portal-plan")
    context = {
        "account": account,
        "form": form,
        "pending": pending,
        "tiers": Tier.objects.all(),
        "history": account.plan_change_requests.select_related("requested_tier")[:10],
    }
    return render(request, "portal/plan.html", context, status=400 if form.errors else 200)


# Bulk jobs: the same rows, file and cancel the jobs API serves, for the signed-in account.

JOB_KINDS = {
    Job.Kind.FEEDBACK: ("Feedback", "entries"),
    Job.Kind.TICKETS: ("Tickets", "tickets"),
    Job.Kind.INTERVIEWS: ("Interviews", "interviews"),
    Job.Kind.DATASET: ("Dataset", "customers"),
}


def _job_row(job: Job) -> dict[str, object]:
    label, unit = JOB_KINDS.get(Job.Kind(job.kind), (job.kind, "entries"))
    return {
        "job": job,
        "label": label,
        "unit": unit,
        "has_file": bool(job.file) and job.expired_at is None,
        "can_cancel": not job.is_finished,
        "expires_at": job.finished_at + jobs_service.FILE_LIFETIME if job.finished_at else None,
    }


def _own_job(account: Account, job_id: str) -> Job:
    # Another account's job is indistinguishable from one that does not exist, as in the API.
    try:
        return Job.objects.get(pk=job_id, account=account)
    except (Job.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such job") from None


@portal_page
def job_list(request: HttpRequest, account: Account) -> HttpResponse:
    own = Job.objects.filter(account=account).order_by("-created_at", "-pk")
    page = Paginator(own, JOBS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"account": account, "page": page, "rows": [_job_row(job) for job in page]}
    return render(request, "portal/jobs.html", context)


@portal_page
def job_detail(request: HttpRequest, account: Account, job_id: str) -> HttpResponse:
    job = _own_job(account, job_id)
    summary = json.dumps(job.summary, indent=2, ensure_ascii=False) if job.summary else ""
    context = {"account": account, "row": _job_row(job), "job": job, "summary_json": summary}
    return render(request, "portal/job.html", context)


@portal_page
@require_POST
def cancel_job(request: HttpRequest, account: Account, job_id: str) -> HttpResponse:
    job = _own_job(account, job_id)
    was_finished = job.is_finished  # cancelling again answers the cancelled job, as in the API
    job = jobs_service.cancel_job(job=job)
    if not was_finished and job.status == Job.Status.CANCELLED:
        refunded = f"{job.refunded} credit{'' if job.refunded == 1 else 's'}"
        messages.success(request, f"Cancelled the job; {refunded} refunded to your balance.")
    else:
        messages.error(
            request, f"That job had already finished ({job.status}), so nothing was cancelled."
        )
    return redirect("portal-job", job_id=job.pk)


@portal_page
def download_job(request: HttpRequest, account: Account, job_id: str) -> FileResponse:
    job = _own_job(account, job_id)
    if not job.file or job.expired_at:
        raise Http404("The job has no file")
    try:
        source = default_storage.open(job.file, "rb")
    except FileNotFoundError:
        raise Http404("The job's file has expired") from None
    response = FileResponse(
        source,
        as_attachment=True,
        filename=jobs_service.export_filename(job),
        content_type=jobs_service.content_type(job),
    )
    response.block_size = 64 * 1024
    return response
