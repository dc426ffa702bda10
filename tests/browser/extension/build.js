/* `npm run build --prefix tests/browser/extension [-- OUT_DIR]`: packs extension/ once with web-ext and writes
 * the two packages users install for good (docs/extension.md, "Installing for good"):
 *   paperlens-chromium-VERSION.zip   unzip, then chrome://extensions > Developer mode > Load unpacked
 *   paperlens-firefox-VERSION.xpi    Firefox ESR / Developer Edition with unsigned add-ons allowed,
 *                                    or signed for self-distribution with `web-ext sign`
 * One source serves both: the manifest carries Chromium's and Firefox's keys side by side, and each
 * browser ignores the other's. Default OUT_DIR: dist/ at the top of the repository. */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const webExt = require('web-ext');

const EXTENSION = path.resolve(__dirname, '../../../extension');

async function main() {
  const out = path.resolve(process.argv[2] || path.join(__dirname, '../../../dist'));
  const { version } = JSON.parse(fs.readFileSync(path.join(EXTENSION, 'manifest.json'), 'utf8'));
  const built = await webExt.cmd.build(
    { sourceDir: EXTENSION, artifactsDir: out, overwriteDest: true, filename: `paperlens-${version}.zip` },
    { shouldExitProgram: false },
  );
  const packages = [`paperlens-chromium-${version}.zip`, `paperlens-firefox-${version}.xpi`].map((name) => {
    const target = path.join(out, name);
    fs.copyFileSync(built.extensionPath, target);
    return target;
  });
  fs.unlinkSync(built.extensionPath);
  for (const target of packages) console.log(target);
}

main().catch((e) => {
  console.error(String((e && e.stack) || e));
  process.exit(1);
});
