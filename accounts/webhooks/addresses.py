"""Where a webhook may go: public addresses only, so no one can make our servers call inside
our own network (server-side request forgery).

Checked twice: the URL when an endpoint is saved, and, at delivery, every address its host
resolves to just then; the request goes to the checked address itself, never through a
second lookup, so a name that changes its answer between the two cannot slip through.
WEBHOOKS_ALLOW_PRIVATE_URLS lets local development and tests use http:// and private
addresses; cloud-metadata addresses are refused whatever it says.
"""

import ipaddress
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2000
# Where cloud providers serve instance credentials: AWS, GCP and Azure share the first, AWS
# also answers on the IPv6 one, Alibaba Cloud on the last.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
# Names that never mean a public host (RFC 6761 and the clouds' metadata names).
LOCAL_NAMES = ("localhost", "localhost.localdomain", "metadata.google.internal")
LOCAL_SUFFIXES = (".localhost", ".internal")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_reason(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why a webhook must not be sent to this address, or None when it may."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = forbidden_reason(inner, allow_private=allow_private)
        return f"{reason} (inside {address})" if reason else None
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if allow_private:
        return None
    for test, kind in (
        (address.is_loopback, "a loopback"),
        (address.is_link_local, "a link-local"),
        (address.is_multicast, "a multicast"),
        (address.is_unspecified, "an unspecified"),
        (address.is_private, "a private"),
        (address.is_reserved, "a reserved"),
        (not address.is_global, "a non-public"),
    ):
        if test:
            return f"{address} is {kind} address"
    return None


def parse_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def url_problem(url: str, *, allow_private: bool) -> str | None:
    """What is wrong with an endpoint URL, in a sentence, or None when it will do.

    Host names are resolved only at delivery (their answer can change any time).
    """
    if len(url) > MAX_URL_LENGTH:
        return f"Must be at most {MAX_URL_LENGTH} characters"
    if not url.isascii() or not url.isprintable() or " " in url:
        return "Must be a URL of plain ASCII: an xn-- host name, a %-encoded path, no spaces"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises on a port that is not a number from 0 to 65535
    except ValueError:
        return "Must be a valid URL"
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        return "Must be an https:// URL" if not allow_private else "Must be an http(s):// URL"
    return _host_problem(parts, allow_private=allow_private)


def _host_problem(parts: SplitResult, *, allow_private: bool) -> str | None:
    if parts.username is not None or parts.password is not None:
        return "Must not contain a user name or password: check the signature instead"
    if parts.fragment:
        return "Must not contain a #fragment"
    host = (parts.hostname or "").rstrip(".")
    address = parse_address(host)
    if address is not None:
        reason = forbidden_reason(address, allow_private=allow_private)
        return f"Must point at a public address: {reason}" if reason else None
    if not allow_private and (host in LOCAL_NAMES or host.endswith(LOCAL_SUFFIXES)):
        return f"Must point at a public host, not {host}"
    return None
