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

    @property
    def within_daily_limit(self) -> bool:
        return self.quota.limit is None or self.quota.used < self.quota.limit

    @property
    def sufficient_credits(self) -> bool:
        return self.balance >= self.credits

    @property
    def refusal(self) -> DailyLimitReached | InsufficientCredits | None:
        """What charge_request would raise: the daily limit first, as it checks it first."""
        if self.quota.limit is not None and not self.within_daily_limit:
            return DailyLimitReached(
                limit=self.quota.limit, retry_after=self.quota.seconds_to_reset
            )
        if not self.sufficient_credits:
            return InsufficientCredits(required=self.credits, remaining=self.balance)
        return None


def estimate_charge(*, account: Account, credits: int) -> Estimate:
    """Where the account stands for a request of `credits`; reads only, writes nothing."""
    balance = Account.objects.values_list("balance", flat=True).get(pk=account.pk)
    return Estimate(credits=credits, balance=balance, quota=services.quota(account=account))
