/*
 * Trợ lý thủ tục hành chính — chat widget. / Public-service assistant chat widget.
 *
 * Embed with one script tag (no framework, no build step, nothing from a CDN):
 *
 *   <script>
 *     window.assistantWidgetConfig = {
 *       baseUrl: "https://assistant.example.gov.vn",  // default: where this script came from
 *       title: "Trợ lý thủ tục hành chính",
 *       language: "vi",                                 // "vi" | "en": the widget's own words
 *       colors: { primary: "#a4161a", primaryText: "#ffffff" },
 *       position: "right"                               // "right" | "left"
 *     };
 *   </script>
 *   <script src="https://assistant.example.gov.vn/widget.js" async></script>
 *
 * Answers stream from POST {baseUrl}/v1/chat/stream (Server-Sent Events read with fetch);
 * thumbs go to POST {baseUrl}/v1/feedback. While a staff member has the conversation (a reply's
 * `handoff` is set), their messages are fetched every few seconds from GET /v1/chat/messages. The user id and the transcript are kept in
 * localStorage, so the conversation survives page loads. The widget lives in a shadow root:
 * the page's CSS does not leak in, and the widget's does not leak out.
 * A small API: window.assistantWidget.open() / .close() / .send(text) / .reset().
 */
(function () {
  "use strict";

  if (window.assistantWidget) return; // loaded twice: keep the first

  var config = window.assistantWidgetConfig || {};
  var script = document.currentScript;
  var scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var baseUrl = String(config.baseUrl || scriptOrigin).replace(/\/+$/, "");
  var lang = config.language === "en" ? "en" : "vi";
  var MAX_STORED_MESSAGES = 60;
  var STAFF_POLL_MS = 5000;
  var STORAGE_KEY = "assistantWidget:v1:" + baseUrl;

  var STRINGS = {
    vi: {
      title: "Trợ lý thủ tục hành chính",
      open: "Mở trợ lý thủ tục hành chính",
      close: "Đóng cửa sổ trò chuyện",
      reset: "Bắt đầu cuộc trò chuyện mới",
      log: "Nội dung trò chuyện",
      input: "Câu hỏi của bạn",
      placeholder: "Nhập câu hỏi…",
      send: "Gửi câu hỏi",
      sources: "Nguồn",
      suggestions: "Gợi ý câu hỏi",
      feedback: "Câu trả lời có hữu ích không?",
      up: "Hữu ích",
      down: "Chưa hữu ích",
      thanks: "Cảm ơn bạn đã góp ý!",
      you: "Bạn",
      assistant: "Trợ lý",
      staff: "Cán bộ một cửa",
      typing: "Trợ lý đang trả lời…",
      error: "Xin lỗi, chưa gửi được câu hỏi. Vui lòng thử lại sau.",
      network: "Không kết nối được tới máy chủ. Vui lòng kiểm tra mạng và thử lại.",
      welcome:
        "Xin chào! Mình trả lời câu hỏi về thủ tục hành chính (hồ sơ, lệ phí, thời gian, nơi nộp) theo hồ sơ chính thức. Bạn cần hỏi gì?",
      note: "Thông tin tham khảo từ Cơ sở dữ liệu thủ tục hành chính. Không nhập số CCCD, số điện thoại.",
      starters: [
        { label: "Làm giấy khai sinh cần gì?", text: "Làm giấy khai sinh cần giấy tờ gì?" },
        { label: "Lệ phí cấp hộ chiếu", text: "Lệ phí cấp hộ chiếu là bao nhiêu?" },
        { label: "Đăng ký thường trú ở đâu?", text: "Đăng ký thường trú nộp hồ sơ ở đâu?" }
      ]
    },
    en: {
      title: "Public-service assistant",
      open: "Open the public-service assistant",
      close: "Close the chat window",
      reset: "Start a new conversation",
      log: "Conversation",
      input: "Your question",
      placeholder: "Type your question…",
      send: "Send question",
      sources: "Sources",
      suggestions: "Suggested questions",
      feedback: "Was this answer helpful?",
      up: "Helpful",
      down: "Not helpful",
      thanks: "Thank you for your feedback!",
      you: "You",
      assistant: "Assistant",
      staff: "One-stop office staff",
      typing: "The assistant is answering…",
      error: "Sorry, your question could not be sent. Please try again later.",
      network: "Cannot reach the server. Please check your connection and try again.",
      welcome:
        "Hello! I answer questions about Vietnamese administrative procedures (documents, fees, processing time, where to file) from the official records. What would you like to know?",
      note: "Reference information from the national procedures database. Do not enter ID or phone numbers.",
      starters: [
        { label: "Registering a birth", text: "What documents do I need to register a birth?" },
        { label: "Passport fee", text: "How much is the passport fee?" },
        { label: "Permanent residence", text: "Where do I register permanent residence?" }
      ]
    }
  };
  var t = STRINGS[lang];
  var title = String(config.title || t.title);

  var DEFAULT_COLORS = {
    primary: "#0b5cad",
    primaryText: "#ffffff",
    background: "#ffffff",
    text: "#1f2933",
    userBubble: "#0b5cad",
    userText: "#ffffff",
    botBubble: "#f1f4f8",
    botText: "#1f2933",
    link: "#0b5cad"
  };

  function safeColor(value, fallback) {
    return typeof value === "string" && /^[#a-zA-Z0-9(),.%\s-]{1,40}$/.test(value) ? value : fallback;
  }

  function colorVars() {
    var given = config.colors || {};
    return Object.keys(DEFAULT_COLORS)
      .map(function (name) {
        return "--aw-" + name + ": " + safeColor(given[name], DEFAULT_COLORS[name]) + ";";
      })
      .join(" ");
  }

  var side = config.position === "left" ? "left" : "right";
  var CSS =
    ":host { all: initial; " + colorVars() + " }\n" +
    "* { box-sizing: border-box; }\n" +
    ".root { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: var(--aw-text); }\n" +
    ".bubble { position: fixed; bottom: 20px; " + side + ": 20px; width: 56px; height: 56px; border-radius: 50%; border: 0; cursor: pointer;" +
    " background: var(--aw-primary); color: var(--aw-primaryText); box-shadow: 0 4px 14px rgba(0,0,0,.25); z-index: 2147483000; display: grid; place-items: center; }\n" +
    ".bubble svg { width: 28px; height: 28px; fill: currentColor; }\n" +
    ".bubble:focus-visible, button:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }\n" +
    ".panel { position: fixed; bottom: 88px; " + side + ": 20px; width: 380px; max-width: calc(100vw - 40px); height: 600px; max-height: calc(100vh - 110px);" +
    " display: flex; flex-direction: column; background: var(--aw-background); border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); overflow: hidden; z-index: 2147483001; }\n" +
    ".panel[hidden] { display: none; }\n" +
    "header { display: flex; align-items: center; gap: 4px; padding: 10px 8px 10px 14px; background: var(--aw-primary); color: var(--aw-primaryText); }\n" +
    "header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; }\n" +
    "header button { background: transparent; border: 0; color: inherit; font-size: 20px; line-height: 1; width: 36px; height: 36px; border-radius: 6px; cursor: pointer; }\n" +
    "header button:hover { background: rgba(255,255,255,.15); }\n" +
    ".log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; }\n" +
    ".msg { max-width: 88%; padding: 8px 12px; border-radius: 12px; overflow-wrap: anywhere; }\n" +
    ".msg .text { white-space: pre-wrap; }\n" +
    ".msg.user { align-self: flex-end; background: var(--aw-userBubble); color: var(--aw-userText); border-bottom-right-radius: 4px; }\n" +
    ".msg.bot { align-self: flex-start; background: var(--aw-botBubble); color: var(--aw-botText); border-bottom-left-radius: 4px; }\n" +
    ".msg.staff { border-left: 3px solid var(--aw-primary); }\n" +
    ".msg .who { font-size: 12px; font-weight: 600; color: var(--aw-primary); margin-bottom: 2px; }\n" +
    ".msg.error { border: 1px solid #b42318; }\n" +
    ".sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0,0,0,0); white-space: nowrap; border: 0; }\n" +
    ".typing::after { content: '…'; animation: blink 1s infinite; }\n" +
    "@keyframes blink { 50% { opacity: .2; } }\n" +
    ".sources { margin-top: 8px; font-size: 13px; }\n" +
    ".sources ul { margin: 2px 0 0; padding-left: 18px; }\n" +
    ".sources a, .msg.bot .text a { color: var(--aw-link); }\n" +
    ".quick { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }\n" +
    ".quick button { border: 1px solid var(--aw-primary); color: var(--aw-primary); background: var(--aw-background); border-radius: 16px; padding: 6px 12px; font: inherit; font-size: 13px; cursor: pointer; min-height: 32px; text-align: left; }\n" +
    ".quick button:hover { background: var(--aw-botBubble); }\n" +
    ".feedback { display: flex; align-items: center; gap: 4px; margin-top: 6px; font-size: 13px; }\n" +
    ".feedback button { border: 1px solid transparent; background: transparent; color: #5b6673; border-radius: 6px; cursor: pointer; min-width: 32px; min-height: 32px; display: grid; place-items: center; }\n" +
    ".feedback button svg { width: 18px; height: 18px; fill: currentColor; }\n" +
    ".feedback button[aria-pressed='true'] { color: var(--aw-primary); }\n" +
    ".feedback button[aria-pressed='true'] { border-color: var(--aw-primary); background: var(--aw-background); }\n" +
    ".feedback button:disabled { cursor: default; }\n" +
    "form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #d9dee5; }\n" +
    "textarea { flex: 1; resize: none; font: inherit; font-size: 16px; padding: 8px 10px; border: 1px solid #aeb7c2; border-radius: 8px; min-height: 42px; max-height: 120px; color: var(--aw-text); background: var(--aw-background); }\n" +
    "form button { background: var(--aw-primary); color: var(--aw-primaryText); border: 0; border-radius: 8px; min-width: 44px; font-size: 18px; cursor: pointer; }\n" +
    "form button:disabled { opacity: .5; cursor: default; }\n" +
    ".note { margin: 0; padding: 0 12px 8px; font-size: 11px; color: #5b6673; }\n" +
    "@media (max-width: 480px) {\n" +
    "  .panel { inset: 0; width: 100%; max-width: none; height: 100%; max-height: none; border-radius: 0; }\n" +
    "  .bubble { bottom: 14px; " + side + ": 14px; }\n" +
    "}\n" +
    "@media (prefers-reduced-motion: reduce) { .typing::after { animation: none; } }\n";

  // Thumb icons: Material Design Icons paths (Apache License 2.0). Icons, not emoji: emoji
  // fonts are missing on some systems.
  var THUMB_UP =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"/></svg>';
  var THUMB_DOWN =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z"/></svg>';
  var CHAT_ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"/></svg>';

  // -- state (localStorage) ----------------------------------------------------------------

  function newUserId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "w-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function loadState() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
      if (saved && typeof saved.userId === "string" && Array.isArray(saved.messages)) return saved;
    } catch (e) { /* storage blocked or corrupt: start afresh */ }
    return { userId: newUserId(), messages: [], open: false };
  }

  var state = loadState();

  function saveState() {
    state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (e) { /* private mode: the conversation lasts this page only */ }
  }

  // -- DOM ---------------------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text != null) node.textContent = text;
    return node;
  }

  var host = el("div", { id: "assistant-widget", "data-assistant-widget": "" });
  var shadow = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  var root = el("div", { class: "root", lang: lang });
  var bubble = el("button", {
    type: "button", class: "bubble", "aria-label": t.open, "aria-haspopup": "dialog",
    "aria-expanded": "false", "aria-controls": "aw-panel"
  });
  bubble.innerHTML = CHAT_ICON; // a constant, never user text
  var panel = el("section", { id: "aw-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "aw-title" });
  panel.hidden = true;
  var header = el("header");
  var heading = el("h2", { id: "aw-title" }, title);
  var resetButton = el("button", { type: "button", class: "reset", "aria-label": t.reset, title: t.reset }, "↺");
  var closeButton = el("button", { type: "button", class: "close", "aria-label": t.close, title: t.close }, "×");
  header.append(heading, resetButton, closeButton);
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t.log });
  var form = el("form", { class: "composer", novalidate: "" });
  var label = el("label", { class: "sr-only", for: "aw-input" }, t.input);
  var input = el("textarea", { id: "aw-input", rows: "1", maxlength: "1000", placeholder: t.placeholder, autocomplete: "off" });
  var sendButton = el("button", { type: "submit", class: "send", "aria-label": t.send, title: t.send }, "➤");
  form.append(label, input, sendButton);
  var note = el("p", { class: "note" }, t.note);
  panel.append(header, log, form, note);
  root.append(bubble, panel);
  shadow.append(style, root);

  var busy = false;

  // -- rendering ---------------------------------------------------------------------------

  function safeUrl(url) {
    try {
      var parsed = new URL(url, baseUrl);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function renderSources(container, citations) {
    if (!citations || !citations.length) return;
    var box = el("div", { class: "sources" });
    box.append(el("span", {}, t.sources + ":"));
    var list = el("ul");
    citations.forEach(function (c) {
      var item = el("li");
      // A staff-approved FAQ is cited by its label and link; its internal id means nothing here.
      var code = String(c.procedure_code || "");
      var text = code && code.indexOf("faq:") !== 0 ? "[" + code + "] " + c.name : c.name;
      var href = c.url ? safeUrl(c.url) : null;
      item.append(href ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer", class: "citation" }, text) : el("span", {}, text));
      list.append(item);
    });
    box.append(list);
    container.append(box);
  }

  function renderQuickReplies(container, quickReplies) {
    if (!quickReplies || !quickReplies.length) return;
    var group = el("div", { class: "quick", role: "group", "aria-label": t.suggestions });
    quickReplies.forEach(function (q) {
      var button = el("button", { type: "button", class: "quick-reply" }, q.label);
      button.addEventListener("click", function () { send(q.text); });
      group.append(button);
    });
    container.append(group);
  }

  function renderFeedback(container, message) {
    if (!message.replyId) return;
    var group = el("div", { class: "feedback", role: "group", "aria-label": t.feedback });
    var status = el("span", { role: "status" });
    [["up", THUMB_UP, t.up], ["down", THUMB_DOWN, t.down]].forEach(function (spec) {
      var button = el("button", { type: "button", class: "thumb-" + spec[0], "aria-label": spec[2], title: spec[2], "aria-pressed": String(message.rating === spec[0]) });
      button.innerHTML = spec[1]; // a constant icon, never user text
      if (message.rating) button.disabled = true;
      button.addEventListener("click", function () { rate(message, spec[0], group, status); });
      group.append(button);
    });
    if (message.rating) status.textContent = t.thanks;
    group.append(status);
    container.append(group);
  }

  // Text with its web addresses as links (shown shortened: host and "…").
  function renderText(text) {
    var box = el("div", { class: "text" });
    String(text || "").split(/(https?:\/\/[^\s<>"]+)/).forEach(function (part, i) {
      var href = i % 2 === 1 ? safeUrl(part) : null;
      if (!href) {
        if (part) box.append(document.createTextNode(part));
        return;
      }
      var parsed = new URL(href);
      var shown = parsed.host + (parsed.pathname.length > 1 || parsed.search ? "/…" : "");
      box.append(el("a", { href: href, target: "_blank", rel: "noopener noreferrer", title: href }, shown));
    });
    return box;
  }

  function renderMessage(message, isLast) {
    var node = el("div", { class: "msg " + (message.role === "user" ? "user" : "bot") + (message.staff ? " staff" : "") + (message.error ? " error" : "") });
    if (message.staff) node.append(el("div", { class: "who" }, t.staff));
    else node.append(el("span", { class: "sr-only" }, (message.role === "user" ? t.you : t.assistant) + ": "));
    node.append(message.role === "user" ? el("div", { class: "text" }, message.text) : renderText(message.text));
    if (message.role === "bot") {
      renderSources(node, message.citations);
      if (isLast) renderQuickReplies(node, message.quickReplies);
      renderFeedback(node, message);
    }
    return node;
  }

  function renderAll() {
    log.textContent = "";
    state.messages.forEach(function (m, i) { log.append(renderMessage(m, i === state.messages.length - 1)); });
    scrollDown();
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  // A long answer is shown from its first line, a short one by scrolling to the end.
  function reveal(node) {
    if (node.offsetHeight <= log.clientHeight - 16) return scrollDown();
    var question = node.previousElementSibling;
    var fits = question && question.classList.contains("user") && question.offsetHeight < log.clientHeight / 4;
    log.scrollTop = (fits ? question : node).offsetTop - log.offsetTop - 8;
  }

  function removeQuickReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".quick"), function (n) { n.remove(); });
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    var node = renderMessage(message, true);
    log.append(node);
    scrollDown();
    return node;
  }

  function greet() {
    if (!state.messages.length) {
      addMessage({ role: "bot", text: t.welcome, quickReplies: t.starters });
    }
  }

  // -- open, close, reset ------------------------------------------------------------------

  function open(restoring) {
    panel.hidden = false;
    bubble.setAttribute("aria-expanded", "true");
    state.open = true;
    greet();
    saveState();
    scrollDown();
    if (restoring !== true) input.focus();
  }

  function close() {
    panel.hidden = true;
    bubble.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState();
    bubble.focus();
  }

  function reset() {
    state = { userId: newUserId(), messages: [], open: true };
    saveState();
    renderAll();
    greet();
    input.focus();
  }

  bubble.addEventListener("click", function () { (panel.hidden ? open : close)(); });
  closeButton.addEventListener("click", close);
  resetButton.addEventListener("click", reset);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter is a new line; never while an IME (Telex, VNI) is composing.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      send(input.value);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
  });

  // -- talking to the API ------------------------------------------------------------------

  async function errorMessage(response) {
    try {
      var body = await response.json();
      if (body && body.error && body.error.message) return body.error.message;
    } catch (e) { /* not JSON */ }
    return t.error;
  }

  // Server-Sent Events over fetch: blocks separated by a blank line; "event:" and "data:"
  // fields; ":" lines are keep-alive comments.
  async function readEvents(body, onEvent) {
    var reader = body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer = (buffer + decoder.decode(chunk.value, { stream: true })).replace(/\r\n/g, "\n");
      var end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        var block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        var event = "message";
        var data = [];
        block.split("\n").forEach(function (line) {
          if (!line || line.charAt(0) === ":") return;
          var colon = line.indexOf(":");
          var field = colon < 0 ? line : line.slice(0, colon);
          var value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event = value;
          else if (field === "data") data.push(value);
        });
        if (data.length) onEvent(event, JSON.parse(data.join("\n")));
      }
    }
  }

  function finishReply(message, node, reply) {
    if (reply.handoff) watchStaff(reply.handoff);
    if (reply.kind === "held") { // a staff member answers instead: no bubble from the assistant
      state.messages = state.messages.filter(function (m) { return m !== message; });
      saveState();
      node.remove();
      return node;
    }
    message.text = reply.text; // authoritative: replaces whatever was streamed
    message.replyId = reply.id;
    message.citations = reply.citations || [];
    message.quickReplies = reply.quick_replies || [];
    delete message.pending;
    saveState();
    var fresh = renderMessage(message, true);
    node.replaceWith(fresh);
    reveal(fresh);
    return fresh;
  }

  function failReply(message, node, text) {
    message.text = text;
    message.error = true;
    delete message.pending;
    saveState();
    var fresh = renderMessage(message, true);
    node.replaceWith(fresh);
    reveal(fresh);
    return fresh;
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    log.setAttribute("aria-busy", String(value));
  }

  async function send(raw) {
    var text = String(raw || "").trim();
    if (!text || busy) return;
    setBusy(true);
    input.value = "";
    removeQuickReplies();
    addMessage({ role: "user", text: text });
    var message = { role: "bot", text: "", pending: true };
    state.messages.push(message);
    var node = el("div", { class: "msg bot" });
    var textNode = el("div", { class: "text typing" });
    node.append(el("span", { class: "sr-only" }, t.typing), textNode);
    log.append(node);
    scrollDown();
    var payload = JSON.stringify({ user: state.userId, text: text });
    var finished = false;
    try {
      var response = await fetch(baseUrl + "/v1/chat/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: payload
      });
      if (!response.ok) {
        node = failReply(message, node, await errorMessage(response));
        finished = true;
      } else if (!response.body || !response.body.getReader) {
        // No streams in this browser: ask for the whole reply at once.
        var plain = await fetch(baseUrl + "/v1/chat", { method: "POST", headers: { "Content-Type": "application/json" }, body: payload });
        node = plain.ok ? finishReply(message, node, await plain.json()) : failReply(message, node, await errorMessage(plain));
        finished = true;
      } else {
        var streamed = "";
        await readEvents(response.body, function (event, data) {
          if (event === "delta") {
            streamed += data.text;
            textNode.classList.remove("typing");
            textNode.textContent = streamed;
            reveal(node);
          } else if (event === "reply") {
            node = finishReply(message, node, data);
            finished = true;
          } else if (event === "error") {
            node = failReply(message, node, (data.error && data.error.message) || t.error);
            finished = true;
          }
        });
        if (!finished) node = failReply(message, node, t.error);
      }
    } catch (e) {
      node = failReply(message, node, finished ? t.error : t.network);
    } finally {
      setBusy(false);
    }
  }

  // -- a staff member's replies (handoff) --------------------------------------------------

  var staffTimer = null;

  function watchStaff(handoff) {
    state.handoff = handoff;
    saveState();
    if (!staffTimer) staffTimer = setTimeout(pollStaff, STAFF_POLL_MS);
  }

  async function pollStaff() {
    staffTimer = null;
    if (!state.handoff) return;
    try {
      var url = baseUrl + "/v1/chat/messages?user=" + encodeURIComponent(state.userId) + "&after=" + (state.staffAfter || 0);
      var response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        var data = await response.json();
        (data.messages || []).forEach(function (m) {
          state.staffAfter = Math.max(state.staffAfter || 0, m.id);
          removeQuickReplies();
          reveal(addMessage({ role: "bot", staff: true, text: m.text }));
        });
        state.handoff = data.handoff || null;
        saveState();
      }
    } catch (e) { /* offline for a moment: ask again later */ }
    if (state.handoff && !staffTimer) staffTimer = setTimeout(pollStaff, STAFF_POLL_MS);
  }

  async function rate(message, rating, group, status) {
    if (message.rating) return;
    var buttons = group.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    try {
      var response = await fetch(baseUrl + "/v1/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ reply_id: message.replyId, rating: rating })
      });
      if (!response.ok) throw new Error(await errorMessage(response));
      message.rating = rating;
      saveState();
      Array.prototype.forEach.call(buttons, function (b) {
        b.setAttribute("aria-pressed", String(b.classList.contains("thumb-" + rating)));
      });
      status.textContent = t.thanks;
    } catch (e) {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      status.textContent = e && e.message ? e.message : t.error;
    }
  }

  // -- start -------------------------------------------------------------------------------

  function mount() {
    document.body.append(host);
    // A reply cut off by a page load is dropped; the question stays in the transcript.
    state.messages = state.messages.filter(function (m) { return !m.pending; });
    renderAll();
    if (state.open) open(true);
    if (state.handoff) watchStaff(state.handoff); // reloaded mid-handoff: keep listening
  }

  window.assistantWidget = { open: function () { open(); }, close: close, send: send, reset: reset };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
