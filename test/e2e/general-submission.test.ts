import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { wcagViolations } from '../support/axe';
import { freePort, repoRoot, tempDataDir } from '../support/processes';

// The whole system as `npm start` runs it (scripts/start.mjs), driven in headless Chromium.

const pdf = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj ' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

let system: ChildProcess;
let log = '';
let browser: Browser;
let portalUrl = '';
let appUrl = '';

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (system.exitCode !== null) throw new Error(`system exited:\n${log}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${url}:\n${log}`);
}

beforeAll(async () => {
  const [appPort, portalPort] = [await freePort(), await freePort()];
  appUrl = `http://127.0.0.1:${appPort}`;
  portalUrl = `http://127.0.0.1:${portalPort}`;
  system = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      OPENSPIS_DATA_DIR: tempDataDir('openspis-e2e-'),
      PORT: String(appPort),
      PORTAL_PORT: String(portalPort),
      PUBLIC_BASE_URL: appUrl,
      PORTAL_URL: portalUrl,
      LOG_LEVEL: 'warn',
      // the demo's file plans, units and logins without its twelve years of history: these pages need
      // none of it, and seeding it made the first start overrun the wait below on a loaded machine
      DEMO_FILES: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  system.stdout?.on('data', (d) => (log = (log + d).slice(-20_000)));
  system.stderr?.on('data', (d) => (log = (log + d).slice(-20_000)));
  await waitFor(`${appUrl}/api/public/v1/services`);
  await waitFor(portalUrl);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (system && system.exitCode === null) {
    const exited = new Promise((r) => system.once('exit', r));
    system.kill('SIGTERM');
    await exited;
  }
});

async function submitAsCitizen(page: Page): Promise<{ referenceNumber: string; trackingUrl: string }> {
  await page.goto(portalUrl);
  await page.getByRole('link', { name: 'Obecné podání' }).first().click();
  await page.getByRole('link', { name: /Podat|Vyplnit|Začít/ }).first().click();
  await page.getByLabel('Jméno a příjmení nebo název').fill('Jana Nováková');
  await page.getByLabel('E-mail').fill('jana.novakova@example.cz');
  await page.getByLabel('Předmět (věc)').fill('Oprava chodníku v ulici Moskevská');
  await page.getByLabel('Text podání').fill('Žádám o opravu rozbitého chodníku před domem č. p. 12.');
  await page.getByLabel('Příloha').setInputFiles({ name: 'fotografie.pdf', mimeType: 'application/pdf', buffer: pdf });
  await page.getByRole('button', { name: /Odeslat/ }).click();
  await page.getByRole('heading', { level: 1, name: /Podání bylo přijato/ }).waitFor();
  const body = await page.locator('main').innerText();
  const referenceNumber = /MMKV\/\d+\/\d{4}/.exec(body)?.[0];
  expect(referenceNumber, body).toBeTruthy();
  const trackingUrl = await page.getByRole('link', { name: /sledov/i }).first().getAttribute('href');
  expect(trackingUrl).toBeTruthy();
  return { referenceNumber: referenceNumber!, trackingUrl: new URL(trackingUrl!, portalUrl).toString() };
}

async function answerAsClerk(page: Page, referenceNumber: string): Promise<void> {
  await page.goto(`${appUrl}/login`);
  await page.getByLabel('Uživatelské jméno').fill('kancelar');
  await page.getByLabel('Heslo').fill('demo');
  await page.getByRole('button', { name: 'Přihlásit se' }).click();
  await page.getByRole('link', { name: /Úkoly mých skupin/ }).click();
  await page.getByRole('link', { name: new RegExp(referenceNumber) }).first().click();
  await page.getByRole('button', { name: 'Převzít' }).click();
  await page.getByLabel('Text odpovědi').fill('Děkujeme za podnět. Oprava chodníku je naplánována na duben.');
  await page.getByRole('button', { name: /Dokončit|Odeslat/ }).click();
  await page.getByText(/dokončen/i).first().waitFor();
}

describe('general submission, end to end', () => {
  it('a citizen submits, a clerk answers, the citizen downloads the answer', async () => {
    const context = await browser.newContext({ locale: 'cs-CZ', acceptDownloads: true });
    const citizen = await context.newPage();
    const { referenceNumber, trackingUrl } = await submitAsCitizen(citizen);

    const clerk = await (await browser.newContext({ locale: 'cs-CZ' })).newPage();
    await answerAsClerk(clerk, referenceNumber);

    // the answer is produced by the workers after the task completes
    let answered = false;
    for (let i = 0; i < 60 && !answered; i++) {
      await citizen.goto(trackingUrl);
      answered = (await citizen.locator('main').innerText()).includes('Vyřízeno');
      if (!answered) await new Promise((r) => setTimeout(r, 500));
    }
    expect(answered, await citizen.locator('main').innerText()).toBe(true);
    expect(await citizen.locator('main').innerText()).toContain(referenceNumber);

    // the confirmation of receipt issued at registration: on the page and as a sealed PDF/A download
    const receipt = citizen.getByRole('region', { name: 'Potvrzení o přijetí' });
    expect(await receipt.innerText()).toMatch(/Evidenční číslo \(JID\)\s+MMKV\d{9}[0-9X]/);
    expect(await receipt.innerText()).toContain('fotografie.pdf');
    expect(await receipt.innerText()).toMatch(/\(PDF, [\d,]+ kB, opatřeno elektronickou pečetí úřadu\)/);
    const receiptDownload = citizen.waitForEvent('download');
    await receipt.getByRole('link', { name: 'Stáhnout potvrzení o přijetí' }).click();
    expect((await receiptDownload).suggestedFilename()).toBe(`potvrzeni-o-prijeti-${referenceNumber.replace(/\//g, '-')}.pdf`);
    const receiptFile = path.join(tempDataDir('openspis-dl-'), (await receiptDownload).suggestedFilename());
    await (await receiptDownload).saveAs(receiptFile);
    expect(spawnSync('pdfsig', [receiptFile], { encoding: 'utf8' }).stdout).toContain('Signature Validation: Signature is Valid.');
    const receiptText = spawnSync('pdftotext', ['-enc', 'UTF-8', receiptFile, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    expect(receiptText).toContain(`Číslo jednací: ${referenceNumber}`);
    expect(receiptText).toContain('fotografie.pdf application/pdf');

    const downloadPromise = citizen.waitForEvent('download');
    await citizen.getByRole('link', { name: 'Stáhnout odpověď' }).first().click();
    const download = await downloadPromise;
    const file = path.join(tempDataDir('openspis-dl-'), download.suggestedFilename());
    await download.saveAs(file);
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    // it carries the office's seal: with no configuration, the generated test seal (not qualified),
    // and poppler's pdfsig finds the signature intact over the whole file
    const sig = spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout;
    expect(sig).toContain('Signature Validation: Signature is Valid.');
    expect(sig).toContain('Signature Type: ETSI.CAdES.detached');
    expect(sig).toContain('Total document signed');
    expect(sig).toContain('TESTOVACÍ PEČEŤ – NENÍ KVALIFIKOVANÁ');
  });

  it('works without JavaScript: the form, its errors and the confirmation', async () => {
    const context = await browser.newContext({ locale: 'cs-CZ', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${portalUrl}/sluzby/general-submission/podani`);
    // an empty form comes back with a summary of the errors, keeping the page usable
    await page.getByRole('button', { name: /Odeslat/ }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toMatch(/Předmět/);
    await page.getByLabel('Jméno a příjmení nebo název').fill('Petr Dvořák');
    await page.getByLabel('E-mail').fill('petr.dvorak@example.cz');
    await page.getByLabel('Předmět (věc)').fill('Dotaz bez JavaScriptu');
    await page.getByLabel('Text podání').fill('Funguje formulář i v prohlížeči bez JavaScriptu?');
    await page.getByRole('button', { name: /Odeslat/ }).click();
    await page.getByRole('heading', { level: 1, name: /Podání bylo přijato/ }).waitFor();
    await context.close();
  });

  it('meets WCAG 2.1 A and AA (axe-core) on every portal page, in Czech, English and Ukrainian', async () => {
    // the portal's CSP allows no script at all; the test lets only its own axe-core in
    const context = await browser.newContext({ locale: 'cs-CZ', bypassCSP: true });
    const page = await context.newPage();
    const { trackingUrl } = await submitAsCitizen(page);
    const confirmationUrl = page.url();
    const found: string[] = [];
    for (const lang of ['cs', 'en', 'uk']) {
      const urls = ['/', '/sluzby/general-submission', '/sluzby/general-submission/podani', '/sledovani', '/pristupnost', '/neexistuje'].map((u) => new URL(u, portalUrl).toString());
      for (const url of [...urls, confirmationUrl, trackingUrl]) {
        const target = new URL(url);
        target.searchParams.set('lang', lang);
        await page.goto(target.toString());
        found.push(...(await wcagViolations(page)).map((v) => `${target.pathname}?lang=${lang} ${v}`));
      }
      // the form showing its errors
      await page.goto(new URL(`/sluzby/general-submission/podani?lang=${lang}`, portalUrl).toString());
      await page.getByRole('button').last().click();
      await page.getByRole('alert').waitFor();
      found.push(...(await wcagViolations(page)).map((v) => `form with errors (${lang}) ${v}`));
    }
    expect(found).toEqual([]);
    await context.close();
  }, 300_000); // 27 pages, each loaded and checked
});
