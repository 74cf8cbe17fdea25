// A referral file's page while it is checked and imported: polls the batch's status route
// and moves the bar; once the run has finished, loads the page again to show the counts or
// the problems. Without JavaScript the page's Refresh link does the same by hand.
(function () {
  "use strict";
  var bar = document.getElementById("batch-progress");
  var stage = document.getElementById("batch-stage");
  if (!bar || !stage || !window.fetch) {
    return;
  }
  var url = bar.getAttribute("data-status-url");
  var every = 500; // milliseconds between polls while the run goes on
  var failures = 0;

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    stage.setAttribute("data-status", state.status);
    var strong = document.createElement("strong");
    strong.textContent = state.status_label;
    stage.replaceChildren(strong, document.createTextNode(" – " + state.percent + "% read"));
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        if (state.finished) {
          window.location.assign(state.page);
          return;
        }
        show(state);
        window.setTimeout(poll, every);
      })
      .catch(function () {
        // The server may be restarting: back off, and give up after a while (Refresh stays).
        failures += 1;
        if (failures < 20) {
          window.setTimeout(poll, every * 4);
        }
      });
  }

  window.setTimeout(poll, every);
})();
