// The OpenAPI UI of Quotegate (web/ApiDocsConfiguration): Swagger UI from its WebJar, reading
// this gateway's own document. A file, not inline script, for the page's Content-Security-Policy.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/v3/api-docs",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
};
