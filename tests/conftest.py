"""Shared test fixtures.

``no_network``: block every internet connection (and DNS look-up) for the duration of a test,
and record each attempt. Blocking alone is not enough, because some libraries catch connection errors and fall
back silently; so the fixture also fails the test if anything even *tried* to connect.
Local sockets (AF_UNIX, used by multiprocessing and torch for inter-process pipes) still work.
This guards Python code only; for a whole-process proof run the tests under ``unshare --net``.
"""

from __future__ import annotations

import socket

import pytest


class NetworkBlockedError(RuntimeError):
    """Raised when code under test opens an internet socket or resolves a host name."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch):
    """Block internet sockets and DNS; yield the list of attempts (asserted empty at the end)."""
    attempts: list[str] = []
    real_socket = socket.socket
    internet = {socket.AF_INET, socket.AF_INET6}

    def refuse(what: str) -> NetworkBlockedError:
        attempts.append(what)
        return NetworkBlockedError(f"network access attempted during an offline test: {what}")

    class GuardedSocket(real_socket):
        """Internet sockets may be created and bound (urllib3 probes IPv6 support at import
        time by binding to ::1), but never connect or send anywhere."""

        def _guard(self, what: str, address) -> None:
            if self.family in internet:
                raise refuse(f"{what}({address!r})")

        def connect(self, address):
            self._guard("connect", address)
            return super().connect(address)

        def connect_ex(self, address):
            self._guard("connect_ex", address)
            return super().connect_ex(address)

        def sendto(self, data, *args):
            self._guard("sendto", args[-1])
            return super().sendto(data, *args)

    def blocked_create_connection(address, *args, **kwargs):
        raise refuse(f"socket.create_connection({address!r})")

    def blocked_getaddrinfo(host, *args, **kwargs):
        raise refuse(f"socket.getaddrinfo({host!r})")

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", blocked_create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", blocked_getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", blocked_getaddrinfo)
    yield attempts
    assert not attempts, f"code under test tried to reach the network: {attempts}"
