import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../src/seed.js';
import { hasChromium, launchBrowser } from '../support/browser.js';
import { createTestApp, type TestApp } from '../support/kernel.js';

let t: TestApp;
let browser: Browser;
let base: string;

describe.skipIf(!hasChromium)('start page in a real browser', () => {
  beforeAll(async () => {
    t = await createTestApp();
    await seedDemoData(t.kernel);
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the notices, switches to Sesotho and remembers the choice, with no CSP violations', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${base}/`);
    expect(await page.locator('h1').textContent()).toBe('Mmuso: government services of Lesotho');
    expect(await page.locator('.notice h3').allTextContents()).toContain('Welcome to Mmuso');
    // The stylesheet loaded under the strict CSP: the header has its colour.
    const header = await page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor");
    expect(header).toBe('rgb(0, 32, 159)');

    await page.getByRole('link', { name: 'Sesotho' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('st');
    expect(await page.locator('h1').textContent()).toBe('Mmuso: litšebeletso tsa ’Muso oa Lesotho');

    await page.goto(`${base}/`);
    expect(await page.locator('h1').textContent()).toContain('litšebeletso');

    const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-shot-')), 'home-st.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(1000);
    expect(problems).toEqual([]);
    await context.close();
  });
});
