"""No server-side request forgery: with WEBHOOKS_ALLOW_PRIVATE_URLS off, URLs on loopback,
private, link-local, multicast, reserved or metadata addresses are refused when saved, and
every address a name resolves to is checked again when the event is sent."""

import ipaddress
import socket
from typing import Any

import pytest

from accounts.webhooks import sending
from accounts.webhooks.addresses import forbidden_reason
from tests.conftest import Consumer
from tests.webhooks.conftest import create_endpoint

pytestmark = pytest.mark.usefixtures("_private_urls_refused")


@pytest.fixture
def _private_urls_refused(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What names resolve to (DNS is outside our control): name -> addresses."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [
            (family[ipaddress.ip_address(a).version], socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every connection the code under test opens (after the loopback guard)."""
    opened: list[tuple[str, int]] = []
    guarded = socket.create_connection

    def spy(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        opened.append(address)
        return guarded(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", spy)
    return opened


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/hooks", "127.0.0.1 is a loopback address"),
        ("https://127.8.9.10:8443/hooks", "127.8.9.10 is a loopback address"),
        ("https://10.1.2.3/hooks", "10.1.2.3 is a private address"),
        ("https://192.168.0.10/hooks", "192.168.0.10 is a private address"),
        ("https://172.16.5.4/hooks", "172.16.5.4 is a private address"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata"),
        ("https://169.254.10.10/hooks", "169.254.10.10 is a link-local address"),
        ("https://[::1]/hooks", "::1 is a loopback address"),
        ("https://[::ffff:127.0.0.1]/hooks", "127.0.0.1 is a loopback address (inside"),
        ("https://[::ffff:10.0.0.1]/hooks", "10.0.0.1 is a private address (inside"),
        ("https://[fd00:ec2::254]/hooks", "fd00:ec2::254 is a cloud metadata address"),
        ("https://[fe80::1]/hooks", "fe80::1 is a link-local address"),
        ("https://224.0.0.251/hooks", "224.0.0.251 is a multicast address"),
        ("https://0.0.0.0/hooks", "0.0.0.0 is an unspecified address"),
        ("https://100.64.0.1/hooks", "100.64.0.1 is a non-public address"),
    ],
)
def test_an_endpoint_on_a_non_public_address_is_refused(
    bob: Consumer, url: str, reason: str
) -> None:
    response = bob.client.post(
        "/api/webhooks", {"url": url, "events": ["key.revoked"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["details"]["url"].startswith(f"Must point at a public address: {reason}")


@pytest.mark.parametrize("host", ["localhost", "api.localhost", "metadata.google.internal"])
def test_names_that_are_never_public_are_refused(bob: Consumer, host: str) -> None:
    response = bob.client.post(
        "/api/webhooks", {"url": f"https://{host}/hooks", "events": ["key.revoked"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["details"]["url"] == f"Must point at a public host, not {host}"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("10.0.0.5", "10.0.0.5 is a private address"),
        ("169.254.169.254", "169.254.169.254 is a cloud metadata address"),
        ("::ffff:127.0.0.1", "127.0.0.1 is a loopback address (inside ::ffff:7f00:1)"),
        ("::1", "::1 is a loopback address"),
    ],
)
def test_a_name_that_resolves_to_a_non_public_address_is_refused_when_sent(
    bob: Consumer,
    commits: Any,
    dns: dict[str, list[str]],
    connections: list,
    address: str,
    reason: str,
) -> None:
    # Public when saved, rebound to an inside address by the time the event is sent.
    endpoint = create_endpoint(bob, "https://hooks.example.com/synthgen")
    dns["hooks.example.com"] = [address]

    with commits():
        delivery = bob.client.post(f"/api/webhooks/{endpoint['id']}/test").json()["data"]

    path = f"/api/webhooks/{endpoint['id']}/deliveries/{delivery['id']}"
    [attempt] = bob.client.get(path).json()["data"]["attempts"]
    assert attempt["error"] == (
        f"Refused: hooks.example.com resolves to no public address ({reason})"
    )
    assert (attempt["statusCode"], attempt["succeeded"]) == (None, False)
    assert connections == []


def test_an_address_saved_while_allowed_is_refused_when_no_longer_allowed(
    bob: Consumer, commits: Any, settings: Any, connections: list
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    endpoints = [
        create_endpoint(bob, "https://127.0.0.1:9/hooks"),
        create_endpoint(bob, "http://hooks.example.com/hooks"),
    ]
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False

    errors = []
    for endpoint in endpoints:
        with commits():
            delivery = bob.client.post(f"/api/webhooks/{endpoint['id']}/test").json()["data"]
        path = f"/api/webhooks/{endpoint['id']}/deliveries/{delivery['id']}"
        [attempt] = bob.client.get(path).json()["data"]["attempts"]
        errors.append(attempt["error"])

    assert errors == [
        "Refused: 127.0.0.1 is a loopback address",
        "Refused: http:// URLs are not allowed",
    ]
    assert connections == []


def test_of_the_addresses_a_name_has_only_a_public_one_is_used(
    dns: dict[str, list[str]],
) -> None:
    dns["mixed.example.com"] = ["10.0.0.1", "::1", "93.184.216.34"]

    address = sending.resolve("mixed.example.com", 443, allow_private=False)

    assert str(address) == "93.184.216.34"


def test_metadata_addresses_are_refused_even_when_private_ones_are_allowed(
    dns: dict[str, list[str]],
) -> None:
    dns["sneaky.example.com"] = ["169.254.169.254"]

    with pytest.raises(sending.Refused, match="cloud metadata"):
        sending.resolve("sneaky.example.com", 80, allow_private=True)


@pytest.mark.parametrize(
    "address",
    ["2002:7f00:1::", "64:ff9b::a00:1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "::7f00:1"],
)
def test_ipv6_forms_that_carry_an_inside_ipv4_address_are_refused(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address), allow_private=False)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address), allow_private=False) is None
