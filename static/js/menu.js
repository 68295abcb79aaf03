// The header's disclosures (the sectors, the phone's "Menu") work without JavaScript; with it, an
// open one also closes on Escape (the focus goes back to its summary), on a click elsewhere, and
// when another opens.
(function () {
  "use strict";
  var menus = document.querySelectorAll(".site-header details");

  function closeAll(except) {
    menus.forEach(function (menu) {
      if (menu !== except && menu.open) {
        menu.open = false;
      }
    });
  }

  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) {
        closeAll(menu);
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    menus.forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        if (menu.contains(document.activeElement)) {
          menu.querySelector("summary").focus();
        }
      }
    });
  });

  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });
})();
