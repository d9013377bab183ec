// Links the two halves of each matched fragment.  Reads only ids and data attributes the
// renderer built from indices; no report text is ever part of this script.
(function () {
  "use strict";
  var active = [];

  function activate(fragment) {
    active.forEach(function (element) { element.classList.remove("active"); });
    active = Array.prototype.slice.call(
      document.querySelectorAll('[data-f="' + CSS.escape(fragment) + '"]'));
    active.forEach(function (element) { element.classList.add("active"); });
  }

  function partnerOf(element) {
    var side = element.closest("[data-side]");
    if (!side) { return null; }
    var other = side.getAttribute("data-side") === "L" ? "R" : "L";
    return document.getElementById(element.getAttribute("data-f") + "-" + other);
  }

  document.addEventListener("click", function (event) {
    var element = event.target.closest("[data-f]");
    if (!element || element.closest("a")) { return; }
    var partner = partnerOf(element);
    activate(element.getAttribute("data-f"));
    if (partner) { partner.scrollIntoView({block: "center", inline: "nearest"}); }
  });

  function fromHash() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (target && target.hasAttribute("data-f")) { activate(target.getAttribute("data-f")); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
}());
