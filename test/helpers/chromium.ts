// The Chromium (or Chrome) the Studio browser tests drive, or why there is none and how to get one.
// playwright-core drives any Chromium-based browser; it ships none itself.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const KNOWN_PATHS = [
  '/usr/bin/chromium', // Debian: apt-get install chromium (.ci/run installs it)
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export function findChromium(): { path: string; missing?: undefined } | { path?: undefined; missing: string } {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    return existsSync(chosen)
      ? { path: chosen }
      : { missing: `CHROMIUM_PATH=${chosen} is not a file: point it at a Chromium or Chrome binary` };
  }
  // Playwright's own download, if `npx playwright-core install chromium` was run on this machine.
  const candidates = [...KNOWN_PATHS, chromium.executablePath()];
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path) return { path };
  return {
    missing:
      'the Studio browser tests need Chromium or Chrome, and none was found: set CHROMIUM_PATH to one, or install one ' +
      '(`apt-get install chromium` on Debian and Ubuntu, Google Chrome on macOS, or `npx playwright-core install chromium`)',
  };
}
