// A wide table scrolls sideways inside its .table-wrap instead of widening the page (WCAG
// 1.4.10). While it does, the region must take the keyboard focus so it can be scrolled
// without a mouse (2.1.1), and be named so a screen reader says what it holds. A template may
// say so itself (<div class="table-wrap" role="region" aria-label="..." tabindex="0">); for a
// region that does not, this adds the three while the table overflows and takes them away
// when it fits again (after a resize or a zoom), so a narrow table is not an extra tab stop.
(function () {
  "use strict";
  var counter = 0;

  function nameOf(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      if (!caption.id) {
        counter += 1;
        caption.id = "table-wrap-caption-" + counter;
      }
      return { labelledby: caption.id };
    }
    var table = wrap.querySelector("table");
    var label = table && table.getAttribute("aria-label");
    return { label: label || "Table" };
  }

  function update(wrap) {
    var overflows = wrap.scrollWidth > wrap.clientWidth + 1;
    if (overflows && !wrap.hasAttribute("tabindex")) {
      var name = nameOf(wrap);
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      if (name.labelledby) {
        wrap.setAttribute("aria-labelledby", name.labelledby);
      } else {
        wrap.setAttribute("aria-label", name.label);
      }
      wrap.setAttribute("data-table-wrap-managed", "");
    } else if (!overflows && wrap.hasAttribute("data-table-wrap-managed")) {
      ["tabindex", "role", "aria-labelledby", "aria-label", "data-table-wrap-managed"].forEach(
        function (attribute) {
          wrap.removeAttribute(attribute);
        }
      );
    }
  }

  var wraps = Array.prototype.filter.call(
    document.querySelectorAll(".table-wrap"),
    function (wrap) {
      return !wrap.hasAttribute("tabindex");
    }
  );
  wraps.forEach(update);
  if ("ResizeObserver" in window) {
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        update(entry.target);
      });
    });
    wraps.forEach(function (wrap) {
      observer.observe(wrap);
    });
  }
})();
