"""What a metered request would cost and whether it would pass, without charging or counting it:
the dry run of `services.charge_request`, which it mirrors check for check and in its order."""

from dataclasses import dataclass

from accounts.models import Account
from billing import services
from billing.services import DailyLimitReached, InsufficientCredits, Quota


@dataclass(frozen=True)
class Estimate:
    credits: int
    balance: int
    quota: Quota
    # What charge_request would raise, the daily limit first, as it checks it first.
    refusal: DailyLimitReached | InsufficientCredits | None

    @property
    def within_daily_limit(self) -> bool:
        return self.quota.limit is None or self.quota.used < self.quota.limit

    @property
    def sufficient_credits(self) -> bool:
        return self.balance >= self.credits


def estimate_charge(*, account: Account, credits: int) -> Estimate:
    """Where the account stands for a request of `credits`; reads only, writes nothing."""
    balance = Account.objects.values_list("balance", flat=True).get(pk=account.pk)
    quota = services.quota(account=account)
    refusal: DailyLimitReached | InsufficientCredits | None = None
    if quota.limit is not None and quota.used >= quota.limit:
        refusal = DailyLimitReached(limit=quota.limit, retry_after=quota.seconds_to_reset)
    elif balance < credits:
        refusal = InsufficientCredits(required=credits, remaining=balance)
    return Estimate(credits=credits, balance=balance, quota=quota, refusal=refusal)
