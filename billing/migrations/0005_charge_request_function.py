"""The charge of one metered request as one server-side function on PostgreSQL (issue 11), so
billing.services.charge_request costs one round trip: today's count, the debit, its ledger entry
and the in-flight usage record, all or nothing; and its answer as another. SQLite runs the same
steps in Python, in one transaction; this migration does nothing there.

Locks are taken as everywhere else in billing: the day's usage row, then the account row. A
request refused for the daily limit changes nothing; one refused for lack of credits takes its
count back before it returns, in the same transaction, so it changes nothing either. The ledger's
constraints (one debit per request id, no balance below zero) hold as for any other write.

Unless `p_durable`, the transaction they run in commits without waiting for the disk
(synchronous_commit off, for that transaction only): see billing.services.charge_request.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION billing_charge_request(
    p_account bigint, p_day date, p_limit integer, p_credits integer, p_endpoint text,
    p_reason text, p_request_id text, p_api_key bigint, p_units integer, p_now timestamptz,
    p_durable boolean
) RETURNS TABLE (
    outcome text, day_requests integer, new_balance integer, low_threshold integer,
    usage_record_id bigint
) LANGUAGE plpgsql AS $$
DECLARE
    v_requests integer;
    v_created boolean;
    v_balance integer;
    v_low integer;
    v_usage bigint;
BEGIN
    IF NOT p_durable THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    INSERT INTO billing_dailyusage AS u (account_id, day, requests, credits)
    VALUES (p_account, p_day, 1, p_credits)
    ON CONFLICT (account_id, day) DO UPDATE
        SET requests = u.requests + 1, credits = u.credits + EXCLUDED.credits
        WHERE p_limit IS NULL OR u.requests < p_limit
    RETURNING u.requests, u.xmax = 0 INTO v_requests, v_created;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'daily_limit'::text, NULL::integer, NULL::integer, NULL::integer,
            NULL::bigint;
        RETURN;
    END IF;

    UPDATE accounts_account AS a SET balance = a.balance - p_credits
    WHERE a.id = p_account AND a.balance >= p_credits
    RETURNING a.balance, a.low_credit_threshold INTO v_balance, v_low;
    IF NOT FOUND THEN
        IF v_created THEN
            DELETE FROM billing_dailyusage AS u WHERE u.account_id = p_account AND u.day = p_day;
        ELSE
            UPDATE billing_dailyusage AS u
            SET requests = u.requests - 1, credits = u.credits - p_credits
            WHERE u.account_id = p_account AND u.day = p_day;
        END IF;
        RETURN QUERY SELECT 'insufficient_credits'::text, NULL::integer, a.balance, NULL::integer,
            NULL::bigint
        FROM accounts_account AS a WHERE a.id = p_account;
        RETURN;
    END IF;

    INSERT INTO billing_creditentry (
        account_id, amount, kind, reason, balance_after, endpoint, request_id, period, created_at
    ) VALUES (
        p_account, -p_credits, 'debit', p_reason, v_balance, p_endpoint, p_request_id, '', p_now
    );
    INSERT INTO billing_usagerecord (
        account_id, api_key_id, endpoint, units, credits, status, duration_ms, request_id,
        created_at
    ) VALUES (
        p_account, p_api_key, p_endpoint, p_units, p_credits, 200, 0, p_request_id, p_now
    ) RETURNING id INTO v_usage;
    RETURN QUERY SELECT 'charged'::text, v_requests, v_balance, v_low, v_usage;
END;
$$;

CREATE OR REPLACE FUNCTION billing_answer_request(
    p_usage bigint, p_status integer, p_duration_ms integer, p_now timestamptz, p_durable boolean
) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF NOT p_durable THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    UPDATE billing_usagerecord AS r
    SET status = p_status, duration_ms = p_duration_ms, answered_at = p_now
    WHERE r.id = p_usage AND r.answered_at IS NULL;
    RETURN FOUND;
END;
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS billing_charge_request(
    bigint, date, integer, integer, text, text, text, bigint, integer, timestamptz, boolean
);
DROP FUNCTION IF EXISTS billing_answer_request(bigint, integer, integer, timestamptz, boolean);
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_access_request_submissions"),
        ("billing", "0004_charges_in_flight"),
    ]

    operations = [migrations.RunPython(create_function, drop_function)]
