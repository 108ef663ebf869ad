// VendHub customer page (the machine's QR page and the order page). No inline scripts (the
// Content-Security-Policy forbids them): the order page is <section data-order-live="<order id>">.
(function () {
  "use strict";

  var POLL_MS = 4000;

  // Inside Telegram this page is the bot's Mini App. The bot's side (checking initData) is not here:
  // this only tells Telegram the page is ready and marks it, so styles and the bot can build on it.
  function telegram() {
    var tg = window.Telegram && window.Telegram.WebApp;
    if (!tg) return;
    document.body.setAttribute("data-telegram", "1");
    if (typeof tg.ready === "function") tg.ready();
  }

  function show(root, status) {
    root.setAttribute("data-status", status);
    var box = document.getElementById("order-status");
    if (!box) return;
    box.setAttribute("data-status", status);
    box.className = box.className.replace(/\bstatus-\S+/g, "").trim() + " status-" + status;
    box.querySelectorAll("[data-order-field]").forEach(function (el) {
      var label = el.getAttribute("data-label-" + status);
      if (label) el.textContent = label;
    });
  }

  // Live status: Socket.IO admits this page to its order's room only ({order_id} in the handshake).
  // While it is not connected, htmx fetches the status fragment every few seconds instead.
  function live() {
    var root = document.querySelector("[data-order-live]");
    if (!root) return;
    var id = root.getAttribute("data-order-live");
    var connected = false;
    setInterval(function () {
      var box = document.getElementById("order-status");
      if (!connected && box && typeof htmx !== "undefined") htmx.trigger(box, "vh-poll");
    }, POLL_MS);
    // A fetched fragment carries the status: keep the page's state in step with it.
    document.body.addEventListener("htmx:afterSwap", function () {
      var box = document.getElementById("order-status");
      if (box) root.setAttribute("data-status", box.getAttribute("data-status"));
    });
    if (typeof io === "undefined") return;
    var socket = io({ transports: ["websocket", "polling"], auth: { order_id: id } });
    socket.on("connect", function () {
      connected = true;
      document.body.setAttribute("data-live", "connected");
    });
    socket.on("disconnect", function () {
      connected = false;
      document.body.removeAttribute("data-live");
    });
    socket.on("connect_error", function () { connected = false; });
    socket.on("order:status", function (p) {
      if (p && p.order_id === id && p.status) show(root, String(p.status));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    telegram();
    live();
  });
})();
