// LSS-assistenten, Gradio page: reading answers aloud and opening cited sources.
// Static code: it never builds HTML from answer or question text.
(function () {
  "use strict";
  document.documentElement.lang = "sv";

  function announce(text) {
    var el = document.getElementById("lss-live");
    if (!el) {
      el = document.createElement("div");
      el.id = "lss-live";
      el.className = "lss-sr";
      el.setAttribute("role", "status");
      el.setAttribute("aria-live", "polite");
      document.body.appendChild(el);
    }
    el.textContent = "";
    window.setTimeout(function () { el.textContent = text; }, 50);
  }

  function swedishVoice() {
    var voices = window.speechSynthesis.getVoices() || [];
    return voices.find(function (v) { return /^sv([-_]|$)/i.test(v.lang); }) || null;
  }

  // Reads the answer with the browser's own speech synthesis (no audio is made on the server).
  // Pressing the button while it speaks stops it.
  window.lssSpeak = function (text) {
    if (!("speechSynthesis" in window)) {
      announce("Din webbläsare kan inte läsa upp text.");
      return;
    }
    var synth = window.speechSynthesis;
    if (synth.speaking) {
      synth.cancel();
      announce("Uppläsningen stoppades.");
      return;
    }
    var clean = String(text || "").replace(/\[\d+\]/g, "").replace(/\s+/g, " ").trim();
    if (!clean) {
      announce("Det finns inget svar att läsa upp än.");
      return;
    }
    var utterance = new SpeechSynthesisUtterance(clean);
    utterance.lang = "sv-SE";
    var voice = swedishVoice();
    if (voice) utterance.voice = voice;
    utterance.rate = document.documentElement.classList.contains("lss-easy-read") ? 0.85 : 1;
    window.lssLastSpoken = clean;
    synth.speak(utterance);
  };

  window.lssStopSpeaking = function () {
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  };

  // A click on an [n] marker opens the matching source card in the source panel.
  function openSource(id) {
    var card = document.getElementById(id);
    if (!card) return false;
    document.querySelectorAll(".lss-source-active").forEach(function (el) {
      el.classList.remove("lss-source-active");
    });
    card.classList.add("lss-source-active");
    var details = card.querySelector("details");
    if (details) details.open = true;
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
    card.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.lss-cite");
    if (!link) return;
    var href = link.getAttribute("href") || "";
    if (href.charAt(0) !== "#") return;
    event.preventDefault();
    event.stopPropagation();
    openSource(href.slice(1));
  }, true);
})();
