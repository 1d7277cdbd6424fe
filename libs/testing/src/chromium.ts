import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's Chromium, which deploy/local/ensure-chromium.sh installs for `npm test`. */
export const CHROMIUM = '/usr/bin/chromium';

export const hasChromium = (): boolean => existsSync(CHROMIUM);

/** Debian's Chromium, headless, through playwright-core: never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  // Loaded here, not with the module: most tests that use this library open no browser.
  const { chromium } = await import('playwright-core');
  // Without the network flags Chromium keeps calling home, which this machine refuses.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
