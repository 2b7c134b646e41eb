"""Which llama.cpp settings prefill fastest on this machine, and how close the product gets.

    .venv/bin/python benchmarks/llama_settings.py [DOC.txt] [--tokens 1200] [--repeats 3]

Raw `Llama.eval` of the same prompt under one setting changed at a time from a baseline (flash
attention on/off, n_batch = n_ubatch 128 … 2,048, threads, n_ctx 4k/8k/32k, KV cache f16/q8_0),
each context created once and the runs alternated across settings (so a slow minute on a shared
machine hits every setting alike); the median of the repeats. Then the product: `full`'s prompt
through `LlamaCppLLM` with its defaults (state cache off), time to the first token, against the
fastest raw setting measured in the same run (target >= 0.95). Also the size of a document's
saved KV state per token for each cache type.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import llama_cpp
from llama_cpp import Llama

from longdoc.llm.llama import LlamaCppLLM
from longdoc.llm.model_store import resolve_model
from longdoc.llm.settings import ModelSettings

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev"
DEFAULT_DOC = DEV / "docs" / "tonic_pg" / "gap.txt"
FALLBACK_DOC = Path(__file__).resolve().parents[1] / "sample_docs" / "hacker_writing_style.txt"


@dataclass(frozen=True)
class Setting:
    flash_attn: bool
    n_batch: int
    threads: int
    n_ctx: int
    kv_type: str = "f16"

    def label(self) -> str:
        return (f"fa={'on' if self.flash_attn else 'off'} batch={self.n_batch} "
                f"threads={self.threads} ctx={self.n_ctx // 1024}k kv={self.kv_type}")

    def open(self, path: Path) -> Llama:
        kv = getattr(llama_cpp, f"GGML_TYPE_{self.kv_type.upper()}")
        return Llama(str(path), n_ctx=self.n_ctx, n_batch=self.n_batch, n_ubatch=self.n_batch,
                     n_threads=self.threads, n_threads_batch=self.threads,
                     flash_attn=self.flash_attn, type_k=kv, type_v=kv, verbose=False)


def settings_to_try(cores: int, prompt_tokens: int) -> list[Setting]:
    """The old product settings, then one change at a time from the current defaults."""
    defaults = ModelSettings()
    base = Setting(defaults.flash_attn, defaults.n_batch, cores, 8192, defaults.kv_type)
    tried = [Setting(False, 512, cores, 32768), base]
    tried += [replace(base, flash_attn=not base.flash_attn)]
    tried += [replace(base, n_batch=b) for b in (128, 256, 1024, 2048) if b != base.n_batch]
    tried += [replace(base, threads=t) for t in sorted({1, max(1, cores // 2)}) if t != cores]
    tried += [replace(base, n_ctx=c) for c in (4096, 32768) if c > prompt_tokens]
    if base.flash_attn:
        tried += [replace(base, kv_type="q8_0")]
    return list(dict.fromkeys(tried))


def time_eval(llama: Llama, tokens: list[int]) -> float:
    llama.reset()
    llama._ctx.kv_cache_seq_rm(-1, 0, -1)
    started = time.perf_counter()
    llama.eval(tokens)
    return time.perf_counter() - started


def state_bytes_per_token(llama: Llama, tokens: list[int]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.kv"
        array = (llama_cpp.llama_token * len(tokens))(*tokens)
        llama_cpp.llama_state_seq_save_file(llama._ctx.ctx, str(path).encode(), 0, array,
                                            len(tokens))
        return path.stat().st_size / len(tokens)


def product_first_token(text: str) -> tuple[float, int]:
    """`full`'s way in: the document in a chat prompt through LlamaCppLLM, its defaults."""
    settings = ModelSettings()
    llm = LlamaCppLLM(resolve_model(None), n_ctx=8192, n_batch=settings.n_batch,
                      flash_attn=settings.flash_attn, kv_type=settings.kv_type)
    messages = [{"role": "system", "content": "Answer from the document."},
                {"role": "user", "content": f"{text}\n\nQuestion: What is this about?"}]
    completion = llm.chat(messages, max_tokens=1)
    return completion.first_token_s or completion.total_s, completion.prompt_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("doc", nargs="?", type=Path,
                        default=DEFAULT_DOC if DEFAULT_DOC.exists() else FALLBACK_DOC)
    parser.add_argument("--tokens", type=int, default=1200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model = resolve_model(None).path
    vocab = Llama(str(model), vocab_only=True, verbose=False)
    tokens = vocab.tokenize(args.doc.read_text().encode(), add_bos=False)[:args.tokens]
    text = vocab.detokenize(tokens).decode(errors="ignore")
    cores = os.cpu_count() or 1
    tried = settings_to_try(cores, len(tokens))
    print(f"{args.doc.name}: {len(tokens)} tokens, {cores} cores, {args.repeats} repeats, "
          f"llama-cpp-python {llama_cpp.__version__}")
    contexts = {s: s.open(model) for s in tried}
    runs: dict[Setting, list[float]] = {s: [] for s in tried}
    product: list[float] = []
    product_tokens = 0
    for _ in range(args.repeats):
        for setting, llama in contexts.items():
            runs[setting].append(time_eval(llama, tokens))
        seconds, product_tokens = product_first_token(text)
        product.append(seconds)
    medians = {s: statistics.median(t) for s, t in runs.items()}
    fastest = min(medians, key=medians.get)
    print(f"\n{'setting':<52} {'median s':>9} {'tok/s':>7} {'vs fastest':>10}")
    for setting in tried:
        m = medians[setting]
        print(f"{setting.label():<52} {m:9.2f} {len(tokens) / m:7.1f} "
              f"{medians[fastest] / m:10.2f}")
    for kv in ("f16", "q8_0"):
        setting = next((s for s in tried if s.kv_type == kv and s.flash_attn), None)
        if setting:
            per_token = state_bytes_per_token(contexts[setting], tokens)
            print(f"saved KV state, {kv}: {per_token / 1024:.1f} KiB per token")
    p = statistics.median(product)
    raw_rate, product_rate = len(tokens) / medians[fastest], product_tokens / p
    print(f"\nfastest raw: {fastest.label()}")
    print(f"product (full's prompt via LlamaCppLLM, defaults): {product_tokens} tokens, first "
          f"token {p:.2f} s = {product_rate:.1f} tok/s; raw fastest {raw_rate:.1f} tok/s -> "
          f"ratio {product_rate / raw_rate:.2f} (target >= 0.95; compared per token because "
          "the product's prompt adds the chat template and the question)")


if __name__ == "__main__":
    main()
