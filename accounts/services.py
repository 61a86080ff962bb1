"""What happens to access requests, accounts and keys. Each write owns its transaction, and
emails leave only after it commits."""

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, cast

from cryptography.fernet import Fernet, InvalidToken
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, Q
from django.db.models.expressions import Col
from django.utils import timezone

from accounts import key_cache, keys, tasks
from accounts.models import (
    AccessRequest,
    Account,
    ApiKey,
    KeyRevealLink,
    PlanChangeRequest,
    SignInLink,
)
from accounts.webhooks import events as webhook_events
from billing.models import Tier
from billing.services import grant_credits

REVEAL_LINK_LIFETIME = dt.timedelta(hours=72)
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class RevealUnavailable(Exception):
    """The reveal link was used, replaced or has expired."""


def submit_access_request(
    *,
    name: str,
    email: str,
    company: str,
    use_case: str,
    tier: Tier,
    ip_address: str | None,
) -> AccessRequest | None:
    """Store the request and queue its confirmation; None when the address already has one
    waiting, which then counts one more submission and is told (that address alone) that it
    still waits.

    Both paths do the same work (one look-up, one write, one commit, one queued email), so the
    form answers the same in the same time and nobody can tell from it who has applied."""
    application = {"name": name, "email": email, "company": company, "use_case": use_case}
    try:
        return _file_access_request(**application, tier=tier, ip_address=ip_address)
    except IntegrityError:
        # Another submission filed this address between our look-up and our insert.
        return _file_access_request(**application, tier=tier, ip_address=ip_address)


@transaction.atomic
def _file_access_request(*, email: str, tier: Tier, **fields: Any) -> AccessRequest | None:
    waiting = AccessRequest.objects.filter(email__iexact=email, status=AccessRequest.Status.PENDING)
    waiting_id = waiting.values_list("pk", flat=True).first()
    if waiting_id is not None:
        AccessRequest.objects.filter(pk=waiting_id).update(
            submissions=F("submissions") + 1, last_submitted_at=timezone.now()
        )
        transaction.on_commit(lambda: tasks.send_request_still_pending.delay(email))
        return None
    access_request = AccessRequest.objects.create(email=email, requested_tier=tier, **fields)
    transaction.on_commit(lambda: tasks.send_request_received.delay(access_request.pk))
    return access_request


def _get_or_create_account(*, email: str, name: str, tier: Tier) -> tuple[Account, bool]:
    account = Account.objects.filter(email__iexact=email).first()
    if account:
        return account, False
    User = get_user_model()
    owner, _ = User.objects.get_or_create(username=email.lower(), defaults={"email": email})
    if not owner.has_usable_password():
        owner.set_unusable_password()
        owner.save(update_fields=["password"])
    return Account.objects.create(name=name, email=email.lower(), owner=owner, tier=tier), True


def create_account(
    *, email: str, tier: Tier, name: str = "", credits: int | None = None
) -> tuple[Account, str]:
    """Create (or reuse) an account with a new key; returns the key's plaintext once."""
    with transaction.atomic():
        account, created = _get_or_create_account(email=email, name=name or email, tier=tier)
        amount = tier.starting_credits if credits is None else credits
        if created and amount > 0:
            grant_credits(account=account, amount=amount, reason=f"Starting credits ({tier})")
        _, plaintext = issue_key(account=account, name="Default key")
    account.refresh_from_db(fields=["balance"])  # the grant updated the row, not this object
    return account, plaintext


def approve_access_request(
    *, access_request_id: int, staff: User, tier: Tier | None = None
) -> AccessRequest:
    """Approve once: the row is re-read under a lock, so double clicks and two staff at
    once create one account, one grant and one key."""
    with transaction.atomic():
        access_request = AccessRequest.objects.select_for_update().get(pk=access_request_id)
        if access_request.status != AccessRequest.Status.PENDING:
            return access_request
        tier = tier or access_request.requested_tier
        account, created = _get_or_create_account(
            email=access_request.email, name=access_request.name, tier=tier
        )
        if created and tier.starting_credits > 0:
            grant_credits(
                account=account,
                amount=tier.starting_credits,
                reason=f"Starting credits ({tier})",
                staff=staff,
            )
        api_key, plaintext = issue_key(account=account, name="Default key")
        token = _create_reveal_link(api_key=api_key, plaintext=plaintext)
        access_request.status = AccessRequest.Status.APPROVED
        access_request.account = account
        access_request.decided_by = staff
        access_request.decided_at = timezone.now()
        access_request.save()
        transaction.on_commit(lambda: _queue_approval_email(access_request.pk, token))
    return access_request


def reject_access_request(*, access_request_id: int, staff: User, reason: str) -> AccessRequest:
    with transaction.atomic():
        access_request = AccessRequest.objects.select_for_update().get(pk=access_request_id)
        if access_request.status != AccessRequest.Status.PENDING:
            return access_request
        access_request.status = AccessRequest.Status.REJECTED
        access_request.rejection_reason = reason
        access_request.decided_by = staff
        access_request.decided_at = timezone.now()
        access_request.save()
        transaction.on_commit(lambda: tasks.send_rejection.delay(access_request.pk))
    return access_request


def _queue_approval_email(access_request_id: int, token: str) -> None:
    # argsrepr: the token stays out of what the worker logs and reports about the task.
    tasks.send_approval.apply_async(  # type: ignore[call-arg]  # a Celery option the stubs lack
        (access_request_id, token), argsrepr=f"({access_request_id}, '[token]')"
    )


def issue_key(*, account: Account, name: str) -> tuple[ApiKey, str]:
    new = keys.make_key()
    api_key = ApiKey.objects.create(
        account=account, name=name, lookup_id=new.lookup_id, secret_hash=new.secret_hash
    )
    return api_key, new.plaintext


def revoke_key(*, api_key: ApiKey) -> None:
    if ApiKey.objects.filter(pk=api_key.pk, revoked_at=None).update(revoked_at=timezone.now()):
        key_cache.forget_keys([api_key.lookup_id])
        webhook_events.key_revoked(api_key_id=api_key.pk)


def set_low_credit_threshold(*, account: Account, threshold: int | None) -> Account:
    """Where the credits.low webhook fires: when a debit takes the balance below it."""
    Account.objects.filter(pk=account.pk).update(low_credit_threshold=threshold)
    key_cache.forget_account_keys(account_ids=[account.pk])
    account.low_credit_threshold = threshold
    return account


def set_suspended(*, account: Account, suspended: bool) -> bool:
    """Suspend an account (its keys answer 403 from the next request) or restore it.

    False when it already was in that state.
    """
    changed = Account.objects.filter(pk=account.pk).exclude(is_suspended=suspended)
    if not changed.update(is_suspended=suspended):
        return False
    key_cache.forget_account_keys(account_ids=[account.pk])
    return True


def authenticate_key(plaintext: str) -> ApiKey | None:
    """The key this plaintext proves, or None; constant-time compare. No query while the key
    is cached (accounts.key_cache), else one indexed query, and at most about once a minute a
    write of `last_used_at`."""
    parsed = keys.parse_key(plaintext)
    if parsed is None:
        return None
    api_key = key_cache.cached_key(parsed.lookup_id)
    from_database = api_key is None
    if api_key is None:
        api_key = read_key(parsed.lookup_id)
    if api_key is None or not keys.secret_matches(parsed.secret, api_key.secret_hash):
        return None
    now = timezone.now()
    if api_key.revoked_at or (api_key.expires_at and api_key.expires_at <= now):
        return None
    if from_database:
        _touch(api_key, now)
        key_cache.remember_key(api_key)
    return api_key


KEY_MODELS = (ApiKey, Account, Tier)


def read_key(lookup_id: str) -> ApiKey | None:
    """The key with this lookup id, with its account and plan: what
    `ApiKey.objects.select_related("account__tier").filter(lookup_id=...).first()` reads, in the
    same one query, without building that query anew each time. Where no cache holds keys (the
    embedded default) every request reads its key, and building the query took about 1 ms of
    CPU, a fifth of the request's outside generation."""
    sql, converters = _key_query(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [lookup_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, convert, column in converters:
        values[index] = convert(values[index], column, connection)
    rest = iter(values)
    api_key, account, tier = (_instance(model, rest) for model in KEY_MODELS)
    account.tier = tier  # type: ignore[attr-defined]
    api_key.account = account  # type: ignore[attr-defined]
    return cast(ApiKey, api_key)


Converter = Callable[[Any, Any, Any], Any]


@cache
def _key_query(alias: str) -> tuple[str, list[tuple[int, Converter, Col]]]:
    """read_key's SQL, and the ORM's converters for its columns (SQLite's datetimes parsed and
    made aware, say). They depend only on the backend and the settings, so they are looked up
    once per database alias."""
    quote, selected, converters = connection.ops.quote_name, [], []
    fields = [(table, field) for table, model in zip("kat", KEY_MODELS, strict=True)
              for field in model._meta.concrete_fields]  # fmt: skip
    for index, (table, field) in enumerate(fields):
        selected.append(f"{table}.{quote(cast(str, field.column))}")
        column = field.get_col(table)
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(
            connection
        ):
            converters.append((index, convert, column))
    sql = (
        f"SELECT {', '.join(selected)} FROM {quote(ApiKey._meta.db_table)} k "
        f"JOIN {quote(Account._meta.db_table)} a ON a.id = k.account_id "
        f"JOIN {quote(Tier._meta.db_table)} t ON t.id = a.tier_id WHERE k.lookup_id = %s"
    )
    return sql, converters


def _instance(model: type[Model], values: Iterator[Any]) -> Model:
    """A model instance from the next of `values`, one per concrete field, as a query makes it."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias, [field.attname for field in fields], [next(values) for _ in fields]
    )


def _touch(api_key: ApiKey, now: dt.datetime) -> None:
    """Record use at most about once a minute per key, not as a write on every request: only
    when the key as just read is due, and then only if no other worker recorded it since."""
    cutoff = now - LAST_USED_RESOLUTION
    if api_key.last_used_at and api_key.last_used_at > cutoff:
        return
    due = Q(last_used_at=None) | Q(last_used_at__lte=cutoff)
    ApiKey.objects.filter(due, pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now


def _fernet(token: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"reveal:{token}".encode()).digest()))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _create_reveal_link(*, api_key: ApiKey, plaintext: str) -> str:
    token = secrets.token_urlsafe(32)
    KeyRevealLink.objects.create(
        api_key=api_key,
        token_hash=_hash_token(token),
        sealed_key=_fernet(token).encrypt(plaintext.encode()).decode(),
        expires_at=timezone.now() + REVEAL_LINK_LIFETIME,
    )
    return token


def find_reveal_link(token: str) -> KeyRevealLink | None:
    """The link if it can still reveal its key."""
    link = KeyRevealLink.objects.filter(token_hash=_hash_token(token)).first()
    return link if link and link.is_usable(timezone.now()) else None


def reveal_key(*, token: str) -> tuple[ApiKey, str]:
    """Open the sealed key once: the ciphertext is wiped in the same transaction."""
    with transaction.atomic():
        link = (
            KeyRevealLink.objects.select_for_update()
            .select_related("api_key__account")
            .filter(token_hash=_hash_token(token))
            .first()
        )
        now = timezone.now()
        if link is None or not link.is_usable(now):
            raise RevealUnavailable
        try:
            plaintext = _fernet(token).decrypt(link.sealed_key.encode()).decode()
        except InvalidToken:
            raise RevealUnavailable from None
        link.sealed_key = ""
        link.used_at = now
        link.save(update_fields=["sealed_key", "used_at"])
    return link.api_key, plaintext


def send_fresh_reveal_link(*, access_request: AccessRequest) -> None:
    """Staff re-send: the old links die and a new key replaces the unrevealed one.

    The old key's plaintext was sealed under the old token only, so it cannot be re-sent;
    a key that was never revealed is revoked, since nobody can hold it.
    """
    if access_request.account_id is None:
        raise ValueError("only an approved request has an account to send a key to")
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=access_request.account_id)
        links = KeyRevealLink.objects.filter(api_key__account=account, sealed_key__gt="")
        for link in links.select_related("api_key"):
            if link.used_at is None:
                revoke_key(api_key=link.api_key)
        links.update(sealed_key="", expires_at=timezone.now())
        api_key, plaintext = issue_key(account=account, name="Default key")
        token = _create_reveal_link(api_key=api_key, plaintext=plaintext)
        transaction.on_commit(lambda: _queue_approval_email(access_request.pk, token))


SIGN_IN_LINK_LIFETIME = dt.timedelta(minutes=15)


class SignInUnavailable(Exception):
    """The sign-in link was used or has expired, or never existed."""


class KeyUnavailable(Exception):
    """The key is revoked, expired or already being rotated out."""


class DuplicatePlanChange(Exception):
    """This account already has a plan change waiting for a decision."""


def request_sign_in_link(*, email: str) -> None:
    """Queue a sign-in email for whatever address was typed. The task finds out whether it
    has an account, so the form does the same work, in the same time, either way, and
    answers the same: nobody can tell from it who has an account."""
    tasks.send_sign_in_link.delay(email.strip())


def create_sign_in_link(*, email: str) -> tuple[Account, str] | None:
    """A new link for the account with this email, and its token; None when there is none."""
    account = Account.objects.filter(email__iexact=email).first()
    if account is None:
        return None
    token = secrets.token_urlsafe(32)
    SignInLink.objects.create(
        account=account,
        token_hash=_hash_token(token),
        expires_at=timezone.now() + SIGN_IN_LINK_LIFETIME,
    )
    return account, token


def find_sign_in_link(token: str) -> SignInLink | None:
    """The link if it can still sign someone in."""
    link = SignInLink.objects.filter(token_hash=_hash_token(token)).first()
    return link if link and link.is_usable(timezone.now()) else None


def use_sign_in_link(*, token: str) -> User:
    """Spend the link (once, under a row lock) and return the user to log in."""
    with transaction.atomic():
        link = (
            SignInLink.objects.select_for_update(of=("self",))
            .select_related("account__owner")
            .filter(token_hash=_hash_token(token))
            .first()
        )
        now = timezone.now()
        if link is None or not link.is_usable(now):
            raise SignInUnavailable
        link.used_at = now
        link.save(update_fields=["used_at"])
        account = link.account
        if account.owner is None:
            User = get_user_model()
            account.owner = User.objects.create_user(username=account.email, email=account.email)
            account.save(update_fields=["owner"])
    return account.owner


def rotate_key(*, account: Account, api_key_id: int, grace: dt.timedelta) -> tuple[ApiKey, str]:
    """A new key now; the old one keeps working for `grace`, then authenticate_key refuses it."""
    with transaction.atomic():
        old = ApiKey.objects.select_for_update().filter(pk=api_key_id, account=account).first()
        if old is None or old.revoked_at or old.expires_at:
            raise KeyUnavailable
        now = timezone.now()
        if grace:
            old.expires_at = now + grace
        else:
            old.revoked_at = now
            webhook_events.key_revoked(api_key_id=old.pk)
        old.save(update_fields=["expires_at", "revoked_at"])
        key_cache.forget_keys([old.lookup_id])
        return issue_key(account=account, name=old.name)


def request_plan_change(*, account: Account, tier: Tier, message: str) -> PlanChangeRequest:
    try:
        with transaction.atomic():
            plan_change = PlanChangeRequest.objects.create(
                account=account, current_tier=account.tier, requested_tier=tier, message=message
            )
    except IntegrityError:
        raise DuplicatePlanChange from None
    transaction.on_commit(lambda: tasks.send_plan_change_to_staff.delay(plan_change.pk))
    return plan_change


def decide_plan_change(
    *, plan_change_id: int, staff: User, approve: bool, note: str = ""
) -> PlanChangeRequest:
    """Decide once, under a row lock; approval moves the account to the requested plan."""
    with transaction.atomic():
        plan_change = PlanChangeRequest.objects.select_for_update().get(pk=plan_change_id)
        if plan_change.status != PlanChangeRequest.Status.PENDING:
            return plan_change
        if approve:
            Account.objects.filter(pk=plan_change.account_id).update(
                tier=plan_change.requested_tier_id
            )
            key_cache.forget_account_keys(account_ids=[plan_change.account_id])
        plan_change.status = (
            PlanChangeRequest.Status.APPROVED if approve else PlanChangeRequest.Status.REJECTED
        )
        plan_change.decided_by = staff
        plan_change.decided_at = timezone.now()
        plan_change.decision_note = note
        plan_change.save()
        transaction.on_commit(lambda: tasks.send_plan_change_decision.delay(plan_change.pk))
    return plan_change
