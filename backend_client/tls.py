"""The TLS context a client is built with (issue 17: building one per client loaded the certificate store each
time, ~40 ms, even for a plain ``http://`` node on loopback).

* Any ``https://`` URL: the verifying context httpx would build by default (certifi's store, or ``SSL_CERT_FILE``
  / ``SSL_CERT_DIR`` when set), built once per process and shared by every client (an ``ssl.SSLContext`` may be).
* Only ``http://`` URLs: a context that trusts no certificate authority at all, which costs nothing to build. It is
  never used (clients follow no redirects), and were it used, every TLS connection would fail closed.
"""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from functools import cache

import httpx


@cache
def verifying_context() -> ssl.SSLContext:
    """The process's one verifying context (environment read at the first call)."""
    return httpx.create_ssl_context()


def refusing_context() -> ssl.SSLContext:
    """Hostname check and certificate verification on, no trusted authority: no TLS server is ever accepted."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def context_for(urls: Sequence[str]) -> ssl.SSLContext:
    """The context for a client of ``urls`` (see the module's docstring)."""
    if all(url.lower().startswith("http://") for url in urls):
        return refusing_context()
    return verifying_context()
