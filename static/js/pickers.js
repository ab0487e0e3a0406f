/* Reference pickers (apps/reference/templates/reference/_division_picker.html and
   _code_picker.html). Every picker includes this file; it runs once per page and works
   for pickers added later by htmx, as it only listens on the document. */
(function () {
  "use strict";
  if (window.referencePickers) return;
  window.referencePickers = { version: 1 };

  // The cascade selects and the search box carry no name, so the enclosing form never
  // submits them; htmx sends their value under data-picker-param instead.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    var param = elt && elt.getAttribute && elt.getAttribute("data-picker-param");
    if (param) event.detail.parameters[param] = elt.value;
  });

  // Enter in a search or filter box must not submit the enclosing form.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key === "Enter" && box.matches && box.matches("[data-picker-param=q], [data-code-filter]")) {
      event.preventDefault();
    }
  });

  function norm(text) {
    return (text || "").normalize("NFKC").replace(/\s+/g, "").toLowerCase();
  }

  // Code picker filter box: rebuild the <select> from its first copy, keeping the matching
  // options and the one currently chosen (a filter never drops a value silently). One
  // match is chosen at once. Rebuilding, not hiding, works in every mobile browser.
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-code-filter]")) return;
    var select = document.getElementById(box.getAttribute("data-code-filter"));
    if (!select) return;
    if (!select.pickerOptions) select.pickerOptions = select.cloneNode(true);
    var query = norm(box.value);
    var current = select.value;
    var matches = [];

    function keep(option) {
      if (!option.value) return true;
      var hit = !query || norm(option.getAttribute("data-keywords") || option.textContent).indexOf(query) !== -1;
      if (hit) matches.push(option.value);
      return hit || option.value === current;
    }

    var rebuilt = document.createDocumentFragment();
    Array.prototype.forEach.call(select.pickerOptions.children, function (node) {
      if (node.tagName === "OPTGROUP") {
        var group = node.cloneNode(false);
        Array.prototype.forEach.call(node.children, function (option) {
          if (keep(option)) group.appendChild(option.cloneNode(true));
        });
        if (group.children.length) rebuilt.appendChild(group);
      } else if (keep(node)) {
        rebuilt.appendChild(node.cloneNode(true));
      }
    });
    select.replaceChildren(rebuilt);
    var next = query && matches.length === 1 ? matches[0] : current;
    select.value = next;
    if (next !== current) select.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
