"""Adding a document to the corpus folder safely (used by POST /api/admin/upload).

Every check happens before anything is written: a safe, normalised file name (no
folders, no hidden files, no reserved names), the type by extension AND by content,
the loader can really read it, and the metadata is plain text. The file is written
under a hidden temporary name (the loader skips those) and then linked or renamed
into place, so an ingest never sees half a file; sources.yaml is rewritten whole
(atomically) and re-read to check that no other entry changed.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import threading
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .load import IGNORED_NAMES, METADATA_FILE, UnreadableFile, load_file

ALLOWED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html")
METADATA_UPLOAD_FIELDS = ("title", "publisher", "date", "kind", "kommun", "lan")
MAX_NAME_CHARS = 120
MAX_FIELD_CHARS = {"title": 300, "publisher": 200, "date": 10, "kind": 60, "kommun": 80, "lan": 80}

# Magic numbers of formats that are never text.
_BINARY_MAGIC = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x7fELF",
    b"MZ",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\xd0\xcf\x11\xe0",  # old MS Office
)
_HTML_TAG_RE = re.compile(r"<\s*(!doctype\s+html|html|head|body|p|div|h[1-6]|article|main|section|ul|table)\b", re.I)
_HTML_DOC_RE = re.compile(r"^\s*<\s*(!doctype\s+html|html)\b", re.I)
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

_sources_lock = threading.Lock()


class UploadError(ValueError):
    """A refused upload: ``code`` is a stable identifier, ``params`` fill the Swedish message."""

    def __init__(self, code: str, **params: object):
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params


@dataclass
class StoredUpload:
    name: str
    bytes: int
    overwritten: bool
    metadata: dict = field(default_factory=dict)
    title: str = ""

    def to_dict(self) -> dict:
        return {
            "stored": self.name,
            "bytes": self.bytes,
            "overwritten": self.overwritten,
            "metadata": self.metadata,
            "title": self.title,
        }


# ------------------------------------------------------------------ names


def safe_filename(raw: str | None) -> str:
    """A file name safe to create in the corpus folder, normalised (NFC, lower case, spaces and
    odd characters to "-"). Refuses folders, traversal, hidden and reserved names."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise UploadError("upload_bad_name", detail="filnamnet saknas")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise UploadError("upload_bad_name", detail="filnamnet innehåller styrtecken")
    if "/" in name or "\\" in name or "\x00" in name:
        raise UploadError("upload_bad_name", detail="filnamnet får inte innehålla / eller \\ (inga mappar)")
    if name.startswith("."):
        raise UploadError("upload_bad_name", detail="dolda filer (namn som börjar med punkt) tas inte emot")
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower()
    stem = re.sub(r"\s+", "-", stem.lower())
    stem = re.sub(r"[^\w.-]", "-", stem)
    stem = re.sub(r"-{2,}", "-", re.sub(r"\.{2,}", ".", stem)).strip("-._")
    if not stem:
        raise UploadError("upload_bad_name", detail="filnamnet saknar bokstäver eller siffror")
    result = stem[: MAX_NAME_CHARS - len(suffix)].rstrip("-._") + suffix
    if result in IGNORED_NAMES or result.lower() in {n.lower() for n in IGNORED_NAMES}:
        raise UploadError("upload_bad_name", detail=f"{result} är ett reserverat namn i korpusmappen")
    return result


# ------------------------------------------------------------------ content


def check_type(name: str, data: bytes) -> None:
    """The extension must be allowed and the content must be what the extension says."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError("upload_bad_type", allowed=", ".join(ALLOWED_SUFFIXES))
    if not data:
        raise UploadError("upload_unreadable", detail="filen är tom")
    problem = _content_problem(suffix, data)
    if problem:
        raise UploadError("upload_content_mismatch", ext=suffix, detail=problem)


def _content_problem(suffix: str, data: bytes) -> str | None:
    head = data[:4096]
    if suffix == ".pdf":
        return None if b"%PDF-" in data[:1024] else "filen börjar inte som en PDF (%PDF-)"
    if suffix == ".docx":
        if not data.startswith(b"PK\x03\x04"):
            return "filen är inte en Word-fil (inget zip-arkiv)"
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip-arkivet är trasigt"
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            return "zip-arkivet är inte ett Word-dokument"
        return None
    # .txt, .md, .html: UTF-8 text
    if b"\x00" in head or any(data.startswith(m) for m in _BINARY_MAGIC):
        return "filen innehåller binärdata, inte text"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"texten är inte UTF-8-kodad (fel vid byte {exc.start})"
    controls = sum(1 for ch in text[:4096] if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls > max(2, len(text[:4096]) // 100):
        return "texten innehåller många styrtecken"
    if suffix == ".html":
        return None if _HTML_TAG_RE.search(text[:16384]) else "filen innehåller inga HTML-taggar"
    if _HTML_DOC_RE.match(text):
        return "filen är ett HTML-dokument; ladda upp det som .html"
    return None


# ------------------------------------------------------------------ metadata


def clean_metadata(fields: dict[str, object]) -> dict[str, str]:
    """The metadata fields that were given (non-empty), as plain one-line text."""
    out: dict[str, str] = {}
    for key in METADATA_UPLOAD_FIELDS:
        value = fields.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise UploadError("upload_bad_metadata", detail=f"{key} måste vara text")
        text = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cf") else " " for ch in value)
        text = " ".join(unicodedata.normalize("NFC", text).split())
        if not text:
            continue
        if len(text) > MAX_FIELD_CHARS[key]:
            raise UploadError("upload_bad_metadata", detail=f"{key} är längre än {MAX_FIELD_CHARS[key]} tecken")
        if key == "date":
            _check_date(text)
        out[key] = text
    return out


def _check_date(text: str) -> None:
    if not _DATE_RE.match(text):
        raise UploadError("upload_bad_metadata", detail="date ska skrivas ÅÅÅÅ, ÅÅÅÅ-MM eller ÅÅÅÅ-MM-DD")
    parts = [int(p) for p in text.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise UploadError("upload_bad_metadata", detail=f"date {text} finns inte") from exc


def _read_sources(path: Path) -> tuple[str, dict]:
    if not path.exists():
        return "", {}
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise UploadError("sources_invalid") from exc
    if not isinstance(data, dict):
        raise UploadError("sources_invalid")
    return text, data


def _entry_block_span(lines: list[str], name: str) -> tuple[int, int] | None:
    """Lines [start, end) of the top-level entry ``name`` (its key line and its indented body)."""
    start = None
    for i, line in enumerate(lines):
        top = line[:1] not in ("", " ", "\t", "#", "\n")
        if start is None:
            if top:
                try:
                    parsed = yaml.safe_load(line)
                except yaml.YAMLError:
                    continue
                if isinstance(parsed, dict) and list(parsed) == [name]:
                    start = i
        elif top or line.startswith("#"):
            return start, i
    return (start, len(lines)) if start is not None else None


def write_metadata(corpus_dir: Path, name: str, metadata: dict[str, str]) -> dict:
    """Merge ``metadata`` into the entry ``name`` of corpus_dir/sources.yaml; keep every other
    entry and the comments; write atomically. Returns the entry as stored."""
    path = corpus_dir / METADATA_FILE
    with _sources_lock:
        text, data = _read_sources(path)
        entry = dict(data.get(name) or {})
        entry.update(metadata)
        block = yaml.safe_dump({name: entry}, allow_unicode=True, sort_keys=False, default_flow_style=False)
        lines = text.splitlines(keepends=True)
        span = _entry_block_span(lines, name) if name in data else None
        if span:
            new_text = "".join(lines[: span[0]]) + block + "".join(lines[span[1] :])
        else:
            new_text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block
        expected = {**data, name: entry}
        try:
            ok = yaml.safe_load(new_text) == expected
        except yaml.YAMLError:
            ok = False
        if not ok:  # the text edit went wrong somehow: write the whole mapping (comments are lost)
            new_text = yaml.safe_dump(expected, allow_unicode=True, sort_keys=False, default_flow_style=False)
        _atomic_write(path, new_text.encode("utf-8"))
        return entry


def _create_new(tmp: Path, target: Path, data: bytes, name: str) -> None:
    """Put the checked file at ``target`` only if nothing is there (no race with another upload)."""
    try:
        os.link(tmp, target)
        return
    except FileExistsError as exc:
        raise UploadError("upload_exists", name=name) from exc
    except OSError:
        pass  # a file system without hard links: create exclusively instead
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError as exc:
        raise UploadError("upload_exists", name=name) from exc
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------ storing


def store_document(
    corpus_dir: Path, raw_name: str | None, data: bytes, *, overwrite: bool = False, metadata: dict | None = None
) -> StoredUpload:
    """Check and store one uploaded document in ``corpus_dir`` (not in a sub-folder).

    Raises UploadError (nothing written) when the name, type, content or metadata is
    refused, when the loader cannot read the file, or when it exists and ``overwrite``
    is false.
    """
    name = safe_filename(raw_name)
    check_type(name, data)
    meta = clean_metadata(metadata or {})
    corpus = corpus_dir.resolve()
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / name
    if target.parent != corpus:  # cannot happen after safe_filename; kept as a last guard
        raise UploadError("upload_bad_name", detail="filen hamnar utanför korpusmappen")
    if meta:
        _read_sources(corpus / METADATA_FILE)  # refuse before writing anything if it is broken
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise UploadError("upload_exists", name=name)
    if target.exists() and not overwrite:
        raise UploadError("upload_exists", name=name)

    # A hidden temporary name (the loader skips it) with the right suffix (the loader needs it).
    fd, tmp_name = tempfile.mkstemp(dir=corpus, prefix=".upload-", suffix=Path(name).suffix)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        try:
            document = load_file(tmp, name, meta)
        except UnreadableFile as exc:
            raise UploadError("upload_unreadable", detail=str(exc)) from exc
        except Exception as exc:  # a parser's unexpected error is still the file's fault
            raise UploadError("upload_unreadable", detail=exc.__class__.__name__) from exc
        existed = target.exists()
        if overwrite:
            os.replace(tmp, target)
        else:
            _create_new(tmp, target, data, name)
    finally:
        tmp.unlink(missing_ok=True)
    stored = write_metadata(corpus, name, meta) if meta else {}
    return StoredUpload(name=name, bytes=len(data), overwritten=existed, metadata=stored, title=document.title)
