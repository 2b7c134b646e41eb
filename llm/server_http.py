"""HTTP to an OpenAI-compatible model server: JSON requests, server-sent events, and every
failure (down, wrong URL, HTTP error, timeout, not JSON) as one `ServerError` line.

The API key comes only from the environment (LONGDOC_API_KEY, else OPENAI_API_KEY), never from
a command line where other users could read it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from longdoc.core.errors import LongdocError

DEFAULT_TIMEOUT_S = 600.0  # a long document's prefill on a CPU server takes minutes


class ServerError(LongdocError):
    """The model server could not be used; an evaluation stops instead of recording it."""


class MissingEndpoint(ServerError):
    """The server has no such endpoint (HTTP 404 or 405)."""


def normalise_url(url: str) -> str:
    """The base URL without a trailing slash or `/v1` (both spellings are common)."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise LongdocError(f"--server {url!r} is not an http:// or https:// URL")
    return url[:-3].rstrip("/") if url.endswith("/v1") else url


def timeout_s() -> float:
    raw = os.environ.get("LONGDOC_SERVER_TIMEOUT", "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        raise LongdocError(f"LONGDOC_SERVER_TIMEOUT={raw!r} is not a number of seconds") from None
    if value <= 0:
        raise LongdocError(f"LONGDOC_SERVER_TIMEOUT must be above 0 (got {raw})")
    return value


class ServerClient:
    """One connection pool to one server; safe to share between threads (httpx.Client is)."""

    def __init__(self, url: str) -> None:
        import httpx

        self.url = normalise_url(url)
        key = os.environ.get("LONGDOC_API_KEY") or os.environ.get("OPENAI_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.timeout = timeout_s()
        self._http = httpx.Client(base_url=self.url, headers=headers,
                                  timeout=httpx.Timeout(self.timeout, connect=10.0))

    def close(self) -> None:
        self._http.close()

    def get(self, path: str) -> dict:
        return self._json(path, self._send("GET", path))

    def post(self, path: str, body: dict) -> dict:
        return self._json(path, self._send("POST", path, body))

    def stream(self, path: str, body: dict) -> Iterator[dict]:
        """The events of a server-sent stream (`data: {...}` lines up to `data: [DONE]`)."""
        import httpx

        try:
            with self._http.stream("POST", path, json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    self._check(path, response)
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    yield self._decode(path, data)
        except httpx.HTTPError as exc:
            raise self._transport_error(path, exc) from None

    def _send(self, method: str, path: str, body: dict | None = None):
        import httpx

        try:
            response = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise self._transport_error(path, exc) from None
        self._check(path, response)
        return response

    def _check(self, path: str, response) -> None:
        code = response.status_code
        if code < 400:
            return
        detail = " ".join(response.text.split())[:200]
        if code in (404, 405):
            raise MissingEndpoint(f"the model server at {self.url} has no {path} (HTTP {code})")
        if code in (401, 403):
            raise ServerError(f"the model server at {self.url} refused the request (HTTP "
                              f"{code}): set its API key in LONGDOC_API_KEY")
        raise ServerError(f"the model server at {self.url} failed on {path}: HTTP {code}"
                          + (f" ({detail})" if detail else ""))

    def _transport_error(self, path: str, exc: Exception) -> ServerError:
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            return ServerError(f"the model server at {self.url} did not answer {path} within "
                               f"{self.timeout:g} s (LONGDOC_SERVER_TIMEOUT)")
        if isinstance(exc, httpx.ConnectError):
            return ServerError(f"cannot reach the model server at {self.url} (is it running, "
                               "and is the URL right?)")
        return ServerError(f"the model server at {self.url} broke off {path} "
                           f"({type(exc).__name__}: {' '.join(str(exc).split())[:120]})")

    def _json(self, path: str, response) -> dict:
        return self._decode(path, response.text)

    def _decode(self, path: str, text: str) -> dict:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ServerError(f"{self.url}{path} did not answer a JSON object: is this an "
                              "OpenAI-compatible server?")
        return data
