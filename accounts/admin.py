"""Staff tools: review access requests, manage accounts and keys."""

from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils.text import Truncator

from accounts import key_cache, services
from accounts.forms import ApproveForm, RejectForm
from accounts.models import AccessRequest, Account, ApiKey, PlanChangeRequest
from billing import services as billing_services
from billing.admin import RecentCreditEntriesInline
from billing.forms import CreditMovementForm, TierChangeForm
from billing.models import CreditEntry, DailyUsage
from synthgen.admin import confirmation_page

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class RequestsToday(TypedDict):
    requests_today: int


def _staff(request: HttpRequest) -> User:
    """The staff member acting: only signed-in staff reach the admin's actions."""
    return cast(User, request.user)


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "company",
        "requested_tier",
        "status",
        "created_at",
        "submissions",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "requested_tier", "created_at"]
    search_fields = ["email", "name", "company"]
    date_hierarchy = "created_at"
    actions = ["approve", "reject", "send_fresh_link"]
    readonly_fields = [
        "status",
        "created_at",
        "submissions",
        "last_submitted_at",
        "ip_address",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "account",
    ]
    fields = ["name", "email", "company", "use_case", "requested_tier", *readonly_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Approve selected requests…")
    def approve(
        self, request: HttpRequest, queryset: "QuerySet[AccessRequest]"
    ) -> HttpResponse | None:
        def approve_one(access_request: AccessRequest, data: dict) -> str:
            services.approve_access_request(
                access_request_id=access_request.pk, staff=_staff(request), tier=data["tier"]
            )
            return f"Approved on {data['tier']}"

        return self._decide(
            request,
            queryset,
            action="approve",
            title="Approve access requests",
            form_class=ApproveForm,
            decide=approve_one,
            submit_label="Approve and email the key link",
            done="Approved {} request(s); key links emailed.",
        )

    @admin.action(description="Reject selected requests…")
    def reject(
        self, request: HttpRequest, queryset: "QuerySet[AccessRequest]"
    ) -> HttpResponse | None:
        def reject_one(access_request: AccessRequest, data: dict) -> str:
            services.reject_access_request(
                access_request_id=access_request.pk, staff=_staff(request), reason=data["reason"]
            )
            return f"Rejected: {data['reason']}"

        return self._decide(
            request,
            queryset,
            action="reject",
            title="Reject access requests",
            form_class=RejectForm,
            decide=reject_one,
            submit_label="Reject and email the reason",
            done="Rejected {} request(s); applicants emailed.",
        )

    def _decide(
        self,
        request: HttpRequest,
        queryset: "QuerySet[AccessRequest]",
        *,
        action: str,
        title: str,
        form_class: type[forms.Form],
        decide: Callable[[AccessRequest, dict], str],
        submit_label: str,
        done: str,
    ) -> HttpResponse | None:
        """Confirm on an intermediate page, then decide each pending request and log it."""
        pending = queryset.filter(status=AccessRequest.Status.PENDING)
        first = pending.first()
        if first is None:
            self.message_user(request, "None of those requests is pending.", messages.WARNING)
            return None
        form = form_class(
            request.POST if "apply" in request.POST else None,
            initial={"tier": first.requested_tier},
        )
        if not form.is_valid():
            return confirmation_page(
                request,
                pending,
                action=action,
                title=title,
                form=form,
                submit_label=submit_label,
                describe=lambda r: (
                    f"{r.name} <{r.email}> asked for {r.requested_tier}: "
                    f"“{Truncator(r.use_case).words(30)}”"
                ),
            )
        for access_request in pending:
            self.log_change(request, access_request, decide(access_request, form.cleaned_data))
        self.message_user(request, done.format(len(pending)))
        return None

    @admin.action(description="Send a fresh key link (kills the old one)")
    def send_fresh_link(self, request: HttpRequest, queryset: "QuerySet[AccessRequest]") -> None:
        approved = queryset.filter(status=AccessRequest.Status.APPROVED, account__isnull=False)
        for access_request in approved:
            services.send_fresh_reveal_link(access_request=access_request)
            self.log_change(request, access_request, "Sent a fresh key link")
        self.message_user(request, f"Sent {len(approved)} fresh link(s).")


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fields = readonly_fields = (
        "prefix",
        "name",
        "created_at",
        "last_used_at",
        "revoked_at",
        "expires_at",
    )
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "account", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["lookup_id", "account__email", "name"]
    fields = readonly_fields = (
        "prefix",
        "account",
        "name",
        "created_at",
        "last_used_at",
        "revoked_at",
        "expires_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # A deleted key must be refused on its next request, like a revoked one.
    def delete_model(self, request: HttpRequest, obj: ApiKey) -> None:
        key_cache.forget_keys([obj.lookup_id])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: "QuerySet[ApiKey]") -> None:
        key_cache.forget_keys(queryset.values_list("lookup_id", flat=True))
        super().delete_queryset(request, queryset)

    @admin.action(description="Revoke selected keys now")
    def revoke(self, request: HttpRequest, queryset: "QuerySet[ApiKey]") -> None:
        for api_key in queryset.filter(revoked_at=None):
            services.revoke_key(api_key=api_key)
            self.log_change(request, api_key, "Revoked")
        self.message_user(request, "Revoked; the keys are refused on their next request.")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "name",
        "tier",
        "balance",
        "requests_today",
        "is_suspended",
        "created_at",
    ]
    list_filter = ["tier", "is_suspended"]
    list_select_related = ["tier"]
    search_fields = ["email", "name"]
    readonly_fields = ["balance", "owner", "created_at"]
    inlines = [ApiKeyInline, RecentCreditEntriesInline]
    actions = ["move_credits", "change_tier", "suspend", "unsuspend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts come from approval or `create_account`, which grant credits and a key.
        return False

    def get_queryset(self, request: HttpRequest) -> "QuerySet[Account]":
        today = DailyUsage.objects.filter(account=OuterRef("pk"), day=billing_services.utc_today())
        return (
            super()
            .get_queryset(request)
            .annotate(requests_today=Coalesce(Subquery(today.values("requests")[:1]), 0))
        )

    @admin.display(description="Requests today", ordering="requests_today")
    def requests_today(self, account: "WithAnnotations[Account, RequestsToday]") -> int:
        return account.requests_today

    @admin.action(description="Grant or adjust credits…")
    def move_credits(
        self, request: HttpRequest, queryset: "QuerySet[Account]"
    ) -> HttpResponse | None:
        form = CreditMovementForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return confirmation_page(
                request,
                queryset.select_related("tier"),
                action="move_credits",
                title="Grant or adjust credits",
                form=form,
                submit_label="Record in the ledger",
                describe=lambda a: f"{a.email} on {a.tier}, {a.balance:,} credits",
            )
        kind, amount, reason = (form.cleaned_data[f] for f in ("kind", "amount", "reason"))
        is_grant = kind == CreditEntry.Kind.GRANT
        move = billing_services.grant_credits if is_grant else billing_services.adjust_credits
        moved = 0
        for account in queryset:
            try:
                move(account=account, amount=amount, reason=reason, staff=_staff(request))
            except billing_services.InsufficientCredits as exc:
                message = f"{account}: not changed, only {exc.remaining} credits left."
                self.message_user(request, message, messages.ERROR)
                continue
            moved += 1
            self.log_change(request, account, f"{kind} {amount:+d} credits: {reason}")
        if moved:
            self.message_user(
                request, f"Recorded a {kind} of {amount:+d} credits on {moved} account(s)."
            )
        return None

    @admin.action(description="Change plan…")
    def change_tier(
        self, request: HttpRequest, queryset: "QuerySet[Account]"
    ) -> HttpResponse | None:
        form = TierChangeForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return confirmation_page(
                request,
                queryset.select_related("tier"),
                action="change_tier",
                title="Change plan",
                form=form,
                submit_label="Change plan",
                describe=lambda a: f"{a.email} on {a.tier}, {a.balance:,} credits",
            )
        tier = form.cleaned_data["tier"]
        for account in queryset:
            billing_services.change_tier(account=account, tier=tier)
            self.log_change(request, account, f"Moved to {tier}")
        self.message_user(request, f"Moved {len(queryset)} account(s) to {tier}.")
        return None

    @admin.action(description="Suspend selected accounts")
    def suspend(self, request: HttpRequest, queryset: "QuerySet[Account]") -> None:
        self._set_suspended(request, queryset, suspended=True)

    @admin.action(description="Unsuspend selected accounts")
    def unsuspend(self, request: HttpRequest, queryset: "QuerySet[Account]") -> None:
        self._set_suspended(request, queryset, suspended=False)

    def _set_suspended(
        self, request: HttpRequest, queryset: "QuerySet[Account]", *, suspended: bool
    ) -> None:
        changed = [
            account
            for account in queryset
            if services.set_suspended(account=account, suspended=suspended)
        ]
        verb = "Suspended" if suspended else "Unsuspended"
        for account in changed:
            self.log_change(request, account, verb)
        self.message_user(request, f"{verb} {len(changed)} account(s).")


@admin.register(PlanChangeRequest)
class PlanChangeRequestAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "current_tier",
        "requested_tier",
        "status",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "requested_tier", "created_at"]
    search_fields = ["account__email", "account__name"]
    date_hierarchy = "created_at"
    actions = ["approve", "reject"]
    fields = readonly_fields = (
        "account",
        "current_tier",
        "requested_tier",
        "message",
        "status",
        "created_at",
        "decided_by",
        "decided_at",
        "decision_note",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Approve: move the accounts to the requested plans")
    def approve(self, request: HttpRequest, queryset: "QuerySet[PlanChangeRequest]") -> None:
        pending = list(queryset.filter(status=PlanChangeRequest.Status.PENDING))
        for plan_change in pending:
            services.decide_plan_change(
                plan_change_id=plan_change.pk, staff=_staff(request), approve=True
            )
            self.log_change(request, plan_change, f"Approved: now on {plan_change.requested_tier}")
        self.message_user(
            request,
            f"Approved {len(pending)} plan change(s); consumers emailed. Credits are not "
            "changed: grant any difference from the account page.",
        )

    @admin.action(description="Reject selected plan changes…")
    def reject(
        self, request: HttpRequest, queryset: "QuerySet[PlanChangeRequest]"
    ) -> HttpResponse | None:
        pending = queryset.filter(status=PlanChangeRequest.Status.PENDING)
        if not pending.exists():
            self.message_user(request, "None of those requests is pending.", messages.WARNING)
            return None
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return confirmation_page(
                request,
                pending.select_related("account", "current_tier", "requested_tier"),
                action="reject",
                title="Reject plan changes",
                form=form,
                submit_label="Reject and email the reason",
                describe=lambda c: (
                    f"{c.account.email}: {c.current_tier} → {c.requested_tier}"
                    + (f": “{Truncator(c.message).words(30)}”" if c.message else "")
                ),
            )
        for plan_change in pending:
            services.decide_plan_change(
                plan_change_id=plan_change.pk,
                staff=_staff(request),
                approve=False,
                note=form.cleaned_data["reason"],
            )
            self.log_change(request, plan_change, f"Rejected: {form.cleaned_data['reason']}")
        self.message_user(request, f"Rejected {len(pending)} plan change(s); consumers emailed.")
        return None
