import fs from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (never a downloaded browser). CI installs it; on a
 * machine without it the browser tests are skipped, except in CI where that is an error.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: CI must install it`);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
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

/**
 * A page for a sign-in at a relying party: console errors and page errors collected (a form sent
 * back with errors answers 400, which Chromium logs: not a problem), and the service's redirect
 * URI answered here, its URL kept, so the code can be exchanged.
 */
export async function relyingPartyPage(browser: Browser, serviceOrigin: string) {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    const expected = /^Failed to load resource: the server responded with a status of 400/;
    if (message.type() === 'error' && !expected.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const returned: { url?: string } = {};
  await page.route(`${serviceOrigin}/**`, (route) => {
    returned.url = route.request().url();
    return route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the service' });
  });
  return { context, page, problems, returned };
}
