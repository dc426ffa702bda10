/* Chromium's background service worker: the background scripts, in the order the manifest's
 * background.scripts gives them to Firefox (a node test checks the two lists agree). */
importScripts('settings.js', 'api.js', 'reading.js', 'zotero.js', 'pdf-papers.js', 'listings.js', 'library.js', 'connect.js', 'main.js');
