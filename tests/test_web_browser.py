"""End to end in headless Chromium against `python app.py` on a free port (real index).

Covers the Gradio page (ask, open a citation, follow-up, Lättläst, feedback stored
redacted, errors, injection) and the widget on a host page from an allowed origin,
plus a host page from an origin that is not allowed. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import dataclasses
import http.server
import re
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

import web_helpers

pytestmark = [pytest.mark.slow, pytest.mark.browser]

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = web_helpers.ARTIFACTS / "web"
QUESTION = "Till vem ska kommunen rapportera beslut som inte har verkställts?"
INJECTION = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> Vad är LSS?'


# --- Host pages on other origins (each a separate 127.0.0.1 port) ---


class HostSite:
    """A static host page on its own port: a different origin from the assistant."""

    def __init__(self, root: Path):
        self.root = root
        handler = lambda *a, **kw: _QuietHandler(*a, directory=str(root), **kw)  # noqa: E731
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "HostSite":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def host_page(assistant_base: str, extra_body: str = "") -> str:
    return f"""<!doctype html><html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Kommunens sida</title></head>
<body><h1>Kommunens sida om LSS</h1><p>Vanlig text på värdsidan.</p>
<div style="height:2000px">Lång sida</div>{extra_body}
<script src="{assistant_base}/widget.js" data-title="Fråga om LSS" data-color="#0b5394" async></script>
</body></html>"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    allowed = HostSite(tmp_path_factory.mktemp("host-allowed")).start()
    denied = HostSite(tmp_path_factory.mktemp("host-denied")).start()
    yield allowed, denied
    allowed.stop()
    denied.stop()


@pytest.fixture(scope="module")
def server(built_index, sites, tmp_path_factory):
    allowed, _denied = sites
    settings = dataclasses.replace(
        built_index,
        feedback_db=tmp_path_factory.mktemp("feedback") / "feedback.sqlite",
        allowed_origins=(allowed.origin,),
        rate_limit=1000,
    )
    with web_helpers.AppServer(settings, web_helpers.ARTIFACTS / "web" / "server.log") as srv:
        for site in sites:
            (site.root / "host.html").write_text(host_page(srv.base), encoding="utf-8")
        yield srv


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (bash scripts/setup.sh --browser)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    # Swedish locale: Gradio then labels its own buttons in Swedish ("Gilla", "Ogilla").
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def shot(pg, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


# --- Gradio page ---


def bot_messages(pg):
    return pg.locator("#lss-chat .message.bot .message-content, #lss-chat .bot .message-content")


def ask_ui(pg, question: str, expected_bot_messages: int) -> str:
    pg.fill("#lss-question textarea", question)
    pg.press("#lss-question textarea", "Enter")
    return wait_bot(pg, expected_bot_messages)


def wait_bot(pg, count: int) -> str:
    """Wait until the conversation holds ``count`` finished turns; return the last reply's text."""
    pg.wait_for_function(
        """(n) => {
            const panel = document.querySelector('#lss-sources section[data-state]');
            if (!panel || panel.dataset.state === 'pending' || Number(panel.dataset.turns) !== n) return false;
            const bots = [...document.querySelectorAll('#lss-chat .message-content')].filter(m => m.closest('.bot'));
            return bots.length === n;
        }""",
        arg=count,
        timeout=60_000,
    )
    pg.wait_for_timeout(300)
    return bot_messages(pg).nth(count - 1).inner_text()


def test_gradio_chat_end_to_end(page, server):
    pg = page
    pg.goto(server.base + "/")
    pg.wait_for_selector("#lss-question textarea")
    assert pg.locator("h1").first.inner_text() == "LSS-assistenten"
    assert "ersätter inte" in pg.locator("#lss-header").inner_text()
    assert pg.evaluate("document.documentElement.lang") == "sv"
    shot(pg, "ui-01-start")

    # 1. A question gets an answer with an [n] marker; the marker opens the cited source.
    answer = ask_ui(pg, QUESTION, 1)
    assert "[1]" in answer
    cite = pg.locator("#lss-chat a.lss-cite").first
    # Click on the visible "[1]" (the link also holds a 1-pixel label for screen readers).
    cite.click(position={"x": 12, "y": 10})
    active = pg.locator("#lss-sources .lss-source-active")
    active.wait_for()
    mark = active.locator("details[open] mark")
    assert mark.is_visible()
    quote = active.locator(".lss-quote").inner_text().strip()
    assert quote and quote in active.locator("details p").inner_text()
    assert pg.evaluate("document.activeElement.classList.contains('lss-source')")
    meta = active.locator(".lss-source-meta").inner_text()
    assert any(ch.isdigit() for ch in meta)  # the date is shown
    shot(pg, "ui-02-answer-citation-open")

    # 2. A follow-up uses the conversation (sent as history).
    follow = ask_ui(pg, "Hur ofta ska det rapporteras?", 2)
    assert follow.strip() and "Något gick fel" not in follow
    assert pg.locator("#lss-chat .user").count() >= 2
    shot(pg, "ui-03-follow-up")

    # 3. Lättläst: larger text, and the question is asked in easy-read mode.
    size_before = pg.evaluate("parseFloat(getComputedStyle(document.querySelector('#lss-chat .message-content')).fontSize)")
    pg.get_by_label("Lättläst").check()
    pg.wait_for_function("document.documentElement.classList.contains('lss-easy-read')")
    size_after = pg.evaluate("parseFloat(getComputedStyle(document.querySelector('#lss-chat .message-content')).fontSize)")
    assert size_after > size_before
    ask_ui(pg, "Vad gör en kontaktperson enligt LSS?", 3)
    shot(pg, "ui-04-lattlast")
    pg.get_by_label("Lättläst").uncheck()

    # 4. Läs upp uses the browser's speech synthesis with the answer text (no server audio).
    pg.click("#lss-speak")
    spoken = pg.evaluate("window.lssLastSpoken || ''")
    assert spoken and "[1]" not in spoken
    pg.evaluate("window.lssStopSpeaking()")


def test_feedback_is_stored_redacted(page, server):
    pg = page
    pg.goto(server.base + "/")
    pg.wait_for_selector("#lss-question textarea")
    ask_ui(pg, "Vad gör en kontaktperson enligt LSS? Mitt personnummer är 19850709-9805.", 1)
    pg.get_by_role("button", name=re.compile("^(Gilla|Like)$")).last.click()
    pg.locator("#lss-comment textarea").wait_for()
    assert "Tack" in pg.locator("#lss-feedback-status").inner_text()
    pg.fill("#lss-comment textarea", "Ring mig på 070-123 45 67 eller anna@example.se")
    pg.click("#lss-send-comment")
    pg.wait_for_function("document.querySelector('#lss-feedback-status').innerText.includes('kommentar är sparad')")
    shot(pg, "ui-05-feedback")

    with sqlite3.connect(server.settings.feedback_db) as conn:
        rows = conn.execute("SELECT rating, question, comment, channel, passage_ids FROM feedback").fetchall()
    assert rows, "no feedback stored"
    rating, question, comment, channel, passage_ids = rows[-1]
    assert rating == "up" and channel == "ui"
    assert "[personnummer]" in question and "9805" not in question
    assert comment == "Ring mig på [telefon] eller [e-post]"
    assert passage_ids != "[]"


def test_errors_reset_and_injection_in_ui(page, server):
    pg = page
    pg.goto(server.base + "/")
    pg.wait_for_selector("#lss-question textarea")

    pg.click("#lss-send")  # empty question
    assert "Skriv en fråga" in wait_bot(pg, 1)
    pg.fill("#lss-question textarea", "x" * (server.settings.max_question_chars + 50))
    pg.click("#lss-send")
    assert "för lång" in wait_bot(pg, 2)

    # Injected markup is shown as text and never runs.
    ask_ui(pg, INJECTION, 3)
    pg.wait_for_timeout(500)
    assert pg.evaluate("window.__xss") is None
    assert not pg.dialogs
    user_text = pg.locator("#lss-chat .user .message-content").last.inner_text()
    assert "<img" in user_text and "<script>" in user_text
    assert pg.locator("#lss-chat img[src='x']").count() == 0
    shot(pg, "ui-06-injection")

    # Ny fråga clears the conversation and the source panel.
    pg.click("#lss-new")
    pg.wait_for_function("document.querySelectorAll('#lss-chat .message-content').length === 0")
    assert "visas här" in pg.locator("#lss-sources").inner_text()


@pytest.mark.parametrize("width,height,name", [(390, 844, "phone"), (640, 450, "zoom-200")])
def test_small_screens_have_no_horizontal_scroll(browser, server, width, height, name):
    # 200 % zoom of a 1280x900 window is a 640x450 CSS-pixel viewport.
    context = browser.new_context(locale="sv-SE", viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.goto(server.base + "/")
    pg.wait_for_selector("#lss-question textarea")
    ask_ui(pg, QUESTION, 1)
    overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    shot(pg, f"ui-07-{name}")
    # Keyboard: the question box and the send button are reachable with Tab.
    pg.focus("#lss-question textarea")
    pg.keyboard.press("Tab")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.tagName") in ("BUTTON", "INPUT", "TEXTAREA")
    context.close()


# --- Widget ---


def widget_frame(pg):
    return pg.frame_locator("#lss-assistant-widget iframe")


def ask_in_widget(pg, url: str, question: str):
    """Open the host page at ``url``, open the widget and send ``question``; returns the widget's frame."""
    pg.goto(url)
    pg.locator("#lss-assistant-widget button.launcher").click()
    frame = widget_frame(pg)
    box = frame.locator("#lss-input")
    box.wait_for()
    box.fill(question)
    frame.locator("#lss-send").click()
    return frame


def test_widget_on_allowed_host(page, server, sites):
    allowed, _ = sites
    pg = page
    pg.goto(allowed.origin + "/host.html")
    launcher = pg.locator("#lss-assistant-widget button.launcher")
    launcher.wait_for()
    scroll_before = pg.evaluate("[window.scrollX, window.scrollY, document.documentElement.scrollWidth]")
    shot(pg, "widget-01-closed", full_page=False)

    launcher.click()
    assert launcher.get_attribute("aria-expanded") == "true"
    frame = widget_frame(pg)
    box = frame.locator("#lss-input")
    box.wait_for()
    # Focus moved into the chat's question box when the panel opened.
    pg.wait_for_function("document.activeElement && document.activeElement.id === 'lss-assistant-widget'")
    box.evaluate("e => new Promise(r => { const t = () => document.activeElement === e ? r() : setTimeout(t, 50); t(); })")

    box.fill(QUESTION)
    box.press("Enter")
    cite = frame.locator(".lss-cite").first
    cite.wait_for(timeout=60_000)
    cite.click()
    active = frame.locator(".lss-citation.active")
    active.wait_for()
    assert active.locator(".lss-citation-title").inner_text().strip()
    assert active.locator("mark").inner_text().strip()
    assert any(ch.isdigit() for ch in active.locator(".lss-citation-date").inner_text())

    # Follow-up and Lättläst inside the widget.
    frame.locator("#lss-easy").click()
    assert frame.locator("#lss-easy").get_attribute("aria-pressed") == "true"
    box.fill("Hur ofta ska det rapporteras?")
    box.press("Enter")
    frame.locator(".lss-msg-bot").nth(1).locator(".lss-actions").wait_for(timeout=60_000)
    shot(pg, "widget-02-open-answer", full_page=False)

    # Injected markup stays text inside the widget too.
    box.fill(INJECTION)
    box.press("Enter")
    frame.locator(".lss-msg-bot").nth(2).locator(".lss-actions, .lss-answer").first.wait_for(timeout=60_000)
    pg.wait_for_timeout(500)
    assert frame.locator(".lss-msg-user .lss-answer").last.inner_text().startswith("<img")
    assert frame.locator("img").count() == 0
    assert not pg.dialogs

    # The host page was not scrolled or resized; Esc closes and focus returns to the button.
    assert pg.evaluate("[window.scrollX, window.scrollY, document.documentElement.scrollWidth]") == scroll_before
    box.press("Escape")
    pg.wait_for_function(
        "() => document.querySelector('#lss-assistant-widget').shadowRoot.querySelector('.panel').hidden"
    )
    assert launcher.get_attribute("aria-expanded") == "false"
    assert pg.evaluate("document.querySelector('#lss-assistant-widget').shadowRoot.activeElement.className") == "launcher"


def test_widget_at_phone_width(browser, server, sites):
    allowed, _ = sites
    context = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    frame = ask_in_widget(pg, allowed.origin + "/host.html", QUESTION)
    frame.locator(".lss-cite").first.wait_for(timeout=60_000)
    panel = pg.evaluate(
        "(() => { const r = document.querySelector('#lss-assistant-widget').shadowRoot.querySelector('.panel').getBoundingClientRect();"
        " return [r.width, r.height]; })()"
    )
    assert panel[0] <= 390 and panel[1] <= 844
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    shot(pg, "widget-03-phone", full_page=False)
    frame.locator("#lss-close").click()
    pg.wait_for_function("() => document.querySelector('#lss-assistant-widget').shadowRoot.querySelector('.panel').hidden")
    context.close()


def test_widget_marks_a_summary_of_the_law(page, server, sites):
    allowed, _ = sites
    frame = ask_in_widget(page, allowed.origin + "/host.html", "Kan jag överklaga ett beslut om insatser enligt LSS?")
    frame.locator(".lss-cite").first.wait_for(timeout=60_000)
    labels = frame.locator(".lss-citation-summary").all_inner_texts()
    assert labels, "a guidance citation must say it is a summary"
    # the label names the law and the version the summary was checked against
    expected = ("Sammanfattning av lag (1993:387) om stöd och service till vissa funktionshindrade, "
                "i lydelse t.o.m. SFS 2025:1494, inte lagtexten")
    assert all(t.strip() == expected for t in labels), labels


def test_widget_tells_a_greeting_from_a_question_the_sources_do_not_cover(page, server, sites):
    # "hej" got "Inga källor: assistenten hittade inget stöd i dokumenten" under "Hej! ..."
    allowed, _ = sites
    frame = ask_in_widget(page, allowed.origin + "/host.html", "hej")
    notice = frame.locator(".lss-msg-bot").first.locator(".lss-msg-notice")
    notice.wait_for(timeout=60_000)
    assert notice.inner_text().startswith("Inga källor behövs här")
    box = frame.locator("#lss-input")
    box.fill("Vad kostar en pizza i Rom?")
    frame.locator("#lss-send").click()
    declined = frame.locator(".lss-msg-bot").nth(1).locator(".lss-msg-notice")
    declined.wait_for(timeout=60_000)
    assert "hittade inget stöd" in declined.inner_text()


def test_chat_page_tells_a_greeting_from_a_question_the_sources_do_not_cover(page, server):
    pg = page
    pg.goto(server.base + "/")
    pg.wait_for_selector("#lss-question textarea")
    assert ask_ui(pg, "hej", 1).startswith("Hej")
    assert pg.locator("#lss-sources section").get_attribute("data-state") == "guidance"
    assert "Inga källor behövs här" in pg.locator("#lss-sources").inner_text()
    ask_ui(pg, "Vad kostar en pizza i Rom?", 2)
    assert pg.locator("#lss-sources section").get_attribute("data-state") == "declined"
    assert "hittade inget stöd" in pg.locator("#lss-sources").inner_text()


def test_origin_not_allowed_cannot_frame_or_call_api(page, server, sites):
    _, denied = sites
    pg = page
    pg.goto(denied.origin + "/host.html")
    pg.wait_for_timeout(1500)
    assert pg.locator("#lss-assistant-widget").count() == 0  # the widget does not show itself

    api = pg.evaluate(
        """async (base) => {
            try {
                const r = await fetch(base + '/api/ask', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                      body: JSON.stringify({question: 'Vad är LSS?'})});
                return 'read:' + r.status;
            } catch (e) { return 'blocked'; }
        }""",
        server.base,
    )
    assert api == "blocked"

    # Framing /embed by hand is refused by the browser (CSP frame-ancestors).
    pg.evaluate(
        """(base) => { const f = document.createElement('iframe'); f.id = 'manual'; f.src = base + '/embed';
                       document.body.prepend(f); }""",
        server.base,
    )
    pg.wait_for_timeout(2000)
    embed_frames = [f for f in pg.frames if f != pg.main_frame]
    assert embed_frames
    for f in embed_frames:
        try:
            has_chat = f.evaluate("!!document.getElementById('lss-embed')")
        except Exception:  # an error page that cannot even be inspected: blocked too
            has_chat = False
        assert not has_chat
    shot(pg, "widget-04-denied-origin", full_page=False)

    # The allowed origin, by contrast, can read the API.
    allowed_pg = pg.context.new_page()
    allowed_pg.goto(sites[0].origin + "/host.html")
    ok = allowed_pg.evaluate(
        "async (base) => { const r = await fetch(base + '/api/health'); return r.status; }", server.base
    )
    assert ok == 200


# --- Markup inside a DOCUMENT (not the question): citations must show it as text ---

IMG_MARKUP = '<img src=x onerror="window.__pwned=1">'
SCRIPT_MARKUP = "<script>window.lssScriptRan=1</script>"
MARKUP_QUESTION = "Vad gör ledsagaren i Kodby?"


@pytest.fixture(scope="module")
def markup_server(sites, tmp_path_factory, embedder):
    """The app on a tiny corpus, one document of which holds HTML that would run if rendered."""
    from conftest import patched_environ, write_corpus

    from assistant.config import load_settings
    from assistant.index import LexicalIndex, ingest

    allowed, _denied = sites
    root = tmp_path_factory.mktemp("markup")
    corpus = write_corpus(
        root / "corpus",
        {
            "ledsagning-kodby.txt": (
                "Ledsagarservice i Kodby\n\n"
                "Ledsagarservice i Kodby ges till den som behöver sällskap för att komma ut. "
                f"{IMG_MARKUP} Ledsagaren i Kodby följer med till bio, teater och fotboll. "
                f"{SCRIPT_MARKUP} Insatsen beviljas efter ansökan hos kommunen.\n"
            ),
            "kontaktperson-kodby.txt": (
                "Kontaktperson i Kodby\n\n"
                "En kontaktperson i Kodby träffar den enskilde varje vecka och kan följa med på promenader.\n"
            ),
        },
        sources={"ledsagning-kodby.txt": {"title": "Ledsagarservice i Kodby", "publisher": "Kodby kommun", "date": "2025-01-15"}},
    )
    with patched_environ({"LSS_CORPUS_DIR": str(corpus), "LSS_DATA_DIR": str(root / "data")}):
        settings = load_settings()
    report = ingest(settings, progress=False, embedder=embedder)
    assert report.documents == 2 and not report.problems
    stored = [p.text for p in LexicalIndex.load(settings.lexical_dir).passages]
    assert any(IMG_MARKUP in t and SCRIPT_MARKUP in t for t in stored), "the loader must keep the markup as text"
    settings = dataclasses.replace(
        settings, feedback_db=root / "feedback.sqlite", allowed_origins=(allowed.origin,), rate_limit=1000
    )
    with web_helpers.AppServer(settings, web_helpers.ARTIFACTS / "web" / "markup-server.log") as srv:
        (allowed.root / "host-markup.html").write_text(host_page(srv.base), encoding="utf-8")
        yield srv


def assert_not_run(target) -> None:
    """Neither piece of markup became an element, so neither could run."""
    assert target.evaluate("window.__pwned") is None
    assert target.evaluate("window.lssScriptRan") is None
    assert target.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert target.evaluate("[...document.scripts].some(s => s.textContent.includes('lssScriptRan'))") is False


def test_document_markup_in_citations_is_text_in_the_page(page, markup_server):
    pg = page
    pg.goto(markup_server.base + "/")
    pg.wait_for_selector("#lss-question textarea")
    answer = ask_ui(pg, MARKUP_QUESTION, 1)
    assert "[1]" in answer
    pg.locator("#lss-chat a.lss-cite").first.click(position={"x": 12, "y": 10})
    active = pg.locator("#lss-sources .lss-source-active")
    active.wait_for()
    pg.wait_for_timeout(500)
    shown = active.locator("details p").inner_text()
    assert IMG_MARKUP in shown and SCRIPT_MARKUP in shown  # shown literally, as text
    assert_not_run(pg)
    assert not pg.dialogs
    shot(pg, "ui-07-document-markup")


def test_document_markup_in_citations_is_text_in_the_widget(page, markup_server, sites):
    allowed, _ = sites
    pg = page
    frame = ask_in_widget(pg, allowed.origin + "/host-markup.html", MARKUP_QUESTION)
    cite = frame.locator(".lss-cite").first
    cite.wait_for(timeout=60_000)
    cite.click()
    active = frame.locator(".lss-citation.active")
    active.wait_for()
    pg.wait_for_timeout(500)
    text = active.inner_text()
    assert IMG_MARKUP in text and SCRIPT_MARKUP in text
    assert frame.locator("img").count() == 0
    embed = next(f for f in pg.frames if f.url.startswith(markup_server.base + "/embed"))
    assert_not_run(embed)
    assert_not_run(pg)
    assert not pg.dialogs
    shot(pg, "widget-05-document-markup", full_page=False)
