/* The content-script files the manifest names, as paths inside the extension. Chromium's
 * runtime.getManifest() names them as written ("content/sites/arxiv.js"), Firefox as full
 * "moz-extension://<uuid>/content/sites/arxiv.js" URLs; pages that load the adapters (the options'
 * site list, the side panel, the popup) compare paths, so they go through this one rule. */
(function (root) {
  'use strict';

  function extensionPath(file) {
    return String(file).replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '').replace(/^\/+/, '');
  }

  function contentScriptFiles(manifest) {
    const files = (manifest.content_scripts || []).flatMap((c) => c.js || []).map(extensionPath);
    return [...new Set(files)];
  }

  const api = { extensionPath, contentScriptFiles };
  root.PaperlensExtensionFiles = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(globalThis);
