// The timeout warning (WCAG 2.2.1 Timing Adjustable), after the GOV.UK pattern. The server
// ends a session left idle for SESSION_IDLE_TIMEOUT; the page says how many seconds were left
// when it was sent (data attributes on the dialog, templates/signin/_session_timeout.html).
// Shortly before the end a modal dialog opens, takes the focus and keeps it (showModal makes
// the rest of the page inert), and says how long is left. "Stay signed in" (or Escape) posts
// to a small endpoint that restarts the idle clock and answers 204; "Sign out" is a plain
// form. When the time is up the page is loaded again, which the server answers with the
// sign-in page. Nothing is polled: only the user's own choice extends the session.
(function () {
  "use strict";
  var dialog = document.querySelector("dialog[data-session-timeout]");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var data = dialog.dataset;
  var timeout = Number(data.idleTimeout);
  var warnBefore = Number(data.warnBefore);
  var loadedAt = Date.now();
  // Both deadlines in this page's clock (milliseconds); the absolute one never moves.
  var absoluteEnd = loadedAt + Number(data.absoluteLeft) * 1000;
  var idleEnd = loadedAt + Number(data.idleLeft) * 1000;
  var stay = dialog.querySelector("[data-stay]");
  var announce = dialog.querySelector("[data-announce]");
  var token = dialog.querySelector("input[name=csrfmiddlewaretoken]");
  var texts = {
    idle: dialog.querySelector("[data-when=idle]"),
    absolute: dialog.querySelector("[data-when=absolute]"),
  };
  var warnTimer = null;
  var tickTimer = null;
  var returnFocus = null;
  var lastAnnounced = null;
  var busy = false;
  var closing = false;

  function end() {
    return Math.min(idleEnd, absoluteEnd);
  }

  function fixed() {
    // The absolute lifetime comes first: nothing the user does can move it.
    return absoluteEnd <= idleEnd;
  }

  function words(seconds) {
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function tick() {
    var left = Math.max(0, Math.ceil((end() - Date.now()) / 1000));
    if (left <= 0) {
      window.clearInterval(tickTimer);
      // The server has ended the session: this load answers with the sign-in page.
      window.location.reload();
      return;
    }
    var current = fixed() ? texts.absolute : texts.idle;
    current.querySelector("[data-countdown]").textContent = words(left);
    // A screen reader hears the time left when the dialog opens and then every 20 seconds
    // (every minute while more than a minute is left), not every second.
    var step = left > 60 ? 60 : 20;
    var bucket = Math.ceil(left / step);
    if (bucket !== lastAnnounced) {
      lastAnnounced = bucket;
      announce.textContent = "You will be signed out in " + words(left) + ".";
    }
  }

  function open() {
    if (dialog.open) {
      return;
    }
    texts.idle.hidden = fixed();
    texts.absolute.hidden = !fixed();
    stay.textContent = fixed() ? "Continue" : "Stay signed in";
    lastAnnounced = null;
    returnFocus = document.activeElement;
    dialog.showModal();
    stay.focus();
    tick();
    tickTimer = window.setInterval(tick, 1000);
  }

  function close() {
    window.clearInterval(tickTimer);
    announce.textContent = "";
    if (dialog.open) {
      closing = true;
      dialog.close();
      closing = false;
    }
    if (returnFocus && typeof returnFocus.focus === "function") {
      returnFocus.focus();
    }
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    var wait = end() - warnBefore * 1000 - Date.now();
    warnTimer = window.setTimeout(open, Math.max(0, wait));
  }

  function extend() {
    if (fixed()) {
      close();
      schedule();
      return;
    }
    if (busy) {
      return;
    }
    busy = true;
    var sent = Date.now();
    window
      .fetch(data.extendUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": token.value },
      })
      .then(function (response) {
        busy = false;
        if (response.status !== 204) {
          // Already signed out (or refused): show the page the server has for this.
          window.location.reload();
          return;
        }
        idleEnd = sent + timeout * 1000;
        close();
        schedule();
      })
      .catch(function () {
        busy = false;
        announce.textContent = "Beaconport could not be reached. Try again.";
      });
  }

  stay.addEventListener("click", extend);
  // Escape closes a modal dialog: here it means "stay signed in", not "ignore the warning".
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    extend();
  });
  // Closed some other way (a browser may close it on a second Escape): stay signed in too.
  dialog.addEventListener("close", function () {
    if (!closing) {
      window.clearInterval(tickTimer);
      extend();
    }
  });
  schedule();
})();
