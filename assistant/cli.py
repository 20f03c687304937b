"""`lss-assistant`: a thin command line over the package (ingest, ask, retrieve, chat, serve, add,
report gaps, eval)."""

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
    # transformers reads these when it is imported, which only a command that embeds does:
    # importing it here just to quiet it cost every command (an unchanged ingest too) ~0.5 s.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


def cmd_ingest(args) -> int:
    from .config import load_settings

    settings = load_settings()
    print(f"Läser korpusen i {settings.corpus_dir} ...", file=sys.stderr)
    report = _ingest_or_explain(settings, args.quiet)
    if report is None:
        return 2
    print(report.summary_sv())
    return 0


def _ingest_or_explain(settings, quiet: bool, file_saved: bool = False):
    """ingest()'s report, or None after telling the user in Swedish why it could not run (and, after
    `add`, that the file is saved all the same)."""
    from .index import EmptyCorpus, IngestRunning, StoreUnavailable, ingest

    later = " Filen är sparad; kör lss-assistant ingest senare." if file_saved else ""
    try:
        return ingest(settings, progress=not quiet)
    except (EmptyCorpus, FileNotFoundError) as exc:
        print(f"Fel: {exc}", file=sys.stderr)
    except IngestRunning as exc:
        print(f"Fel: {exc.message}{later}", file=sys.stderr)
    except StoreUnavailable as exc:
        print(f"Fel: dokumentdatabasen går inte att nå: {exc}{'.' + later if later else ''}", file=sys.stderr)
    return None


def _read_history(path: str | None) -> list[dict]:
    if not path:
        return []
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"Fel: kan inte läsa historikfilen {path}: {exc}")
    return data


def _open_assistant():
    from .service import Assistant, IndexNotReady, LLMUnavailable, StoreUnavailable

    try:
        return Assistant.open()
    except IndexNotReady as exc:
        print(exc.message, file=sys.stderr)
        raise SystemExit(3)
    except StoreUnavailable as exc:
        print(f"Dokumentdatabasen går inte att nå just nu: {exc}", file=sys.stderr)
        raise SystemExit(3)
    except LLMUnavailable as exc:
        print(f"Språkmodellen (LSS_LLM) går inte att använda: {exc}", file=sys.stderr)
        raise SystemExit(3)


def _print_readable(answer) -> None:
    from .web.render import summary_label

    print(answer.answer)
    if answer.citations:
        print("\nKällor:")
        for c in answer.citations:
            p = c.passage
            meta = ", ".join(x for x in (p.publisher, p.date) if x)
            old = f"  [äldre källa ({p.date[:4]})]" if c.stale else ""
            print(f"[{c.id}] {p.title} ({meta}) – {p.source}{old}")
            if p.law:
                print(f"    {summary_label(p.law)}")
            print(f"    ”{' '.join(c.quote.split())}”")


def cmd_ask(args) -> int:
    from .service import QuestionError

    assistant = _open_assistant()
    history = _read_history(args.history)
    try:
        answer = assistant.ask(args.question, history, easy_read=args.easy_read, kommun=args.kommun)
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


# Swedish messages for the refusals of assistant.upload (the web has its own in web/messages.py).
ADD_ERRORS = {
    "upload_bad_name": "Filnamnet går inte att använda: {detail}.",
    "upload_bad_type": "Filtypen stöds inte. Tillåtna filtyper: {allowed}.",
    "upload_content_mismatch": "Filens innehåll stämmer inte med filändelsen {ext}: {detail}.",
    "upload_unreadable": "Filen går inte att läsa in: {detail}.",
    "upload_bad_metadata": "Metadata är felaktig: {detail}.",
    "upload_exists": "Det finns redan en fil som heter {name} i korpusen. Använd --force om du vill ersätta den.",
    "sources_invalid": "sources.yaml i korpusmappen går inte att läsa, så metadata kan inte sparas. Rätta filen först.",
}
LANGUAGE_RE = r"^[a-z]{2,3}(-[A-Za-z]{2})?$"


def cmd_add(args) -> int:
    """Check a document, copy it into the corpus with its metadata, then ingest incrementally."""
    import re

    from .config import load_settings
    from .upload import UploadError, store_document, write_metadata

    settings = load_settings()
    source = Path(args.path)
    if not source.is_file():
        print(f"Fel: filen finns inte: {source}", file=sys.stderr)
        return 2
    if args.language is not None and not re.match(LANGUAGE_RE, args.language):
        print("Fel: --language ska vara en språkkod som sv, en eller fi.", file=sys.stderr)
        return 2
    fields = ("title", "publisher", "date", "kind", "kommun", "lan")
    metadata = {k: getattr(args, k) for k in fields if getattr(args, k) is not None}
    try:
        stored = store_document(
            settings.corpus_dir, args.name or source.name, source.read_bytes(), overwrite=args.force, metadata=metadata
        )
        if args.language:
            write_metadata(settings.corpus_dir.resolve(), stored.name, {"language": args.language})
    except UploadError as exc:
        template = ADD_ERRORS.get(exc.code, "Filen kunde inte läggas till ({code}).")
        try:
            message = template.format(code=exc.code, **exc.params)
        except (KeyError, IndexError):
            message = template
        print(f"Fel: {message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Fel: filen kunde inte kopieras: {exc}", file=sys.stderr)
        return 2
    what = "Ersatte" if stored.overwritten else "Lade till"
    print(f"{what} {stored.name} i {settings.corpus_dir} (titel: {stored.title})")
    if not metadata.get("date"):
        print("Obs: inget --date angavs, så källan visar inget datum och markeras aldrig som äldre.")
    print("Läser in korpusen (bara det som ändrats) ...", file=sys.stderr)
    report = _ingest_or_explain(settings, args.quiet, file_saved=True)
    if report is None:
        return 2
    print(report.summary_sv())
    return 1 if any(p.path == stored.name for p in report.problems) else 0


def cmd_report(args) -> int:
    from .config import load_settings
    from .gaps import gaps_report

    settings = load_settings()
    out = Path(args.out) if args.out else settings.data_dir / "reports"
    if args.days < 1:
        print("Fel: --days måste vara minst 1.", file=sys.stderr)
        return 2
    report = gaps_report(settings, out, days=args.days, threshold=args.threshold)
    print(report.summary_sv())
    return 0


def cmd_feedback_export(args) -> int:
    from .config import load_settings
    from .feedback import FeedbackStore, feedback_db_path

    settings = load_settings()
    if not feedback_db_path(settings).exists():
        print(f"Ingen återkoppling finns ännu ({feedback_db_path(settings)}).", file=sys.stderr)
        return 1
    count = FeedbackStore.from_settings(settings).export_csv(args.path)
    print(f"Skrev {count} rader till {args.path}")
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
    p.add_argument("--kommun", help="bara källor från den kommunen (och nationella)")
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

    p = sub.add_parser("add", help="lägg till ett dokument i korpusen (med metadata) och läs in det")
    p.add_argument("path", help="filen: .txt, .md, .pdf, .docx eller .html")
    p.add_argument("--title", help="titel (annars första raden i dokumentet)")
    p.add_argument("--publisher", help="utgivare, t.ex. \"Mjölby kommun\"")
    p.add_argument("--date", help="datum: ÅÅÅÅ, ÅÅÅÅ-MM eller ÅÅÅÅ-MM-DD")
    p.add_argument("--kommun", help="kommunen dokumentet gäller (tomt för nationella dokument)")
    p.add_argument("--lan", help="länet dokumentet gäller")
    p.add_argument("--kind", help="typ: protokoll, pressmeddelande, nyhet, vägledning, ...")
    p.add_argument("--language", help="språkkod (standard sv)")
    p.add_argument("--name", help="filnamn i korpusen (standard: filens eget namn, gjort säkert)")
    p.add_argument("--force", action="store_true", help="ersätt en fil med samma namn")
    p.add_argument("--quiet", action="store_true", help="ingen förloppsindikator")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("report", help="rapporter för föreningen (se: report gaps)")
    reports = p.add_subparsers(dest="report", required=True)
    r = reports.add_parser("gaps", help="frågor som källorna inte besvarar (avböjda och tumme ned), grupperade")
    r.add_argument("--out", help="mapp för rapporten (standard: <LSS_DATA_DIR>/reports)")
    r.add_argument("--days", type=int, default=90, help="hur många dagar bakåt (standard 90)")
    r.add_argument("--threshold", type=float, default=0.85, help="hur lika frågor ska vara för att grupperas (cosinus, standard 0.85)")
    r.set_defaults(func=cmd_report)

    p = sub.add_parser("feedback", help="återkoppling från appen (se: feedback export)")
    fb = p.add_subparsers(dest="feedback", required=True)
    f = fb.add_parser("export", help="skriv all återkoppling (redan maskad) till en CSV-fil")
    f.add_argument("path", help="CSV-filen som ska skrivas")
    f.set_defaults(func=cmd_feedback_export)

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
