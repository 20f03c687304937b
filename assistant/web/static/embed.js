// LSS-assistenten, embedded chat page (/embed), shown inside the widget's iframe.
// Every piece of text from a question or a document is put into the page with
// textContent / createTextNode, never as HTML.
(function () {
  "use strict";

  var TEXT = {
    sv: {
      title: "LSS-assistenten",
      intro: "Svar om LSS med källor. Ersätter inte ett beslut från din kommun. Skriv inga personuppgifter.",
      easyRead: "Lättläst",
      newQuestion: "Ny fråga",
      close: "Stäng",
      questionLabel: "Din fråga",
      placeholder: "Skriv din fråga om LSS …",
      send: "Skicka",
      thinking: "Söker i källorna …",
      you: "Du",
      assistant: "Assistenten",
      sources: "Källor",
      source: "Källa",
      readAloud: "Läs upp",
      stopReading: "Sluta läsa",
      good: "Bra svar",
      bad: "Inte bra",
      commentLabel: "Kommentar (valfritt)",
      sendComment: "Skicka kommentar",
      thanks: "Tack för din återkoppling!",
      commentThanks: "Tack! Din kommentar är sparad.",
      feedbackFailed: "Återkopplingen kunde inte sparas just nu.",
      empty: "Skriv en fråga först.",
      network: "Assistenten svarar inte just nu. Kontrollera anslutningen och försök igen.",
      noSpeech: "Din webbläsare kan inte läsa upp text.",
      declined: "Inga källor: assistenten hittade inget stöd i dokumenten för att svara.",
      guidance: "Inga källor behövs här: det här är en hälsning eller ett tips om hur du kan fråga.",
      cleared: "Samtalet är rensat. Ställ en ny fråga.",
      answerReady: "Svaret är klart.",
      staleSource: "Äldre källa",
      summaryOf: "Sammanfattning av {law}, inte lagtexten"
    },
    en: {
      title: "LSS assistant",
      intro: "Answers about LSS (in Swedish) with sources. Not a decision from your municipality. Do not enter personal data.",
      easyRead: "Easy read",
      newQuestion: "New question",
      close: "Close",
      questionLabel: "Your question",
      placeholder: "Type your question about LSS …",
      send: "Send",
      thinking: "Searching the sources …",
      you: "You",
      assistant: "Assistant",
      sources: "Sources",
      source: "Source",
      readAloud: "Read aloud",
      stopReading: "Stop reading",
      good: "Good answer",
      bad: "Not good",
      commentLabel: "Comment (optional)",
      sendComment: "Send comment",
      thanks: "Thank you for your feedback!",
      commentThanks: "Thank you! Your comment is saved.",
      feedbackFailed: "The feedback could not be saved right now.",
      empty: "Please type a question first.",
      network: "The assistant is not responding right now. Check the connection and try again.",
      noSpeech: "Your browser cannot read text aloud.",
      declined: "No sources: the assistant found no support in the documents for an answer.",
      guidance: "No sources needed here: this is a greeting or a tip on how to ask.",
      cleared: "The conversation is cleared. Ask a new question.",
      answerReady: "The answer is ready.",
      staleSource: "Older source",
      summaryOf: "Summary of {law} (in Swedish), not the text of the law"
    }
  };

  var MAX_HISTORY = 40;
  var params = new URLSearchParams(window.location.search);
  var lang = params.get("lang") === "en" ? "en" : "sv";
  var t = TEXT[lang];
  var inFrame = window.parent !== window;
  // Optional kommun filter (the widget's data-kommun); the server checks it and explains a wrong one.
  var kommun = (params.get("kommun") || "").trim().slice(0, 100);

  var state = { history: [], easyRead: params.get("easy") === "1", busy: false, turn: 0 };
  var el = {};

  function $(id) { return document.getElementById(id); }

  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  // --- Appearance from the widget's data- attributes (validated: nothing is trusted) ---

  function applyParams() {
    document.documentElement.lang = lang;
    var title = (params.get("title") || "").trim().slice(0, 80) || t.title;
    el.title.textContent = title;
    document.title = title;
    var color = params.get("color") || "";
    if (/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) {
      document.documentElement.style.setProperty("--accent", color);
      document.documentElement.style.setProperty("--accent-text", readableOn(color));
    }
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t[n.getAttribute("data-i18n")]; });
    document.querySelectorAll("[data-i18n-label]").forEach(function (n) { n.setAttribute("aria-label", t[n.getAttribute("data-i18n-label")]); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) { n.setAttribute("placeholder", t[n.getAttribute("data-i18n-placeholder")]); });
    if (inFrame) el.close.hidden = false;
    setEasyRead(state.easyRead);
  }

  // Black or white text, whichever contrasts more with the host's brand colour.
  function readableOn(hex) {
    var h = hex.slice(1);
    if (h.length === 3) h = h.split("").map(function (c) { return c + c; }).join("");
    var rgb = [0, 2, 4].map(function (i) {
      var c = parseInt(h.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) ? "#000000" : "#ffffff";
  }

  function setEasyRead(on) {
    state.easyRead = !!on;
    el.easy.setAttribute("aria-pressed", on ? "true" : "false");
    document.body.classList.toggle("easy-read", !!on);
  }

  // --- Conversation ---

  function scrollLog() {
    // Scroll only our own log: scrollIntoView could scroll the host page around the iframe.
    el.log.scrollTop = el.log.scrollHeight;
  }

  function addMessage(kind, text) {
    var wrap = node("div", "lss-msg lss-msg-" + kind);
    var who = node("span", "lss-sr", (kind === "user" ? t.you : t.assistant) + ": ");
    wrap.appendChild(who);
    if (text !== undefined) wrap.appendChild(node("p", "lss-answer", text));
    el.log.appendChild(wrap);
    scrollLog();
    return wrap;
  }

  function status(text) { el.status.textContent = text || ""; }

  function renderAnswer(wrap, data, question) {
    state.turn += 1;
    var turn = state.turn;
    wrap.textContent = "";
    wrap.appendChild(node("span", "lss-sr", t.assistant + ": "));
    var citations = Array.isArray(data.citations) ? data.citations : [];
    var byId = {};
    citations.forEach(function (c) { byId[String(c.id)] = c; });

    var p = node("p", "lss-answer");
    var text = String(data.answer || "");
    var re = /\[(\d{1,3})\]/g, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      p.appendChild(document.createTextNode(text.slice(last, m.index)));
      var c = byId[m[1]];
      if (c) {
        p.appendChild(citeButton(c, turn));
      } else {
        p.appendChild(document.createTextNode(m[0]));
      }
      last = re.lastIndex;
    }
    p.appendChild(document.createTextNode(text.slice(last)));
    wrap.appendChild(p);

    if (citations.length) {
      wrap.appendChild(node("p", "lss-sr", t.sources));
      var ol = node("ol", "lss-citations");
      citations.forEach(function (c) { ol.appendChild(citationItem(c, turn)); });
      wrap.appendChild(ol);
    } else if (data.reply_kind === "guidance") {
      wrap.appendChild(node("p", "lss-msg-notice", t.guidance));
    } else if (data.answered === false) {
      wrap.appendChild(node("p", "lss-msg-notice", t.declined));
    }
    wrap.appendChild(answerActions(data, question));
  }

  function citeButton(c, turn) {
    var b = node("button", "lss-cite", "[" + c.id + "]");
    b.type = "button";
    b.setAttribute("aria-label", t.source + " " + c.id + ": " + (c.title || ""));
    b.setAttribute("aria-controls", "lss-c-" + turn + "-" + c.id);
    b.addEventListener("click", function () {
      var li = $("lss-c-" + turn + "-" + c.id);
      if (!li) return;
      document.querySelectorAll(".lss-citation.active").forEach(function (n) { n.classList.remove("active"); });
      li.classList.add("active");
      li.focus({ preventScroll: true });
      var top = li.offsetTop - el.log.offsetTop - 8;
      if (top < el.log.scrollTop || top > el.log.scrollTop + el.log.clientHeight - 40) el.log.scrollTop = top;
    });
    return b;
  }

  // "Lag (1993:387) om …" reads "lag (1993:387) om …" inside a sentence.
  function lawName(law) {
    law = String(law).replace(/\s+/g, " ").trim();
    return /^[A-ZÅÄÖ][a-zåäö]+(\s|$)/.test(law) ? law.charAt(0).toLowerCase() + law.slice(1) : law;
  }

  function citationItem(c, turn) {
    var li = node("li", "lss-citation");
    li.id = "lss-c-" + turn + "-" + c.id;
    li.tabIndex = -1;
    li.value = Number(c.id) || undefined;
    li.appendChild(node("span", "lss-citation-title", c.title || c.source || ""));
    var meta = [c.publisher, c.date].filter(Boolean).join(", ");
    if (meta) li.appendChild(node("span", "lss-citation-date", " (" + meta + ")"));
    // A source that summarises a law (metadata `law`): its quote is not the law's own wording.
    if (c.law) li.appendChild(node("span", "lss-citation-summary", t.summaryOf.replace("{law}", lawName(c.law))));
    // A source older than LSS_STALE_YEARS (the answer text ends with a note about it).
    if (c.stale === true) {
      var year = String(c.date || "").slice(0, 4);
      li.appendChild(node("span", "lss-citation-stale", t.staleSource + (/^\d{4}$/.test(year) ? " (" + year + ")" : "")));
    }
    var q = node("blockquote", "lss-quote");
    q.appendChild(node("mark", null, c.quote || ""));
    li.appendChild(q);
    return li;
  }

  function answerActions(data, question) {
    var row = node("div", "lss-actions");
    var speak = node("button", "lss-small lss-speak", t.readAloud);
    speak.type = "button";
    speak.addEventListener("click", function () { toggleSpeech(speak, data.answer); });
    row.appendChild(speak);
    if (data.answer) {
      var up = thumb(t.good, "up"), down = thumb(t.bad, "down");
      var fb = { id: null, token: null, row: row, data: data, question: question, up: up, down: down };
      up.addEventListener("click", function () { rate(fb, "up"); });
      down.addEventListener("click", function () { rate(fb, "down"); });
      row.appendChild(up);
      row.appendChild(down);
    }
    return row;
  }

  // Words rather than thumb emoji: clearer for easy-read users, and no emoji font needed.
  function thumb(label, rating) {
    var b = node("button", "lss-small lss-thumb", label);
    b.type = "button";
    b.setAttribute("aria-pressed", "false");
    b.dataset.rating = rating;
    return b;
  }

  // --- Feedback (stored redacted by the server) ---

  function rate(fb, rating) {
    fb.up.setAttribute("aria-pressed", rating === "up" ? "true" : "false");
    fb.down.setAttribute("aria-pressed", rating === "down" ? "true" : "false");
    var req = fb.id
      ? postJSON("api/feedback/" + fb.id, { token: fb.token, rating: rating })
      : postJSON("api/feedback", {
          rating: rating,
          question: fb.question,
          answer: String(fb.data.answer || ""),
          passage_ids: (fb.data.citations || []).map(function (c) { return String(c.passage_id || ""); }),
          mode: String(fb.data.mode || ""),
          answered: !!fb.data.answered
        });
    req.then(function (res) {
      if (!res.ok) throw new Error("feedback");
      fb.id = res.body.id;
      fb.token = res.body.token;
      status(t.thanks);
      showCommentBox(fb);
    }).catch(function () { status(t.feedbackFailed); });
  }

  function showCommentBox(fb) {
    if (fb.commentBox) return;
    var box = node("div", "lss-comment");
    var id = "lss-comment-" + fb.id;
    var label = node("label", "lss-sr", t.commentLabel);
    label.htmlFor = id;
    var input = node("input");
    input.id = id;
    input.type = "text";
    input.maxLength = 2000;
    input.placeholder = t.commentLabel;
    var send = node("button", "lss-small", t.sendComment);
    send.type = "button";
    send.addEventListener("click", function () {
      var text = input.value.trim();
      if (!text) { input.focus(); return; }
      postJSON("api/feedback/" + fb.id, { token: fb.token, comment: text }).then(function (res) {
        if (!res.ok) throw new Error("comment");
        box.remove();
        status(t.commentThanks);
      }).catch(function () { status(t.feedbackFailed); });
    });
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(send);
    fb.row.parentNode.appendChild(box);
    fb.commentBox = box;
  }

  // --- Speech: the browser's own speechSynthesis, Swedish voice ---

  function toggleSpeech(button, text) {
    if (!("speechSynthesis" in window)) { status(t.noSpeech); return; }
    var synth = window.speechSynthesis;
    if (synth.speaking) {
      synth.cancel();
      resetSpeechButtons();
      return;
    }
    var clean = String(text || "").replace(/\[\d+\]/g, "").replace(/\s+/g, " ").trim();
    if (!clean) return;
    var u = new SpeechSynthesisUtterance(clean);
    u.lang = "sv-SE";
    var voice = (synth.getVoices() || []).find(function (v) { return /^sv([-_]|$)/i.test(v.lang); });
    if (voice) u.voice = voice;
    u.rate = state.easyRead ? 0.85 : 1;
    u.onend = resetSpeechButtons;
    button.textContent = t.stopReading;
    window.lssLastSpoken = clean;
    synth.speak(u);
  }

  function resetSpeechButtons() {
    document.querySelectorAll(".lss-speak").forEach(function (b) { b.textContent = t.readAloud; });
  }

  // --- Talking to the API ---

  function postJSON(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) {
        return { ok: res.ok, status: res.status, body: json };
      });
    });
  }

  function ask(question) {
    if (state.busy) return;
    if (!question.trim()) { status(t.empty); el.input.focus(); return; }
    state.busy = true;
    el.send.disabled = true;
    addMessage("user", question);
    var wrap = addMessage("bot", t.thinking);
    status(t.thinking);
    var history = state.history.slice(-MAX_HISTORY);
    var body = { question: question, history: history, easy_read: state.easyRead };
    if (kommun) body.kommun = kommun;
    postJSON("api/ask", body)
      .then(function (res) {
        if (res.ok) {
          renderAnswer(wrap, res.body, question);
          state.history.push({ role: "user", content: question }, { role: "assistant", content: String(res.body.answer || "") });
          status(t.answerReady);
        } else {
          var msg = res.body && res.body.error && res.body.error.message;
          wrap.textContent = "";
          wrap.classList.add("lss-msg-notice");
          wrap.appendChild(node("p", "lss-answer", msg || t.network));
          status("");
        }
      })
      .catch(function () {
        wrap.textContent = "";
        wrap.classList.add("lss-msg-notice");
        wrap.appendChild(node("p", "lss-answer", t.network));
        status("");
      })
      .then(function () {
        state.busy = false;
        el.send.disabled = false;
        // Show the start of the reply (a long answer would otherwise be read from its end).
        el.log.scrollTop = Math.max(0, wrap.offsetTop - 8);
        el.input.focus({ preventScroll: true });
      });
  }

  function reset() {
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
    state.history = [];
    el.log.textContent = "";
    el.input.value = "";
    status(t.cleared);
    el.input.focus({ preventScroll: true });
  }

  function closeWidget() {
    if (inFrame) window.parent.postMessage({ type: "lss-assistant:close" }, "*");
  }

  function init() {
    ["title", "easy", "new", "close", "log", "form", "input", "send", "status"].forEach(function (k) {
      el[k] = $("lss-" + k);
    });
    applyParams();
    el.form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = el.input.value;
      if (q.trim()) el.input.value = "";
      ask(q);
    });
    el.input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        el.form.requestSubmit();
      }
    });
    el.easy.addEventListener("click", function () { setEasyRead(!state.easyRead); });
    el.new.addEventListener("click", reset);
    el.close.addEventListener("click", closeWidget);
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") closeWidget();
    });
    // The widget asks us to take focus when its panel opens. The message only moves
    // focus, so it is safe to accept from the embedding page whatever its origin.
    window.addEventListener("message", function (e) {
      if (e.source === window.parent && e.data && e.data.type === "lss-assistant:focus") {
        el.input.focus({ preventScroll: true });
      }
    });
    if (!inFrame || params.get("autofocus") === "1") el.input.focus({ preventScroll: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
