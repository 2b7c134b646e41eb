"""A tiny stdlib HTTP server that speaks just enough of llama.cpp's server dialect to reach a
chosen failure: HTTP 500 on chat, an answer slower than the client's timeout, or 404 for every
path (a wrong URL). Only failures are faked here; the happy path is tested on real servers."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _handler(model: str, mode: str):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, code: int, data: dict | None = None) -> None:
            body = json.dumps(data or {"error": "boom"}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            if mode == "404":
                return self._send(404)
            if self.path == "/v1/models":
                return self._send(200, {"data": [{"id": model}]})
            if self.path == "/props":
                return self._send(200, {"default_generation_settings": {"n_ctx": 2048}})
            return self._send(404)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if mode == "404":
                return self._send(404)
            if self.path == "/tokenize":
                return self._send(200, {"tokens": list(range(len(body["content"].split())))})
            if self.path == "/apply-template":
                text = "".join(f"<{m['role']}>{m['content']}\n" for m in body["messages"])
                return self._send(200, {"prompt": text + "<assistant> "})
            if self.path == "/v1/completions":
                return self._send(200, _completion(body, mode))
            if self.path != "/v1/chat/completions":
                return self._send(404)
            if mode == "slow":
                time.sleep(3)
            return self._send(500)

    return Handler


def _completion(body: dict, mode: str) -> dict:
    """mode 'echo': each word of the prompt is a token of log-probability -len(word), the first
    one None (as vLLM and llama-cpp-python echo them); the first reply token's top
    log-probabilities are A and B only. Other modes: no log-probabilities."""
    if mode != "echo":
        return {"choices": [{"text": "x", "logprobs": None}]}
    words = body["prompt"].split()
    if not body.get("echo"):
        return {"choices": [{"text": "A", "logprobs": {"top_logprobs": [{"A": -0.5, "B": -2.0}],
                                                       "token_logprobs": [-0.5]}}]}
    values = [None] + [-float(len(w)) for w in words[1:]] + [-0.1]  # + the generated token
    return {"choices": [{"text": "x", "logprobs": {"token_logprobs": values}}],
            "usage": {"prompt_tokens": len(words)}}


@contextmanager
def fake_server(model: str = "fake-model", mode: str = "500"):
    """The base URL of a fake server in `mode` ('500', 'slow' or '404')."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(model, mode))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
