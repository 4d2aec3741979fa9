"""The client's address: X-Forwarded-For believed only as far as the trusted proxies wrote it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from liaison.ratelimits.client import client_address


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_the_entry_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXIES = 1
    # The client wrote 10.0.0.1 itself; the proxy appended the address it really saw.
    assert client_address(_request("127.0.0.1", "10.0.0.1, 198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_second_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXIES = 2
    assert client_address(_request("127.0.0.1", "10.0.0.1, 198.51.100.7, 192.0.2.4")) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", " , "])
def test_a_missing_or_invalid_entry_falls_back_to_the_connection(settings, forwarded):
    settings.TRUSTED_PROXIES = 1
    assert client_address(_request("192.0.2.4", forwarded)) == "192.0.2.4"


def test_ipv6_addresses_are_normalised(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_address(_request("::1", "2001:DB8::0001")) == "2001:db8::1"


@pytest.mark.django_db
def test_the_purge_command_reports_what_it_deleted():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("purge_rate_limits", stdout=out)
    assert "Deleted 0 expired" in out.getvalue()
