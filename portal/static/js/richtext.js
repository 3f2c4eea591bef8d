/* The formatting editor over every textarea[data-richtext] (portal/core/richtext.py).

   The textarea stays the form field: it is hidden from sight and from the tab order, and
   filled with the editor's HTML on every change, so the form, the minutes autosave and the
   409 merge page see one ordinary field. Without JavaScript, or if the editor cannot load,
   the textarea is left as it is and the server turns typed lines into paragraphs.
   The editor's files (vendored Quill) are loaded only when a page has such a box; the
   toolbar's labels come translated in data-richtext-labels. The sanitiser on the server
   (portal/core/sanitize.py) has the last word on what is kept. */
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll("textarea[data-richtext]"));
  if (!boxes.length) { return; }
  var FORMATS = ["header", "bold", "italic", "list", "link"];
  var SAFE_LINK = /^(https?:\/\/|mailto:)/i;
  var counter = 0;

  function load(urls, done) {
    var scripts = [];
    urls.forEach(function (url) {
      if (/\.css(\?|$)/.test(url)) {
        if (!document.querySelector('link[href="' + url + '"]')) {
          var link = document.createElement("link");
          link.rel = "stylesheet";
          link.href = url;
          document.head.appendChild(link);
        }
      } else { scripts.push(url); }
    });
    (function next() {
      if (!scripts.length) { done(); return; }
      var script = document.createElement("script");
      script.src = scripts.shift();
      script.onload = next;  // a failed load leaves the plain textarea, which still works
      document.head.appendChild(script);
    })();
  }

  function looksLikeHtml(text) {
    return /<\/?[a-zA-Z][^>]*>/.test(text);
  }

  /* Plain text (typed before, or kept from a draft) opens as paragraphs, as the server
     would store it. */
  function asHtml(text) {
    if (!text || looksLikeHtml(text)) { return text || ""; }
    var div = document.createElement("div");
    return text.split(/\r?\n/).map(function (line) {
      div.textContent = line;
      return "<p>" + (div.innerHTML || "<br>") + "</p>";
    }).join("");
  }

  /* What a word processor puts on the clipboard, made plain before the editor (or the
     browser) reads it. Style attributes and <style> blocks are taken out as text first: the
     page's Content-Security-Policy forbids inline styles, and a parsed style attribute is
     reported as a violation even in a detached document. What they meant and the editor
     keeps is carried over as data- marks: Word's list paragraphs (mso-list) and their
     markers, bold and italic set by style (Google Docs). The editor then keeps headings,
     lists, bold, italic, links and line breaks, and drops the rest. */
  var STYLE_ATTRIBUTE = /\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi;

  function styleMarks(value) {
    var style = value.replace(/^["']|["']$/g, "").toLowerCase();
    var marks = [];
    var list = style.match(/mso-list:\s*l(\d+)\s+level\d+/);
    if (/mso-list:\s*ignore/.test(style)) { marks.push('data-mso-ignore=""'); }
    else if (list) { marks.push('data-mso-list="' + list[1] + '"'); }
    if (/font-weight:\s*(bold|[6-9]00)/.test(style)) { marks.push('data-bold=""'); }
    if (/font-weight:\s*(normal|[1-5]00)/.test(style)) { marks.push('data-unbold=""'); }
    if (/font-style:\s*italic/.test(style)) { marks.push('data-italic=""'); }
    return marks.length ? " " + marks.join(" ") : "";
  }

  function wrapChildren(node, tag) {
    var wrapper = node.ownerDocument.createElement(tag);
    while (node.firstChild) { wrapper.appendChild(node.firstChild); }
    node.appendChild(wrapper);
  }

  function unwrap(node) {
    while (node.firstChild) { node.parentNode.insertBefore(node.firstChild, node); }
    node.parentNode.removeChild(node);
  }

  function wordLists(doc, bullets) {
    var items = Array.prototype.slice.call(doc.querySelectorAll("p[data-mso-list]"));
    var list = null;
    items.forEach(function (item) {
      var id = item.getAttribute("data-mso-list");
      var marker = Array.prototype.map.call(item.querySelectorAll("[data-mso-ignore]"),
                                            function (n) { return n.textContent; }).join("");
      var ordered = id in bullets ? !bullets[id] : /^\s*(\d+|[a-z]|[ivxlcdm]+)[.)]/i.test(marker);
      var tag = ordered ? "OL" : "UL";
      var previous = item.previousElementSibling;
      if (!list || previous !== list || list.tagName !== tag) {
        list = doc.createElement(tag);
        item.parentNode.insertBefore(list, item);
      }
      var li = doc.createElement("li");
      while (item.firstChild) { li.appendChild(item.firstChild); }
      list.appendChild(li);
      item.parentNode.removeChild(item);
    });
  }

  function cleanClipboard(html) {
    var bullets = {};
    html = html.replace(/<style[\s\S]*?<\/style>/gi, function (css) {
      css.replace(/@list\s+l(\d+):level1\s*\{([^}]*)\}/gi, function (rule, id, body) {
        bullets[id] = /mso-level-number-format:\s*bullet/i.test(body);
      });
      return "";
    }).replace(STYLE_ATTRIBUTE, function (attribute, value) { return styleMarks(value); });
    var doc = new DOMParser().parseFromString(html, "text/html");
    wordLists(doc, bullets);
    doc.querySelectorAll("[data-mso-ignore], o\\:p, meta, link, title, script").forEach(
      function (node) { node.parentNode.removeChild(node); });
    doc.querySelectorAll("b[data-unbold], strong[data-unbold]").forEach(unwrap);
    doc.querySelectorAll("[data-bold]").forEach(function (n) { wrapChildren(n, "strong"); });
    doc.querySelectorAll("[data-italic]").forEach(function (n) { wrapChildren(n, "em"); });
    return doc.body.innerHTML;
  }

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function button(format, value, label, icon) {
    var node = element("button", {type: "button", "class": "ql-" + format, "aria-label": label,
                                  title: label, tabindex: "-1"});
    if (value) { node.value = value; }
    node.innerHTML = icon || "";  // Quill's own SVG icons (vendored), never user text
    return node;
  }

  function buildToolbar(labels, icons, editorId) {
    var bar = element("div", {role: "toolbar", "aria-label": labels.toolbar,
                              "aria-controls": editorId, "class": "richtext-toolbar"});
    var style = element("select", {"class": "ql-header", "aria-label": labels.style,
                                   tabindex: "0"});
    [["", labels.paragraph], ["3", labels.heading], ["4", labels.subheading]]
      .forEach(function (pair) {
        var option = element("option", {value: pair[0]}, pair[1]);
        if (!pair[0]) { option.setAttribute("selected", ""); }  // Quill's "no heading"
        style.appendChild(option);
      });
    bar.appendChild(style);
    [["bold", "", labels.bold, icons.bold], ["italic", "", labels.italic, icons.italic],
     ["list", "bullet", labels.bullet, icons.list.bullet],
     ["list", "ordered", labels.ordered, icons.list.ordered],
     ["link", "", labels.link, icons.link], ["clean", "", labels.clean, icons.clean]]
      .forEach(function (spec) { bar.appendChild(button(spec[0], spec[1], spec[2], spec[3])); });
    return bar;
  }

  /* One tab stop for the whole toolbar; arrow keys move along it (mirrored in right-to-left),
     Home and End jump to the ends: the WAI-ARIA toolbar pattern. */
  function rovingFocus(bar, rtl) {
    var controls = function () {
      return Array.prototype.slice.call(bar.querySelectorAll("button, select"));
    };
    bar.addEventListener("keydown", function (event) {
      var list = controls();
      var index = list.indexOf(document.activeElement);
      if (index < 0) { return; }
      var forward = rtl ? "ArrowLeft" : "ArrowRight";
      var back = rtl ? "ArrowRight" : "ArrowLeft";
      var target = null;
      if (event.key === forward) { target = list[(index + 1) % list.length]; }
      else if (event.key === back) { target = list[(index - 1 + list.length) % list.length]; }
      else if (event.key === "Home") { target = list[0]; }
      else if (event.key === "End") { target = list[list.length - 1]; }
      if (!target) { return; }
      event.preventDefault();
      list.forEach(function (control) { control.setAttribute("tabindex", "-1"); });
      target.setAttribute("tabindex", "0");
      target.focus();
    });
  }

  function linkPanel(labels, id) {
    var panel = element("div", {"class": "richtext-link", hidden: ""});
    var inputId = id + "-link";
    panel.appendChild(element("label", {"for": inputId, "class": "form-label small mb-1"},
                              labels.address));
    var row = element("div", {"class": "d-flex gap-2 flex-wrap"});
    var input = element("input", {type: "url", id: inputId, dir: "ltr", inputmode: "url",
                                  "class": "form-control form-control-sm",
                                  "aria-describedby": inputId + "-error",
                                  placeholder: "https://"});
    var apply = element("button", {type: "button", "class": "btn btn-sm btn-primary"},
                        labels.apply);
    var cancel = element("button", {type: "button", "class": "btn btn-sm btn-outline-secondary"},
                         labels.cancel);
    var error = element("div", {id: inputId + "-error", "class": "invalid-feedback d-block",
                                hidden: ""}, labels.invalid);
    row.appendChild(input);
    row.appendChild(apply);
    row.appendChild(cancel);
    panel.appendChild(row);
    panel.appendChild(error);
    return {panel: panel, input: input, apply: apply, cancel: cancel, error: error};
  }

  function enhance(textarea) {
    var Quill = window.Quill;
    var labels = JSON.parse(textarea.getAttribute("data-richtext-labels") || "{}");
    var icons = Quill.import("ui/icons");
    var id = textarea.id || ("richtext-" + (++counter));
    var editorId = id + "-editor";
    var rtl = (document.documentElement.getAttribute("dir") || "ltr") === "rtl";

    var invalid = textarea.classList.contains("is-invalid");
    var frame = element("div", {"class": "richtext" + (invalid ? " is-invalid" : ""),
                                dir: rtl ? "rtl" : "ltr"});
    var bar = buildToolbar(labels, icons, editorId);
    var link = linkPanel(labels, id);
    var host = element("div", {"class": "richtext-body"});
    frame.appendChild(bar);
    frame.appendChild(link.panel);
    frame.appendChild(host);
    textarea.parentNode.insertBefore(frame, textarea.nextSibling);

    var quill = new Quill(host, {
      formats: FORMATS,
      modules: {toolbar: {container: bar, handlers: {link: function () { toggleLink(); }}}}
    });
    // headings pasted at any level become the two the portal uses (h3, h4)
    quill.clipboard.addMatcher(Node.ELEMENT_NODE, function (node, delta) {
      delta.ops.forEach(function (op) {
        var level = op.attributes && op.attributes.header;
        if (level) { op.attributes.header = level <= 3 ? 3 : 4; }
      });
      return delta;
    });
    quill.setContents(quill.clipboard.convert({html: cleanClipboard(asHtml(textarea.value))}),
                      "silent");

    var root = quill.root;
    // read before Quill's own paste handler, which would parse the styles
    root.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      var html = data && data.getData("text/html");
      if (!html || !quill.isEnabled()) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      var range = quill.getSelection(true);
      quill.clipboard.onPaste(range, {html: cleanClipboard(html),
                                      text: data.getData("text/plain")});
    }, true);
    root.id = editorId;
    root.setAttribute("role", "textbox");
    root.setAttribute("aria-multiline", "true");
    root.setAttribute("dir", "auto");  // each text reads in its own direction
    var label = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      label.id = label.id || id + "-label";
      root.setAttribute("aria-labelledby", label.id);
    }
    ["aria-describedby", "aria-invalid", "aria-required"].forEach(function (name) {
      if (textarea.hasAttribute(name)) { root.setAttribute(name, textarea.getAttribute(name)); }
    });

    // the textarea stays in the form, out of sight; a label click or a link from the error
    // summary that focuses it lands in the editor
    textarea.classList.add("visually-hidden");
    textarea.setAttribute("tabindex", "-1");
    textarea.setAttribute("aria-hidden", "true");
    textarea.addEventListener("focus", function () { quill.focus(); });
    if (textarea.required) {
      // the browser would refuse to send the form over a box it cannot show; the server
      // checks the text is there, and the editor says it is required
      textarea.required = false;
      root.setAttribute("aria-required", "true");
    }

    function sync() {
      var empty = quill.getLength() <= 1 && !quill.getText().trim();
      // Quill's own markup (lists as <ol><li data-list>) is made plain by the server
      textarea.value = empty ? "" : root.innerHTML.replace(/\uFEFF/g, "");
      textarea.dispatchEvent(new Event("input", {bubbles: true}));
    }
    quill.on("text-change", sync);

    function showState() {
      var range = quill.getSelection();
      var formats = range ? quill.getFormat(range) : {};
      bar.querySelectorAll("button").forEach(function (control) {
        var name = control.className.replace(/^ql-|\s.*$/g, "");
        if (name === "clean") { return; }
        var on = control.value ? formats[name] === control.value : !!formats[name];
        control.setAttribute("aria-pressed", on ? "true" : "false");
      });
      var linkButton = bar.querySelector(".ql-link");
      var text = formats.link ? labels.unlink : labels.link;
      linkButton.setAttribute("aria-label", text);
      linkButton.setAttribute("title", text);
    }
    quill.on("editor-change", showState);
    showState();
    rovingFocus(bar, rtl);

    var savedRange = null;
    function toggleLink() {
      var range = quill.getSelection(true);
      if (quill.getFormat(range).link) {
        var found = quill.getLeaf(range.index);
        var whole = {index: range.index - found[1], length: found[0].length()};
        quill.formatText(range.length ? range : whole, "link", false, "user");
        return;
      }
      savedRange = range;
      link.input.value = "";
      link.error.hidden = true;
      link.input.removeAttribute("aria-invalid");
      link.panel.hidden = false;
      link.input.focus();
    }
    function closeLink() {
      link.panel.hidden = true;
      quill.focus();
      if (savedRange) { quill.setSelection(savedRange, "silent"); }
    }
    function applyLink() {
      var href = link.input.value.trim();
      if (href && !/^[a-z][a-z0-9+.-]*:/i.test(href) && /^[^\s/]+\.[^\s/]+/.test(href)) {
        href = "https://" + href;  // "cdb.example/x" typed without its scheme
      }
      if (!SAFE_LINK.test(href)) {
        link.error.hidden = false;
        link.input.setAttribute("aria-invalid", "true");
        link.input.focus();
        return;
      }
      var range = savedRange || {index: quill.getLength() - 1, length: 0};
      if (range.length) {
        quill.formatText(range, "link", href, "user");
      } else {
        quill.insertText(range.index, href, "link", href, "user");
        range = {index: range.index + href.length, length: 0};
      }
      savedRange = range;
      closeLink();
    }
    link.apply.addEventListener("click", applyLink);
    link.cancel.addEventListener("click", closeLink);
    link.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); applyLink(); }
      if (event.key === "Escape") { event.preventDefault(); closeLink(); }
    });
    quill.keyboard.addBinding({key: "k", shortKey: true}, function () {
      toggleLink();
      return false;
    });
    // on a Persian or Thai keyboard, Ctrl+B gives "ذ" or "ิ", not "b": the same shortcuts by
    // key position (Quill tries the letter first, so a Latin keyboard does not toggle twice)
    [[66, function (range) { quill.format("bold", !quill.getFormat(range).bold, "user"); }],
     [73, function (range) { quill.format("italic", !quill.getFormat(range).italic, "user"); }],
     [75, function () { toggleLink(); }]].forEach(function (pair) {
      quill.keyboard.addBinding({key: pair[0], shortKey: true}, function (range) {
        pair[1](range);
        return false;
      });
    });
    // Tab leaves the editor (to the next field), as in any form, instead of typing a tab
    delete quill.keyboard.bindings.Tab;
    textarea.richtextEditor = quill;
  }

  load(JSON.parse(boxes[0].getAttribute("data-richtext-assets") || "[]"), function () {
    if (!window.Quill) { return; }
    boxes.forEach(enhance);
  });
})();
