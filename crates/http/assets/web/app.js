// VendHub admin panel: the little behaviour the server-rendered pages need. No inline scripts (the
// Content-Security-Policy forbids them): pages declare what they want with data-* attributes.
(function () {
  "use strict";

  // Live updates over Socket.IO (the session cookie admits the connection): elements with
  // data-live-machine="<id>" subscribe to that machine; data-live-org to the organization. An event
  // updates every element with data-live-field="<event>:<field>" inside, and data-live-status gets a
  // status-<value> class.
  function live() {
    var machines = document.querySelectorAll("[data-live-machine]");
    var org = document.querySelector("[data-live-org]");
    if ((!machines.length && !org) || typeof io === "undefined") return;
    var socket = io({ transports: ["websocket", "polling"], withCredentials: true });
    socket.on("connect", function () {
      machines.forEach(function (el) {
        socket.emit("subscribe", { machine_id: el.getAttribute("data-live-machine") });
      });
      if (org) socket.emit("subscribe", { organization: true });
      document.body.setAttribute("data-live", "connected");
    });
    function apply(event, payload) {
      var scope = payload && payload.machine_id
        ? document.querySelectorAll('[data-live-machine="' + payload.machine_id + '"], [data-live-org]')
        : document.querySelectorAll("[data-live-org]");
      scope.forEach(function (root) {
        root.querySelectorAll("[data-live-field^='" + event + ":']").forEach(function (el) {
          var field = el.getAttribute("data-live-field").split(":")[1];
          if (payload[field] === undefined || payload[field] === null) return;
          var value = String(payload[field]);
          var label = el.getAttribute("data-label-" + value);
          el.textContent = label || value;
          if (el.hasAttribute("data-live-status")) {
            el.className = el.className.replace(/\bstatus-\S+/g, "").trim() + " status-" + value;
            el.setAttribute("data-status", value);
          }
        });
      });
    }
    ["machine:status", "machine:telemetry", "task:updated", "inventory:low", "order:created"].forEach(
      function (event) {
        socket.on(event, function (payload) { apply(event, payload || {}); });
      }
    );
  }

  // Leaflet map: <div data-map data-tiles="url template or empty"> with <li data-lat data-lng
  // data-label data-href> markers inside a sibling list.
  function maps() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(function (el) {
      var map = L.map(el, { attributionControl: true });
      var tiles = el.getAttribute("data-tiles");
      if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
      var points = [];
      document.querySelectorAll("[data-map-marker]").forEach(function (m) {
        var lat = parseFloat(m.getAttribute("data-lat")), lng = parseFloat(m.getAttribute("data-lng"));
        if (isNaN(lat) || isNaN(lng)) return;
        var marker = L.marker([lat, lng]).addTo(map);
        var a = document.createElement("a");
        a.href = m.getAttribute("data-href");
        a.textContent = m.getAttribute("data-label");
        marker.bindPopup(a);
        points.push([lat, lng]);
      });
      if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 15 });
      else map.setView([41.3111, 69.2797], 11);
    });
  }

  // Confirmations: <button data-confirm="text">.
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
  });

  // Printing: <button data-print>.
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("DOMContentLoaded", function () {
    live();
    maps();
  });
})();
