/* Accessibility glue for the ipywidgets the mentorship apps are made of (inlined by index.html.j2).
   ipywidgets render radio buttons without a shared name (each its own tab stop, no arrow keys), labels that are
   not tied to their group, and no aria-invalid; this fills that in whenever the widgets change:
   - radio buttons: one named group per widget, role=radiogroup labelled by the widget's label, so the browser
     makes the group one tab stop with arrow keys (and an arrow key selects, as a click would);
   - checkbox groups and the language switch: role=group labelled by their heading; aria-pressed on the switch;
   - a field showing an error (.lce-error inside .lce-field): aria-invalid and aria-describedby on its control;
   - the page language (<html lang>) follows the app's language switch (the title carries lang). */
(function () {
  "use strict";
  var counter = 0;

  function ensureId(el, prefix) {
    if (!el.id) { counter += 1; el.id = prefix + "-" + counter; }
    return el.id;
  }

  function set(el, name, value) {
    if (value === null) { if (el.hasAttribute(name)) { el.removeAttribute(name); } }
    else if (el.getAttribute(name) !== value) { el.setAttribute(name, value); }
  }

  function radioGroups(root) {
    root.querySelectorAll(".widget-radio").forEach(function (widget) {
      var box = widget.querySelector(".widget-radio-box");
      if (!box) { return; }
      var label = widget.querySelector(":scope > .widget-label");
      set(box, "role", "radiogroup");
      if (label && label.textContent.trim()) { set(box, "aria-labelledby", ensureId(label, "lce-label")); }
      var name = box.getAttribute("data-lce-group") || ensureId(box, "lce-radios");
      set(box, "data-lce-group", name);
      box.querySelectorAll('input[type="radio"]').forEach(function (input) { set(input, "name", name); });
    });
  }

  function groups(root) {
    root.querySelectorAll(".lce-checkgroup").forEach(function (group) {
      var label = group.querySelector(".lce-group-label");
      var grid = group.querySelector(".lce-choices");
      if (grid) {
        set(grid, "role", "group");
        if (label) { set(grid, "aria-labelledby", ensureId(label, "lce-label")); }
      }
    });
    root.querySelectorAll(".widget-toggle-buttons").forEach(function (toggle) {
      var label = toggle.querySelector(":scope > .widget-label");
      var buttons = toggle.querySelector(".widget-toggle-buttons > div, .widget-inline-vbox, .widget-hbox") ||
        toggle;
      set(buttons, "role", "group");
      if (label) { set(buttons, "aria-labelledby", ensureId(label, "lce-label")); }
      toggle.querySelectorAll("button").forEach(function (button) {
        set(button, "aria-pressed", button.classList.contains("mod-active") ? "true" : "false");
        var text = button.textContent.trim();
        if (text === "English") { set(button, "lang", "en"); }
        if (text === "Svenska") { set(button, "lang", "sv"); }
      });
    });
  }

  function errors(root) {
    root.querySelectorAll(".lce-field").forEach(function (field) {
      var error = field.querySelector(".lce-error[id]");
      var radios = field.querySelector('[role="radiogroup"]');
      var controls = radios ? [radios] : Array.prototype.filter.call(
        field.querySelectorAll("input, textarea, select"),
        function (el) { return !el.closest(".lce-error"); });
      controls.forEach(function (control) {
        set(control, "aria-invalid", error ? "true" : null);
        set(control, "aria-describedby", error ? error.id : null);
      });
    });
  }

  function language(root) {
    var title = root.querySelector(".lce-app h1[lang]");
    if (title) { set(document.documentElement, "lang", title.getAttribute("lang")); }
  }

  function update() {
    var root = document.getElementById("rendered_cells") || document.body;
    radioGroups(root);
    groups(root);
    errors(root);
    language(root);
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; update(); });
  }

  function start() {
    var root = document.getElementById("rendered_cells") || document.body;
    new MutationObserver(schedule).observe(root, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["class"]
    });
    schedule();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
