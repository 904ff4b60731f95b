// /api/docs: Swagger UI (from npm's swagger-ui-dist, served by chargebook itself) on the
// OpenAPI description. A file rather than an inline script: the Content-Security-Policy
// allows scripts from this origin only.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root) { return; }
  if (typeof window.SwaggerUIBundle !== "function") {
    // An install without `make assets`: say so instead of a blank page.
    root.textContent = "Swagger UI is not installed here (make assets). The API description is at " +
      root.getAttribute("data-openapi-url") + ".";
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    // Nothing leaves the origin: no validator badge fetched from swagger.io.
    validatorUrl: null
  });
})();
