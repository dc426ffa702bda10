/* The site adapters in an extension page (the side panel, the popup): the same files the content
 * script loads, named once in the manifest, so a PDF's URL is read by the adapters themselves. */
(function (root) {
  'use strict';
  const ext = root.browser || root.chrome;

  let loading = null;
  function loadAdapters() {
    if (!loading) {
      // Chromium names them as written ("content/paper.js"), Firefox as full moz-extension:// URLs.
      const files = root.PaperlensExtensionFiles.contentScriptFiles(ext.runtime.getManifest())
        .filter((f) => f === 'content/paper.js' || f.startsWith('content/sites/'));
      loading = files.reduce((done, file) => done.then(() => new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = `/${file}`;
        script.onload = resolve;
        script.onerror = () => reject(new Error(`could not load ${file}`));
        document.head.append(script);
      })), Promise.resolve()).then(() => (root.PaperlensSites || []).slice()
        .sort((a, b) => b.priority - a.priority));
    }
    return loading;
  }

  root.PaperlensAdapters = { loadAdapters };
})(globalThis);
