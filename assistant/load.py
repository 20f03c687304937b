"""Stage 1: read the corpus folder into cleaned ``Document``s.

Metadata comes from ``corpus/sources.yaml`` (keyed by path relative to the corpus
folder) and/or YAML front matter at the top of a Markdown file. Loaders exist for
.txt, .md, .pdf, .docx and .html; a file that cannot be read is reported by name
in ``LoadResult.problems`` and skipped, and the rest is loaded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .swedish import normalize
from .types import Document

METADATA_FILE = "sources.yaml"
SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm"}
IGNORED_NAMES = {METADATA_FILE, "README.md", ".gitkeep"}
METADATA_FIELDS = ("title", "publisher", "date", "kind", "language", "kommun", "lan", "url", "law", "register")

# Lines that are web or conversion debris, never content.
BOILERPLATE_LINE_PATTERNS = [
    r"\(Obligatoriskt fält\)(\s*\(Obligatoriskt fält\))*",
    r"Related posts",
    r"Relaterade inlägg",
    r"Ikon för .*",
    r"(Stillbild|Illustration|illustration|Bild|Foto)( från| med| som|:).*",
    r".*, mer information",
    r"Dela( på)? (Facebook|Twitter|LinkedIn|X)",
    r"Läs mer",
    r"Skriv ut",
    r"Save this PDF as:.*",
    r"Hoppa till (huvudmenyn|innehållet).*",
]
_BOILERPLATE_RE = re.compile(r"^\s*(?:" + "|".join(BOILERPLATE_LINE_PATTERNS) + r")\s*$")
_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


@dataclass
class LoadProblem:
    path: str
    message: str  # Swedish, shown to the person running ingest


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)


class UnreadableFile(Exception):
    """Raised by a loader when a file is broken or not what its name says."""


# ---------------------------------------------------------------- raw readers


def _decode_text(raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise UnreadableFile("filen innehåller binärdata, inte text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"filen är inte UTF-8-kodad (fel vid byte {exc.start}); spara den som UTF-8 och försök igen"
        ) from exc


def read_text_file(path: Path) -> str:
    return _decode_text(path.read_bytes())


def read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, OSError, TypeError) as exc:
        raise UnreadableFile(f"PDF-filen går inte att läsa ({exc.__class__.__name__}: {exc})") from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise UnreadableFile("PDF-filen innehåller ingen text (kanske en inskannad bild)")
    return text


def read_docx(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import OpcError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(f"Word-filen går inte att läsa ({exc.__class__.__name__})") from exc
    lines = []
    for para in document.paragraphs:
        style = (para.style.name or "").lower() if para.style is not None else ""
        text = para.text.strip()
        if not text:
            lines.append("")
        elif style.startswith("heading") or style.startswith("rubrik") or style == "title":
            lines.append("# " + text)
        else:
            lines.append(text)
    return "\n\n".join(lines)


def read_html(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode_text(path.read_bytes()), "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "form", "noscript", "aside"]):
        tag.decompose()
    lines = []
    body = soup.body or soup
    for el in body.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "blockquote", "pre"]):
        if el.find(["p", "li"]):  # containers: their children are visited on their own
            continue
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        lines.append(("# " + text) if el.name in {"h1", "h2", "h3", "h4"} else text)
    if not lines:
        lines = [line.strip() for line in body.get_text("\n").splitlines()]
    return "\n\n".join(lines)


READERS = {
    ".txt": read_text_file,
    ".md": read_text_file,
    ".markdown": read_text_file,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
}


def html_title(path: Path) -> str:
    try:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        return soup.title.get_text(strip=True) if soup.title else ""
    except Exception:  # a missing title is not an error worth reporting
        return ""


# ------------------------------------------------------------------ cleaning


def split_front_matter(text: str) -> tuple[dict, str]:
    m = _FRONT_MATTER_RE.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise UnreadableFile(f"front matter är inte giltig YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise UnreadableFile("front matter måste vara en YAML-mappning")
    return meta, text[m.end() :]


def _strip_markdown_inline(line: str) -> str:
    line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", line)  # images
    line = re.sub(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)", r"\1", line)  # links keep their label
    line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
    line = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"\1", line)
    line = line.replace("**", "").replace("\\", "")
    return line


def _is_bold_line(raw: str) -> bool:
    s = raw.strip()
    return len(s) > 4 and s.startswith("**") and s.endswith("**") and s.count("**") == 2


def _looks_like_heading(line: str, next_line: str) -> bool:
    """A short line without sentence punctuation or digits, followed by a paragraph."""
    s = line.strip()
    return (
        0 < len(s) <= 60
        and not re.search(r"[.!?,;]|\d", s.rstrip(":"))
        and s[0].isupper()
        and len(next_line.strip()) > 80
    )


def _clean_lines(raw: str) -> list[tuple[str, bool, bool]]:
    """(text, marked_as_heading, emphasised) per line; blank lines kept as ("", False, False)."""
    out = []
    for ln in normalize(raw).split("\n"):
        s = ln.strip()
        if not s:
            out.append(("", False, False))
            continue
        heading = s.startswith("#") or _is_bold_line(s)
        emphasised = s.startswith("*") and not heading
        text = _strip_markdown_inline(s.lstrip("#").strip())
        text = re.sub(r"^[·•▪◦●\-–*]\s+", "", text)  # list bullets
        text = re.sub(r"\s+", " ", text).strip()
        if text and not _BOILERPLATE_RE.match(text):
            out.append((text, heading, emphasised))
    return out


def _join_page_breaks(lines: list[tuple[str, bool, bool]]) -> list[tuple[str, bool, bool]]:
    """Join a line broken by a page break: it ends mid-sentence and goes on in lower case."""
    joined: list[tuple[str, bool, bool]] = []
    for text, heading, emph in lines:
        if joined and text and text[0].islower() and not heading:
            j = len(joined) - 1
            while j >= 0 and not joined[j][0]:
                j -= 1
            if j >= 0 and len(joined) - 1 - j <= 4:
                prev, prev_heading, prev_emph = joined[j]
                if not prev_heading and prev[-1] not in ".!?:;":
                    joined[j] = (prev + " " + text, False, prev_emph)
                    del joined[j + 1 :]
                    continue
        joined.append((text, heading, emph))
    return joined


def clean_text(raw: str) -> str:
    """Remove debris and repeats; keep headings as lines starting with "# "."""
    lines = _join_page_breaks(_clean_lines(raw))
    content = [ln for ln in lines if ln[0]]
    out: list[str] = []
    seen: set[str] = set()
    for i, (text, heading, emphasised) in enumerate(content):
        key = text.lower()
        if key in seen and len(text) > 30:  # exact repeat of a paragraph
            continue
        seen.add(key)
        nxt = content[i + 1][0] if i + 1 < len(content) else ""
        if heading or (not emphasised and _looks_like_heading(text, nxt)):
            out.append("# " + text.rstrip(":").strip())
        else:
            out.append(text)
    # A heading with nothing under it (the end of the document) is dropped.
    while out and out[-1].startswith("# "):
        out.pop()
    return "\n".join(out)


# ------------------------------------------------------------------ metadata


def doc_id_for(relative_path: str) -> str:
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", relative_path)
    slug = re.sub(r"[^a-z0-9åäö]+", "-", stem.lower()).strip("-")
    return slug or hashlib.sha1(relative_path.encode()).hexdigest()[:12]


def read_metadata_file(corpus_dir: Path) -> tuple[dict[str, dict], list[LoadProblem]]:
    path = corpus_dir / METADATA_FILE
    if not path.exists():
        return {}, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return {}, [LoadProblem(METADATA_FILE, f"metadatafilen går inte att läsa: {exc}")]
    if not isinstance(data, dict):
        return {}, [LoadProblem(METADATA_FILE, "metadatafilen måste vara en mappning från filnamn till fält")]
    return {str(k): (v or {}) for k, v in data.items() if isinstance(v, dict) or v is None}, []


def _metadata_value(meta: dict, key: str) -> str:
    value = meta.get(key, "")
    return "" if value is None else str(value).strip()


EASY_READ = "lättläst"
_EASY_READ_SPELLINGS = {"lättläst", "lattlast", "lätt svenska", "easy-read", "easy read", "easy_read"}


def normalize_register(value: str) -> str:
    """"lättläst" for every accepted spelling of an easy-read register; other values as written."""
    return EASY_READ if value.strip().lower() in _EASY_READ_SPELLINGS else value.strip()


def build_document(relative: str, text: str, meta: dict, fallback_title: str) -> Document:
    fields = {k: _metadata_value(meta, k) for k in METADATA_FIELDS}
    fields["title"] = fields["title"] or fallback_title
    fields["language"] = fields["language"] or "sv"
    fields["register"] = normalize_register(fields["register"])
    return Document(doc_id=doc_id_for(relative), source=relative, text=text, **fields)


def _fallback_title(cleaned: str, path: Path) -> str:
    for line in cleaned.split("\n"):
        if line.strip():
            return line.lstrip("# ").strip()[:120]
    return path.stem


def load_file(path: Path, relative: str, meta: dict) -> Document:
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise UnreadableFile(f"filtypen {suffix or '(ingen)'} stöds inte (stöds: {', '.join(sorted(READERS))})")
    raw = reader(path)
    front, raw = split_front_matter(raw) if suffix in {".md", ".markdown"} else ({}, raw)
    merged = {**meta, **front}
    cleaned = clean_text(raw)
    if not cleaned.strip():
        raise UnreadableFile("filen är tom eller innehåller ingen läsbar text")
    title = html_title(path) if suffix in {".html", ".htm"} else ""
    return build_document(relative, cleaned, merged, title or _fallback_title(cleaned, path))


def iter_corpus_files(corpus_dir: Path) -> list[Path]:
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        if not path.is_file() or path.name in IGNORED_NAMES or path.name.startswith("."):
            continue
        if any(part.startswith(".") for part in path.relative_to(corpus_dir).parts):
            continue
        files.append(path)
    return files


def load_corpus(corpus_dir: Path) -> LoadResult:
    """Load every supported file under ``corpus_dir``; report and skip the ones that fail."""
    result = LoadResult()
    if not corpus_dir.is_dir():
        result.problems.append(LoadProblem(str(corpus_dir), "korpusmappen finns inte"))
        return result
    metadata, problems = read_metadata_file(corpus_dir)
    result.problems.extend(problems)
    for path in iter_corpus_files(corpus_dir):
        relative = path.relative_to(corpus_dir).as_posix()
        try:
            result.documents.append(load_file(path, relative, metadata.get(relative, {})))
        except UnreadableFile as exc:
            result.problems.append(LoadProblem(relative, str(exc)))
        except OSError as exc:
            result.problems.append(LoadProblem(relative, f"filen går inte att öppna: {exc.strerror or exc}"))
    known = {d.source for d in result.documents} | {p.path for p in result.problems}
    for listed in sorted(set(metadata) - known):
        result.problems.append(LoadProblem(listed, f"nämns i {METADATA_FILE} men filen finns inte"))
    return result
