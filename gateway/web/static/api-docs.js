// Starts Swagger UI on /docs (a static file: the Content-Security-Policy allows no inline script).
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  // Swagger UI names each operation's button by method and path only, which its visible
  // summary text then contradicts (WCAG 2.5.3), and leaves the servers list, a request body
  // and the authorize dialog's close button unnamed: mend them whenever it renders (it is
  // React: parts appear as operations open).
  var names = [[".servers select", "Servers"], ["textarea.body-param__text", "Request body"],
               [".modal-ux .close-modal", "Close"]];
  function mend() {
    container.querySelectorAll(".opblock-summary-control[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
    });
    names.forEach(function (pair) {
      container.querySelectorAll(pair[0] + ":not([aria-label])").forEach(function (element) {
        element.setAttribute("aria-label", pair[1]);
      });
    });
  }
  new MutationObserver(mend).observe(container, { childList: true, subtree: true });
  window.ui = SwaggerUIBundle({ url: container.dataset.specUrl, dom_id: "#swagger-ui-container" });
});
