"""Shared test fixtures and helpers.

``lee_texts`` / ``lee_sentences``: the Lee background corpus (300 real news texts) as loaded by
``embedcourse.data`` and tokenised, once per session: the small real corpus most tests train on.

``oracle(module)``: THE way to reach an optional reference library in a test. It imports the
module, or skips the test with a message naming the package to install (``make install`` puts
every oracle in place, so in this project's environment nothing is skipped).

``no_network``: block every internet connection (and DNS look-up) for the duration of a test,
and record each attempt. Blocking alone is not enough, because some libraries catch connection errors and fall
back silently; so the fixture also fails the test if anything even *tried* to connect.
Local sockets (AF_UNIX, used by multiprocessing and torch for inter-process pipes) still work.
This guards Python code only; for a whole-process proof run the tests under ``unshare --net``.
"""

from __future__ import annotations

import socket

import importlib
import importlib.util
from typing import Any

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


@pytest.fixture(scope="session")
def lee_texts() -> list[str]:
    """The 300 texts of the Lee background corpus (real news), from :mod:`embedcourse.data`."""
    from embedcourse.data import load_lee_corpus

    return load_lee_corpus("background")


@pytest.fixture(scope="session")
def lee_sentences(lee_texts: list[str]) -> list[list[str]]:
    """The Lee background corpus tokenised with :func:`embedcourse.text.tokenize`."""
    from embedcourse.text import tokenize

    return [tokenize(t) for t in lee_texts]


def oracle(module: str) -> Any:
    """Import the reference library ``module`` for an oracle test, or skip the test saying what to install."""
    if importlib.util.find_spec(module.split(".")[0]) is None:
        pytest.skip(f"oracle {module!r} is not installed (make install puts every oracle in place)")
    return importlib.import_module(module)
