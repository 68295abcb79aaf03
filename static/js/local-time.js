// A moment the page gives in Paris time, shown in the visitor's own time zone when it differs.
// Progressive enhancement: without JavaScript the Paris time stays, and says so.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === "Europe/Paris") {
    return;
  }
  var day = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric" });
  // French writes 03:05, English 3:05 AM: as the page does in Paris time.
  var time = new Intl.DateTimeFormat(lang, { hour: lang === "fr" ? "2-digit" : "numeric", minute: "2-digit" });
  document.querySelectorAll("time[data-local-time]").forEach(function (element) {
    var moment = new Date(element.getAttribute("datetime"));
    if (isNaN(moment)) {
      return;
    }
    var date = day.format(moment);
    if (lang === "fr" && moment.getDate() === 1) {
      date = date.replace(/^1(?=\s)/, "1er"); // French writes « 1er décembre »
    }
    element.textContent = date + " " + element.dataset.at + " " + time.format(moment) +
      " (" + element.dataset.yourTime + ")";
  });
})();
