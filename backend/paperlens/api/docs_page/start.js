// Starts Swagger UI on the page /api/v1/docs serves; a file of its own so the page's
// Content-Security-Policy can forbid inline scripts.
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.spec,
    dom_id: "#reference",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
});
