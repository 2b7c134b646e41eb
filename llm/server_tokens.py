"""Tokens and chat templates on a model server, whichever dialect it speaks.

Tokenize endpoints: llama-cpp-python's server `/extras/tokenize` (`input` → `tokens`),
llama.cpp's `/tokenize` (`content` → `tokens`) and vLLM's `/tokenize` (`prompt` → `tokens`);
one request body serves the last two. The chat template: llama.cpp's `/apply-template`, vLLM's
`/tokenize` with `messages` (detokenised back to text), or the template inside a GGUF on this
machine (llama-cpp-python's server has no template endpoint; its model id is the GGUF's path).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from longdoc.core.errors import LongdocError
from longdoc.llm.protocol import Message
from longdoc.llm.server_http import MissingEndpoint, ServerClient, ServerError

TOKENIZE = {  # path -> (request body for `text`, key of the tokens in the answer)
    "/extras/tokenize": lambda text, model: {"input": text},
    "/tokenize": lambda text, model: {"content": text, "prompt": text, "model": model,
                                      "add_special": False, "add_special_tokens": False,
                                      "parse_special": True},
}
DETOKENIZE = {"/extras/tokenize": ("/extras/detokenize", "text"),
              "/tokenize": ("/detokenize", None)}  # llama.cpp: content, vLLM: prompt


class ServerTokenizer:
    """Tokenise and detokenise on the server, with the dialect found by trying each."""

    def __init__(self, client: ServerClient, model: str) -> None:
        self.client, self.model = client, model
        self.path = self._find()
        self._lead = self._raw("")  # what the server adds to every text (a BOS token)

    def _find(self) -> str:
        for path in TOKENIZE:
            try:
                tokens = self.client.post(path, TOKENIZE[path]("a", self.model)).get("tokens")
            except MissingEndpoint:
                continue
            if isinstance(tokens, list):
                return path
        raise ServerError(f"the model server at {self.client.url} has no tokenize endpoint "
                          "(tried llama-cpp-python's /extras/tokenize, llama.cpp's and vLLM's "
                          "/tokenize); longdoc needs one to keep prompts inside the context")

    def _raw(self, text: str) -> list[int]:
        tokens = self.client.post(self.path, TOKENIZE[self.path](text, self.model)).get("tokens")
        if not isinstance(tokens, list):
            raise ServerError(f"{self.client.url}{self.path} answered no token list")
        return [t["id"] if isinstance(t, dict) else int(t) for t in tokens]

    def tokenize(self, text: str) -> list[int]:
        tokens = self._raw(text)
        n = len(self._lead)
        return tokens[n:] if n and tokens[:n] == self._lead else tokens

    def detokenize(self, tokens: list[int]) -> str:
        path, key = DETOKENIZE[self.path]
        answer = self.client.post(path, {"tokens": tokens, "model": self.model})
        text = answer.get(key) if key else answer.get("content", answer.get("prompt"))
        if not isinstance(text, str):
            raise ServerError(f"{self.client.url}{path} answered no text")
        return text


def find_template(client: ServerClient, tokenizer: ServerTokenizer,
                  gguf: Path | None) -> Callable[[list[Message]], str]:
    """How messages become the prompt text the server's chat endpoint would build."""
    probe = [{"role": "user", "content": "hi"}]
    try:
        if isinstance(client.post("/apply-template", {"messages": probe}).get("prompt"), str):
            return lambda messages: client.post("/apply-template",
                                                {"messages": messages})["prompt"]
    except MissingEndpoint:
        pass
    if tokenizer.path == "/tokenize" and gguf is None:
        return lambda messages: tokenizer.detokenize(_chat_tokens(tokenizer, messages))
    if gguf is None:
        raise ServerError(
            f"the model server at {client.url} has no chat template endpoint and its model is "
            "not a GGUF on this machine: pass --model with a local copy of the served GGUF "
            "(longdoc reads the chat template from it)")
    return gguf_template(gguf, tokenizer)


def _chat_tokens(tokenizer: ServerTokenizer, messages: list[Message]) -> list[int]:
    body = {"model": tokenizer.model, "messages": messages, "add_generation_prompt": True}
    tokens = tokenizer.client.post("/tokenize", body).get("tokens")
    if not isinstance(tokens, list):
        raise ServerError(f"{tokenizer.client.url}/tokenize did not apply the chat template")
    return tokens


def gguf_template(path: Path, tokenizer: ServerTokenizer) -> Callable[[list[Message]], str]:
    """The chat template of a local GGUF, after checking that the server tokenises like it."""
    from llama_cpp import Llama
    from llama_cpp._utils import suppress_stdout_stderr

    from longdoc.llm.gguf import chat_formatter

    try:
        with suppress_stdout_stderr(disable=False):
            vocab = Llama(str(path), vocab_only=True, verbose=False)
    except (ValueError, OSError) as exc:
        raise LongdocError(f"cannot read model {path}: {exc}") from None
    formatter = chat_formatter(vocab, vocab.metadata, str(path))
    probe = "Model check: Grüße, 12345 <|im_end|> tokens."
    if vocab.tokenize(probe.encode(), add_bos=False, special=True) != tokenizer.tokenize(probe):
        raise ServerError(f"the model server at {tokenizer.client.url} does not run {path.name} "
                          "(it tokenises differently): pass the --model the server runs")
    return lambda messages: formatter(messages=messages).prompt
