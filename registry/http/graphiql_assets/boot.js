// GraphiQL on the registry's own /graphql, over HTTP: queries and mutations. To act with an
// API key, put {"Authorization": "Bearer <key>"} in the Headers tab (kept for this tab only).
// Subscriptions need a graphql-transport-ws client (docs/sync.md).
(function () {
  "use strict";
  var example = [
    "# Genuine and valid today? Press the run button to ask.",
    "{",
    '  verifyCertificate(number: "CCSC23SC0102R2") {',
    "    verdict",
    "    certificate {",
    "      number",
    "      status",
    "      expiresOn",
    "      holderName",
    "    }",
    "  }",
    "}",
    ""
  ].join("\n");
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: example,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    })
  );
})();
