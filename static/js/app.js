/* Page behaviours declared by data-* attributes. The Content-Security-Policy allows
   scripts from this site's static files only (no inline <script>, no on*= handlers),
   so templates describe what should happen and this file does it. Every listener sits
   on the document, so content swapped in later by htmx works without re-binding. */
(function () {
  "use strict";
  if (window.platformBehaviours) return;
  window.platformBehaviours = { version: 1 };

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  // data-require-field="f-reason" data-require-message="请填写退回原因" on a submit button:
  // the button does nothing until that field has text (退回 / 不通过 need a reason).
  // data-confirm="确认删除？" on a button: asks first.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-require-field], button[data-confirm]");
    if (!button) return;
    var field = byId(button.getAttribute("data-require-field"));
    if (field && !field.value.trim()) {
      event.preventDefault();
      field.focus();
      window.alert(button.getAttribute("data-require-message") || "请填写必填项");
      return;
    }
    var question = button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // data-confirm on a form: asks before submitting. data-require-checked="input[name=ids]":
  // the form is not sent while none of those boxes is ticked (批量通过).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm], form[data-require-checked]")) return;
    var needed = form.getAttribute("data-require-checked");
    if (needed && !form.querySelectorAll(needed + ":checked").length) {
      event.preventDefault();
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches) return;

    // data-check-all="#table input[name=ids]": a 全选 box ticks or clears every enabled box.
    if (el.matches("input[data-check-all]")) {
      document.querySelectorAll(el.getAttribute("data-check-all")).forEach(function (box) {
        if (!box.disabled) box.checked = el.checked;
      });
    }

    // data-toggle-block="deferred-block": the block shows while the box is ticked.
    if (el.matches("input[data-toggle-block]")) {
      var block = byId(el.getAttribute("data-toggle-block"));
      if (block) block.hidden = !el.checked;
    }

    // data-navigate-param="category": choosing an option reloads the page for it.
    if (el.matches("select[data-navigate-param]")) {
      window.location.href = "?" + encodeURIComponent(el.getAttribute("data-navigate-param")) + "=" +
        encodeURIComponent(el.value);
    }

    // data-file-names="certificate-chosen" on a file input (templates/_file_button.html):
    // the chosen file names appear in that element.
    if (el.matches("input[type=file][data-file-names]")) {
      var shown = byId(el.getAttribute("data-file-names"));
      if (shown) {
        var names = Array.prototype.map.call(el.files || [], function (f) { return f.name; });
        shown.textContent = names.length ? "已选择：" + names.join("、") : "未选择文件";
      }
    }

    // data-auto-submit="uploading" on a file input: send the form as soon as files are
    // chosen, showing the element with that id while the upload runs.
    if (el.matches("input[type=file][data-auto-submit]") && el.files && el.files.length) {
      var notice = byId(el.getAttribute("data-auto-submit"));
      if (notice) notice.hidden = false;
      el.form.submit();
    }
  });

  // data-clear-field="school_id": typing in this box forgets the earlier choice.
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("[data-clear-field]")) return;
    var target = byId(el.getAttribute("data-clear-field"));
    if (target) target.value = "";
  });

  // A suggestion button (院校 search): data-pick-value goes into the hidden field
  // data-pick-into, data-pick-label into the visible box data-pick-label-into, and the
  // list data-pick-clear is emptied.
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-pick-into]");
    if (!option) return;
    var hidden = byId(option.getAttribute("data-pick-into"));
    var box = byId(option.getAttribute("data-pick-label-into"));
    var list = byId(option.getAttribute("data-pick-clear"));
    if (hidden) hidden.value = option.getAttribute("data-pick-value");
    if (box) box.value = option.getAttribute("data-pick-label");
    if (list) list.innerHTML = "";
  });

  // data-print-frame="print-pdf": prints the document in that iframe; where the browser
  // cannot print a frame, opens the document in a new window instead.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print-frame]");
    if (!button) return;
    var frame = byId(button.getAttribute("data-print-frame"));
    if (!frame) return;
    try {
      frame.contentWindow.focus();
      frame.contentWindow.print();
    } catch (e) {
      window.open(frame.src);
    }
  });

  // Proof images (data-image-viewer="image-viewer" on the container): a thumbnail opens
  // in the <dialog> instead of a new tab; a click on the dialog closes it.
  document.addEventListener("click", function (event) {
    var dialog = event.target.closest && event.target.closest("dialog[data-viewer-dialog]");
    if (dialog) {
      dialog.close();
      return;
    }
    var link = event.target.closest && event.target.closest("[data-image-viewer] a.proof-thumb");
    if (!link) return;
    var viewer = byId(link.closest("[data-image-viewer]").getAttribute("data-image-viewer"));
    if (!viewer || !viewer.showModal) return;  // old browsers: the link opens the image
    event.preventDefault();
    var img = viewer.querySelector("img");
    if (img) img.src = link.href;
    viewer.showModal();
  });

  // Countdowns: data-countdown with data-remaining (seconds, from the server's deadline,
  // so a wrong phone clock does not matter). At zero: data-countdown-show (ids, comma
  // separated) are shown, data-countdown-disable are disabled, data-countdown-fade dimmed.
  function eachId(list, fn) {
    (list || "").split(",").forEach(function (id) {
      var el = byId(id.trim());
      if (el) fn(el);
    });
  }

  function startCountdown(el) {
    if (el.countdownStarted) return;
    el.countdownStarted = true;
    var left = parseInt(el.getAttribute("data-remaining"), 10) || 0;
    var started = Date.now();
    function tick() {
      var now = Math.max(0, left - Math.floor((Date.now() - started) / 1000));
      el.textContent = now;
      if (now <= 0) {
        eachId(el.getAttribute("data-countdown-show"), function (x) { x.hidden = false; });
        eachId(el.getAttribute("data-countdown-disable"), function (x) { x.disabled = true; });
        eachId(el.getAttribute("data-countdown-fade"), function (x) { x.classList.add("countdown-faded"); });
        return;
      }
      setTimeout(tick, 250);
    }
    tick();
  }

  function startCountdowns() {
    document.querySelectorAll("[data-countdown]").forEach(startCountdown);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startCountdowns);
  } else {
    startCountdowns();
  }
  document.addEventListener("htmx:load", startCountdowns);
})();
