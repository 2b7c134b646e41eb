"""What `longdoc doctor` asks of the model layer: the llama-cpp-python build, the models on
disk, and whether the default context's KV cache fits in free memory."""

from __future__ import annotations

from pathlib import Path

from longdoc.core.checks import FAIL, INFO, OK, WARN, Check
from longdoc.core.errors import LongdocError
from longdoc.llm.model_store import DEFAULT_MODEL, KNOWN_MODELS, check_gguf, models_dir

GPU_BACKENDS = ("CUDA", "METAL", "VULKAN", "HIP", "SYCL")


def llama_build() -> Check:
    """llama-cpp-python's version, and whether this build can offload layers to a GPU."""
    try:
        import llama_cpp
    except ImportError as exc:
        return Check("model", "llama-cpp-python", FAIL, f"cannot be imported ({exc})",
                     "pip install --force-reinstall llama-cpp-python")
    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    if llama_cpp.llama_supports_gpu_offload():
        backend = next((b for b in GPU_BACKENDS if b in info.upper()), "a GPU backend")
        detail = f"{llama_cpp.__version__}, GPU offload supported ({backend})"
    else:
        detail = f"{llama_cpp.__version__}, CPU only (this build has no GPU offload)"
    return Check("model", "llama-cpp-python", OK, detail)


def model_checks() -> list[Check]:
    """Each known model: installed, assembled into the cache, and its sha256."""
    from longdoc.llm.model_store import describe_known

    checks = []
    for row in describe_known():
        known = KNOWN_MODELS[row["name"]]
        target = Path(row["path"])
        stamp = target.with_suffix(".sha256")
        name = row["name"] + (" (default)" if row["default"] else "")
        if row["assembled"]:
            size_ok = target.stat().st_size == known.size
            stamped = stamp.read_text().strip() if stamp.exists() else ""
            if size_ok and stamped == known.sha256:
                checks.append(Check("model", name, OK, f"{target} sha256 {known.sha256}"))
            else:
                checks.append(Check("model", name, FAIL, f"{target} is not the verified file "
                                    f"(size or sha256 {stamped[:16] or 'unknown'} differs from "
                                    f"{known.sha256[:16]})",
                                    f"rm {target}  (it is assembled again on next use)"))
        elif row["installed"]:
            checks.append(Check("model", name, OK, f"installed; assembled into {models_dir()} "
                                f"on first use (sha256 {known.sha256})"))
        else:
            status = FAIL if row["default"] else INFO
            checks.append(Check("model", name, status, "not installed", known.install_hint))
    return checks


def model_file(ref: str | None) -> Path | None:
    """The GGUF file `ref` names, without assembling anything (None: not there yet)."""
    ref = ref or DEFAULT_MODEL
    if ref in KNOWN_MODELS:
        path = models_dir() / KNOWN_MODELS[ref].filename
        return path if path.exists() else None
    path = Path(ref).expanduser()
    check_gguf(path)
    return path


def memory_check(ref: str | None, ctx: int | None) -> Check:
    """The context a load would get, its KV cache, and the memory free for it now."""
    from longdoc.llm.gguf import (
        MAX_DEFAULT_CTX,
        default_context,
        free_memory,
        kv_bytes_per_token,
        read_metadata,
    )

    try:
        path = model_file(ref)
        if path is None:
            return Check("memory", "context", INFO, "the model is not assembled yet; checked "
                         "once it is (longdoc models)")
        metadata = read_metadata(path)
    except LongdocError as exc:
        return Check("memory", "context", FAIL, str(exc), "longdoc config  (check the model)")
    per_token, free = kv_bytes_per_token(metadata), free_memory()
    arch = metadata.get("general.architecture", "llama")
    trained = int(metadata.get(f"{arch}.context_length", 0) or 0) or MAX_DEFAULT_CTX
    fits = default_context(metadata)
    n_ctx = ctx or fits
    detail = (f"context {n_ctx:,} tokens ({'configured' if ctx else 'default'}; trained "
              f"{trained:,}): KV cache {per_token * n_ctx / 2**20:,.0f} MiB, "
              f"{free / 2**30:,.1f} GiB free")
    if ctx and per_token * ctx > free:
        return Check("memory", "context", FAIL, detail, f"--ctx {fits} (or LONGDOC_CTX={fits}, "
                     "or leave ctx unset)")
    if not ctx and fits < min(trained, MAX_DEFAULT_CTX):
        return Check("memory", "context", WARN, detail + "; free memory caps the default",
                     "free memory, or pass a smaller --ctx knowingly")
    return Check("memory", "context", OK, detail)
