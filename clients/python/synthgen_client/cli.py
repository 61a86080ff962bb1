"""`synthgen`: the command-line client of the SynthGen API, built on `SynthGen`."""

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

from synthgen_client.client import DEFAULT_URL, SynthGen, __version__
from synthgen_client.errors import (
    InsufficientCreditsError,
    RateLimitError,
    SynthGenConnectionError,
    SynthGenError,
    UnauthorizedError,
)
from synthgen_client.types import DryRunAnswer, Job

USER_AGENT = f"synthgen-cli/{__version__}"
POLL_SECONDS = 0.5
# Waits the CLI sits out quietly (a busy Idempotency-Key, a moment's outage); a longer
# Retry-After (a burst or daily limit) is said at once, with when to try again.
MAX_RETRY_WAIT = 5
COMPLEXITY = ("simple", "medium", "complex")
PRODUCT_HELP = "mobile_app, web_app, ecommerce, saas, fintech, ..."


class CliError(Exception):
    """A failure shown to the user as one line on stderr."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def cli_error(error: SynthGenError) -> CliError:
    """One readable line, and the command's exit code, for an error of the API."""
    if isinstance(error, SynthGenConnectionError):
        return CliError(error.message)
    message = error.message
    if error.body.get("requestId"):
        message += f" (requestId {error.body['requestId']})"
    if isinstance(error, UnauthorizedError):
        return CliError(f"{message}: check SYNTHGEN_API_KEY", 3)
    if isinstance(error, InsufficientCreditsError):
        return CliError(
            f"out of credits: this needs {error.required_credits} and the account has "
            f"{error.remaining_credits}",
            4,
        )
    if isinstance(error, RateLimitError):
        return CliError(
            f"rate limited: {message}; retry in {duration(int(error.retry_after or 0))}", 5
        )
    if error.details:
        message += ": " + "; ".join(f"{field}: {text}" for field, text in error.details.items())
    return CliError(message)


def duration(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def _set(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value is not None}


def _common_params(args: argparse.Namespace) -> dict[str, Any]:
    # The fields generators and datasets share, in the API's names.
    return {
        "productType": args.product_type,
        "complexityLevel": args.complexity,
        "seed": args.seed,
        "dateFrom": args.date_from,
        "dateTo": args.date_to,
    }


def generator_params(args: argparse.Namespace) -> dict[str, Any]:
    """The fields every generator takes, from the command line, without the unset ones."""
    return _set({
        **_common_params(args),
        "sentimentMix": getattr(args, "mix", None),
        "questionCount": getattr(args, "questions", None),
        "interviewType": getattr(args, "interview_type", None),
    })  # fmt: skip


def generate(client: SynthGen, args: argparse.Namespace, out: TextIO) -> None:
    options = {
        "product_type": args.product_type,
        "complexity_level": args.complexity,
        "seed": args.seed,
        "date_from": args.date_from,
        "date_to": args.date_to,
        "dry_run": args.dry_run,
    }
    answer: Any
    if args.kind == "feedback":
        answer = client.generate_feedback(
            sentiment_mix=args.mix, feedback_count=args.count, **options
        )
    elif args.kind == "tickets":
        answer = client.generate_tickets(ticket_count=args.count, **options)
    else:
        answer = client.generate_interviews(
            question_count=args.questions, interview_type=args.interview_type, **options
        )
    if args.dry_run:
        labelled(estimate_rows(answer), out)
        return
    if not args.table:
        json.dump(answer["data"], out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        TABLES[args.kind](answer["data"], out)
    print(
        f"{answer['creditsUsed']} credits used, {answer['remainingCredits']} left",
        file=sys.stderr,
    )


def dataset_params(args: argparse.Namespace) -> dict[str, Any]:
    """A dataset job's params in the API's names, without the unset ones; its customers are
    the job's count."""
    return _set({
        **_common_params(args),
        "satisfaction": args.satisfaction,
        "churnRate": args.churn_rate,
        "include": args.include.split(",") if args.include else None,
    })  # fmt: skip


def dataset(client: SynthGen, args: argparse.Namespace, out: TextIO) -> None:
    """A dataset as one JSON object on stdout or in a file; with --dry-run, its price and
    the seed it priced."""
    options = {
        "product_type": args.product_type,
        "customer_count": args.customers,
        "seed": args.seed,
        "satisfaction": args.satisfaction,
        "churn_rate": args.churn_rate,
        "include": args.include.split(",") if args.include else None,
        "complexity_level": args.complexity,
        "date_from": args.date_from,
        "date_to": args.date_to,
    }
    if args.dry_run:
        estimate = client.generate_dataset(**options, dry_run=True)
        seed = f"{estimate['seed']} (pass --seed {estimate['seed']} for this dataset and price)"
        labelled([*estimate_rows(estimate), ("Seed", seed)], out)
        return
    answer = client.generate_dataset(**options)
    data = answer["data"]
    if args.output in (None, "-"):
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        with open(args.output, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=2, ensure_ascii=False)
            file.write("\n")
        counts = ", ".join(f"{len(data[part]):,} {part}" for part in DATASET_PARTS)
        print(f"Saved {counts} to {args.output}.", file=sys.stderr)
    print(
        f"{answer['creditsUsed']} credits used, {answer['remainingCredits']} left, "
        f"seed {answer['seed']}",
        file=sys.stderr,
    )


DATASET_PARTS = ("customers", "feedback", "tickets", "interviews")


def estimate_rows(answer: DryRunAnswer) -> list[tuple[str, str]]:
    """A dry run's price and where the account stands, as labelled lines."""
    limit = answer["dailyLimit"]
    after = answer["remainingCreditsAfter"]
    used = f"{limit['used']} of {limit['limit']}" if limit["limit"] is not None else "unlimited"
    credits = f"{answer['remainingCredits']:,}" + (
        f", {after:,} after" if after is not None else ""
    )
    refusal = answer["refusal"]
    verdict = "would be accepted"
    if refusal:
        verdict = f"would be refused ({refusal['status']}): {refusal['body'].get('error', '')}"
    return [
        ("Price", f"{answer['credits']:,} credits (dry run: nothing charged)"),
        ("Credits", credits),
        ("Requests today", f"{used}, resets {limit['resetsAt']}"),
        ("Standing", verdict),
    ]


def labelled(rows: list[tuple[str, str]], out: TextIO) -> None:
    for label, value in rows:
        out.write(f"{label + ':':<16}{value}\n")


def table(rows: list[list[str]], headers: list[str], out: TextIO) -> None:
    """Columns as wide as their contents, the last one cut to the terminal's width."""
    cells = [headers, *rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers) - 1)]
    room = shutil.get_terminal_size((120, 20)).columns - sum(widths) - 2 * len(widths)
    for row in cells:
        last = row[-1] if len(row[-1]) <= room else row[-1][: max(room - 1, 10)] + "…"
        out.write(
            "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), last]) + "\n"
        )


def feedback_table(entries: list[dict[str, Any]], out: TextIO) -> None:
    rows = [
        ["★" * e["rating"], e["sentiment"], e["timestamp"][:10], f"{e['title']}: {e['content']}"]
        for e in entries
    ]
    table(rows, ["RATING", "SENTIMENT", "DATE", "REVIEW"], out)


def tickets_table(entries: list[dict[str, Any]], out: TextIO) -> None:
    rows = [
        [t["priority"], t["category"], t["status"], t["channel"], t["subject"]] for t in entries
    ]
    table(rows, ["PRIORITY", "CATEGORY", "STATUS", "CHANNEL", "SUBJECT"], out)


def interviews_table(interviews: list[dict[str, Any]], out: TextIO) -> None:
    for interview in interviews:
        person = interview.get("interviewee", {})
        out.write(f"{person.get('name', '')}, {person.get('role', '')} at ")
        out.write(f"{person.get('company', '')}\n")
        for number, pair in enumerate(interview.get("questions", []), start=1):
            out.write(f"\nQ{number}. {pair.get('question', '')}\n    {pair.get('answer', '')}\n")


TABLES: dict[str, Callable[[list[dict[str, Any]], TextIO], None]] = {
    "feedback": feedback_table,
    "tickets": tickets_table,
    "interviews": interviews_table,
}


def run_job(client: SynthGen, args: argparse.Namespace, out: TextIO) -> None:
    """Submit a job, show its progress on stderr, then download its file; with --dry-run,
    only its price and where the account stands."""
    fields = {"type": args.kind, "count": args.count, "format": args.format}
    params = dataset_params(args) if args.kind == "dataset" else generator_params(args)
    if args.dry_run:
        estimate = client.create_job(**fields, params=params, dry_run=True)
        batches = f"{estimate['batches']:,}, about {duration(estimate['estimatedSeconds'])}"
        rows = [*estimate_rows(estimate), ("Batches", batches)]
        if "seed" in estimate:
            seed = estimate["seed"]
            rows.append(("Seed", f"{seed} (pass --seed {seed} for this dataset and price)"))
        labelled(rows, out)
        return
    job = client.create_job(**fields, params=params)["data"]
    print(f"Job {job['id']} accepted: {job['price']} credits.", file=sys.stderr)
    bar = ProgressBar(sys.stderr, total=job["count"])
    try:
        job = client.wait_for_job(job, on_progress=bar.show, poll_interval=POLL_SECONDS)
    except KeyboardInterrupt:
        raise CliError(f"stopped waiting; the job goes on: {job['statusUrl']}", 130) from None
    finally:
        bar.close()
    if job["status"] != "succeeded":
        reason = job.get("error") or job["status"]
        refund = job.get("refundedCredits", 0)
        raise CliError(f"job {job['status']}: {reason} ({refund} credits refunded)")
    save(client, job, args.output, out)


class ProgressBar:
    """A one-line bar redrawn in place on a terminal; a line per tenth elsewhere."""

    width = 30

    def __init__(self, stream: TextIO, *, total: int) -> None:
        self.stream = stream
        self.total = total
        self.live = stream.isatty()
        self.last = -1

    def show(self, job: Job) -> None:
        progress = job["progress"]
        if not self.live and progress // 10 == self.last // 10:
            return
        filled = self.width * progress // 100
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {progress:3d}%  "
            f"{job['entriesDone']:,}/{self.total:,}  {job['status']}"
        )
        self.stream.write(f"\r{line}" if self.live else f"{line}\n")
        self.stream.flush()
        self.last = progress

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")


def save(client: SynthGen, job: Job, output: str | None, out: TextIO) -> None:
    with client.open_download(job["id"]) as download:
        if output == "-":
            download.save(out.buffer)
            return
        path = output or download.filename
        if not path:
            raise CliError("the download had no file name; pass -o FILE")
        download.save(path)
    what = "customers" if job["type"] == "dataset" else "entries"
    print(f"Saved {job['entriesDone']:,} {what} to {path}.", file=sys.stderr)


def account(client: SynthGen, args: argparse.Namespace, out: TextIO) -> None:
    data: Any = client.get_account()
    if args.json:
        json.dump(data, out, indent=2)
        out.write("\n")
        return
    limit = data.get("dailyRequestLimit")
    rows = [
        ("Account", f"{data.get('name')} <{data.get('email')}>"),
        ("Plan", data.get("tierName", data.get("tier"))),
        ("Requests today", f"{data.get('requestsToday')} of {limit or 'unlimited'}"),
        ("Credits", f"{data.get('remainingCredits'):,}"),
        ("API key", data.get("apiKey", "")),
    ]
    for label, value in rows:
        out.write(f"{label + ':':<16}{value}\n")


def add_generator_options(parser: argparse.ArgumentParser, kind: str) -> None:
    parser.add_argument("--product-type", required=True, help=PRODUCT_HELP)
    parser.add_argument("--complexity", choices=COMPLEXITY, help="default: medium")
    parser.add_argument("--seed", type=int, help="the same seed gives the same data")
    parser.add_argument("--date-from", metavar="YYYY-MM-DD")
    parser.add_argument("--date-to", metavar="YYYY-MM-DD")
    parser.add_argument(
        "--dry-run", action="store_true", help="show the price and your standing; charge nothing"
    )
    if kind == "feedback":
        parser.add_argument("--mix", required=True, help="balanced, positive, negative, mixed")
    if kind == "interviews":
        parser.add_argument("--questions", type=int, required=True, help="questions (1-25)")
        parser.add_argument("--interview-type", help="user_research, churn, ...")


def add_dataset_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--satisfaction", help="balanced, positive, negative, mixed")
    parser.add_argument("--churn-rate", type=float, help="share who left (0-1, default 0.15)")
    parser.add_argument("--include", help="parts to write, comma-separated (default: all)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synthgen",
        description="Generate synthetic customer data with the SynthGen API. "
        "Reads SYNTHGEN_API_KEY, and SYNTHGEN_URL (default " + DEFAULT_URL + ").",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for kind in ("feedback", "tickets", "interviews"):
        command = commands.add_parser(kind, help=f"generate {kind} (up to 50 at once)")
        add_generator_options(command, kind)
        if kind != "interviews":
            command.add_argument("--count", type=int, required=True, help="entries (1-50)")
        command.add_argument("--table", action="store_true", help="a readable table, not JSON")
        command.set_defaults(run=generate, kind=kind)
    command = commands.add_parser(
        "dataset", help="generate customers with their feedback, tickets and interviews"
    )
    add_generator_options(command, "dataset")
    command.add_argument("--customers", type=int, help="customers (1-50, default 10)")
    add_dataset_options(command)
    command.add_argument("-o", "--output", help="file to write the JSON to (default: stdout)")
    command.set_defaults(run=dataset)
    job = commands.add_parser(
        "job", help="generate up to 100,000 entries, or 10,000 customers, as a file"
    )
    kinds = job.add_subparsers(dest="kind", required=True)
    for kind in ("feedback", "tickets", "interviews"):
        command = kinds.add_parser(kind, help=f"a job of {kind}")
        add_generator_options(command, kind)
        command.add_argument("--count", type=int, required=True, help="entries or interviews")
        command.add_argument("--format", choices=("jsonl", "csv", "json"), default="jsonl")
        command.add_argument("-o", "--output", help="file to write ('-' for stdout)")
        command.set_defaults(run=run_job)
    command = kinds.add_parser(
        "dataset", help="a job of customers with their feedback, tickets and interviews, as a ZIP"
    )
    add_generator_options(command, "dataset")
    add_dataset_options(command)
    command.add_argument(
        "--customers", dest="count", metavar="N", type=int, required=True, help="1-10,000"
    )
    command.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="of the tables in the ZIP"
    )
    command.add_argument("-o", "--output", help="the ZIP to write ('-' for stdout)")
    command.set_defaults(run=run_job)
    show = commands.add_parser("account", help="plan, limits and credit balance")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=account)
    return parser


def fail(message: str, code: int) -> NoReturn:
    print(f"synthgen: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    key = os.environ.get("SYNTHGEN_API_KEY", "").strip()
    if not key:
        fail("SYNTHGEN_API_KEY is not set; export your API key first", 3)
    if not key.isascii() or not key.isprintable() or " " in key:
        fail("SYNTHGEN_API_KEY is malformed: it must be the key alone, on one line", 3)
    client = SynthGen(
        key,
        base_url=os.environ.get("SYNTHGEN_URL") or DEFAULT_URL,
        user_agent=USER_AGENT,
        max_retry_wait=MAX_RETRY_WAIT,
    )
    try:
        args.run(client, args, sys.stdout)
    except SynthGenError as error:
        problem = cli_error(error)
        fail(str(problem), problem.exit_code)
    except CliError as error:
        fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    return 0


if __name__ == "__main__":
    sys.exit(main())
