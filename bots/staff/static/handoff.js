"use strict";
// The handoff thread page: new citizen messages appear without reloading (the reply box
// keeps what you typed); a change of status (claimed, released, timed out) reloads the page.
(function () {
  var thread = document.getElementById("thread");
  var status = document.getElementById("handoff-status");
  if (!thread || !status || status.dataset.status === "closed") return;
  var seen = 0;  // the newest handoff message shown (the assistant's turns have ids below 0)
  Array.prototype.forEach.call(thread.children, function (li) { seen = Math.max(seen, +li.dataset.id); });
  setInterval(function () {
    fetch("/staff/api/handoffs/" + thread.dataset.handoff, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (h) {
        if (!h) return;
        if (h.status !== status.dataset.status) { location.reload(); return; }
        h.thread.filter(function (m) { return m.id > seen; }).forEach(function (m) {
          seen = m.id;
          var li = document.createElement("li");
          li.className = "msg " + m.sender;
          var who = document.createElement("span");
          who.className = "who";
          who.textContent = m.sender === "citizen" ? "Người dân / citizen" : (m.author || "Thông báo / notice");
          var text = document.createElement("span");
          text.className = "text";
          text.textContent = m.text;
          li.append(who, text);
          thread.append(li);
        });
      })
      .catch(function () {});
  }, 5000);
})();
