"""`lss-assistant`: a thin command line over the package (ingest, ask, retrieve, serve, eval)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _quiet_libraries() -> None:
    """Model-loading chatter is noise for a person at the command line."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    for name in ("transformers", "sentence_transformers", "chromadb", "httpx"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass


def cmd_ingest(args) -> int:
    from .config import load_settings
    from .index import EmptyCorpus, IngestRunning, StoreUnavailable, ingest

    settings = load_settings()
    print(f"Läser korpusen i {settings.corpus_dir} ...", file=sys.stderr)
    try:
        report = ingest(settings, progress=not args.quiet)
    except EmptyCorpus as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 2
    except IngestRunning as exc:
        print(f"Fel: {exc.message}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"Fel: dokumentdatabasen går inte att nå: {exc}", file=sys.stderr)
        return 2
    print(report.summary_sv())
    return 0


def _read_history(path: str | None) -> list[dict]:
    if not path:
        return []
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"Fel: kan inte läsa historikfilen {path}: {exc}")
    return data


def _open_assistant():
    from .service import Assistant, IndexNotReady, StoreUnavailable

    try:
        return Assistant.open()
    except IndexNotReady as exc:
        print(exc.message, file=sys.stderr)
        raise SystemExit(3)
    except StoreUnavailable as exc:
        print(f"Dokumentdatabasen går inte att nå just nu: {exc}", file=sys.stderr)
        raise SystemExit(3)


def _print_readable(answer) -> None:
    print(answer.answer)
    if answer.citations:
        print("\nKällor:")
        for c in answer.citations:
            p = c.passage
            meta = ", ".join(x for x in (p.publisher, p.date) if x)
            print(f"[{c.id}] {p.title} ({meta}) – {p.source}")
            print(f"    ”{' '.join(c.quote.split())}”")


def cmd_ask(args) -> int:
    from .service import QuestionError

    assistant = _open_assistant()
    history = _read_history(args.history)
    try:
        answer = assistant.ask(args.question, history, easy_read=args.easy_read)
    except QuestionError as exc:
        if args.json:
            print(json.dumps({"error": {"code": exc.code, "message": exc.message}}, ensure_ascii=False))
        else:
            print(exc.message, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=None))
    else:
        _print_readable(answer)
    return 0


def cmd_retrieve(args) -> int:
    from .service import QuestionError

    assistant = _open_assistant()
    try:
        results = assistant.retrieve(args.question, k=args.k, mode=args.mode)
    except QuestionError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    rows = [
        {"passage_id": sp.passage.passage_id, "source": sp.passage.source, "title": sp.passage.title,
         "text": sp.passage.text, "score": round(sp.score, 6)}
        for sp in results
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for i, r in enumerate(rows, 1):
            print(f"{i}. {r['score']:.4f}  {r['title']}  ({r['passage_id']})")
            print("   " + " ".join(r["text"].split())[:200])
    return 0


def cmd_chat(args) -> int:
    """An interactive question loop in the terminal (the app is `serve`)."""
    from .service import QuestionError

    assistant = _open_assistant()
    history: list[dict] = []
    print("LSS-assistenten. Skriv en fråga (tom rad eller Ctrl-D avslutar, 'ny' börjar om).")
    while True:
        try:
            question = input("\nFråga: ").strip()
        except EOFError:
            break
        if not question:
            break
        if question.lower() == "ny":
            history = []
            continue
        try:
            answer = assistant.ask(question, history)
        except QuestionError as exc:
            print(exc.message)
            continue
        _print_readable(answer)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
    return 0


def cmd_serve(args) -> int:
    try:
        from .web import serve
    except ImportError as exc:  # the web stage is optional for a pure CLI install
        print(f"Webbappen är inte tillgänglig: {exc}", file=sys.stderr)
        return 2
    from .config import load_settings

    serve(load_settings(), host=args.host, port=args.port)
    return 0


def cmd_eval(args) -> int:
    from evals.runner import main as eval_main

    return eval_main(args.eval_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lss-assistant", description="LSS-assistenten: frågor och svar om LSS med källor.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="läs in korpusen och bygg/uppdatera sökindexet")
    p.add_argument("--quiet", action="store_true", help="ingen förloppsindikator")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="ställ en fråga")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="skriv svaret som ett JSON-objekt")
    p.add_argument("--history", help="JSON-fil med tidigare samtal: [{role, content}, ...]")
    p.add_argument("--easy-read", action="store_true", help="lättläst svar")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("retrieve", help="visa de passager som hämtas för en fråga")
    p.add_argument("question")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--mode", choices=["hybrid", "rrf", "dense", "bm25"], default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retrieve)

    p = sub.add_parser("chat", help="frågor i terminalen, med följdfrågor")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("serve", help="starta chattappen, API:t och widgeten")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("eval", help="kör utvärderingen (se evals/)")
    p.add_argument("eval_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _quiet_libraries()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
