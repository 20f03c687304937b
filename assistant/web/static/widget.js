/*
 * LSS-assistenten widget. Add to any page:
 *   <script src="https://ASSISTANT-HOST/widget.js" async></script>
 * Optional attributes on that script tag:
 *   data-title="Fråga om LSS"   panel title (plain text)
 *   data-color="#1d4ed8"        accent colour (#rgb or #rrggbb)
 *   data-position="right"       "right" (default) or "left"
 *   data-lang="sv"              "sv" (default) or "en" (the interface; answers are Swedish)
 *   data-open="true"            open the panel when the page loads
 *   data-kommun="Mjölby"        answer only from that kommun's sources and national ones
 *
 * Everything lives in a shadow root with position: fixed, so the host page's
 * styles do not leak in and the host page is never scrolled or resized. The
 * chat itself runs in an iframe on the assistant's own origin (/embed); the
 * assistant decides (LSS_ALLOWED_ORIGINS) which sites may show it.
 */
(function () {
  "use strict";
  if (window.LSSAssistant) return; // included twice: keep the first one

  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(".", script.src); // the assistant's base URL, e.g. https://host/
  var data = script.dataset || {};
  var lang = data.lang === "en" ? "en" : "sv";
  var TEXT = {
    sv: { open: "Fråga om LSS", close: "Stäng LSS-assistenten", title: "LSS-assistenten", frame: "LSS-assistenten, chatt" },
    en: { open: "Ask about LSS", close: "Close the LSS assistant", title: "LSS assistant", frame: "LSS assistant, chat" }
  }[lang];
  var title = (data.title || "").trim().slice(0, 80) || TEXT.title;
  var color = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(data.color || "") ? data.color : "#1d4ed8";
  var side = data.position === "left" ? "left" : "right";
  var startOpen = data.open === "true" || data.open === "1" || data.open === "";
  var kommun = (data.kommun || "").trim().slice(0, 100);

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

  var CSS =
    ":host{all:initial}" +
    ".launcher{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;display:flex;align-items:center;gap:8px;" +
    "font:600 16px/1.2 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;padding:12px 18px;min-height:48px;" +
    "border:2px solid transparent;border-radius:999px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);" +
    "background:var(--accent);color:var(--accent-text)}" +
    ".launcher:focus-visible{outline:3px solid #f59e0b;outline-offset:3px}" +
    ".launcher svg{width:22px;height:22px;flex:none}" +
    ".panel{position:fixed;bottom:84px;" + side + ":20px;z-index:2147483001;width:min(400px,calc(100vw - 24px));" +
    "height:min(620px,calc(100vh - 110px));background:#fff;border-radius:12px;overflow:hidden;" +
    "box-shadow:0 10px 40px rgba(0,0,0,.3);border:1px solid #d1d5db}" +
    ".panel[hidden]{display:none}" +
    ".panel iframe{border:0;width:100%;height:100%;display:block}" +
    "@media (max-width:480px),(max-height:520px){.panel{inset:0;width:100%;height:100%;border-radius:0;border:0}" +
    ".open .launcher{display:none}}";

  var host, root, launcher, panel, iframe, frameLoaded = false, isOpen = false;

  function build() {
    host = document.createElement("div");
    host.id = "lss-assistant-widget";
    root = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
    var wrap = document.createElement("div");
    wrap.className = "wrap";
    wrap.style.setProperty("--accent", color);
    wrap.style.setProperty("--accent-text", readableOn(color));

    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "lss-panel");
    launcher.innerHTML =
      '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 5v2h10V9H7zm0 4v2h7v-2H7z"/></svg>';
    var label = document.createElement("span");
    label.textContent = TEXT.open;
    launcher.appendChild(label);
    launcher.addEventListener("click", function () { toggle(); });

    panel = document.createElement("div");
    panel.className = "panel";
    panel.id = "lss-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);

    wrap.appendChild(panel);
    wrap.appendChild(launcher);
    root.appendChild(wrap);
    root.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && isOpen) { e.stopPropagation(); close(); }
    });
    window.addEventListener("message", onMessage);
    document.body.appendChild(host);
  }

  function frameSrc() {
    var url = new URL("embed", base);
    url.searchParams.set("lang", lang);
    url.searchParams.set("title", title);
    url.searchParams.set("color", color);
    if (kommun) url.searchParams.set("kommun", kommun);
    return url.toString();
  }

  function ensureFrame() {
    if (iframe) return;
    iframe = document.createElement("iframe");
    iframe.title = TEXT.frame;
    iframe.src = frameSrc();
    iframe.setAttribute("allow", "clipboard-write");
    iframe.addEventListener("load", function () {
      frameLoaded = true;
      if (isOpen) focusFrame();
    });
    panel.appendChild(iframe);
  }

  function focusFrame() {
    iframe.focus({ preventScroll: true });
    if (frameLoaded) iframe.contentWindow.postMessage({ type: "lss-assistant:focus" }, base.origin);
  }

  function open() {
    if (isOpen) return;
    ensureFrame();
    isOpen = true;
    panel.hidden = false;
    root.querySelector(".wrap").classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", TEXT.close);
    focusFrame();
  }

  function close() {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    root.querySelector(".wrap").classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.removeAttribute("aria-label");
    launcher.focus({ preventScroll: true }); // focus goes back where the user opened it
  }

  function toggle() { if (isOpen) close(); else open(); }

  // The chat asks to be closed (Esc or its close button) from inside the iframe.
  function onMessage(e) {
    if (!iframe || e.source !== iframe.contentWindow || e.origin !== base.origin) return;
    if (e.data && e.data.type === "lss-assistant:close") close();
  }

  // Show the button only where the assistant allows this site (CORS on /api/health
  // follows LSS_ALLOWED_ORIGINS): elsewhere the iframe would be refused anyway.
  function start() {
    fetch(new URL("api/health", base).toString(), { mode: "cors", credentials: "omit" })
      .then(function () {
        build();
        window.LSSAssistant = { open: open, close: close, toggle: toggle };
        if (startOpen) open();
      })
      .catch(function () {
        if (window.console) console.warn("LSS-assistenten: den här webbplatsen får inte visa assistenten (LSS_ALLOWED_ORIGINS).");
      });
  }

  window.LSSAssistant = { pending: true };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
