// The browser half of tests/e2e/portal_check.sh: drives headless chromium
// through puppeteer-core over the example portal, checks the DOM against what
// the gateway itself answers, and saves a full-page screenshot.
//
// Environment (set by portal_check.sh): PORTAL_URL, GATEWAY, ADMIN_TOKEN_FILE,
// CHROMIUM, PUPPETEER_DIR, SCREENSHOT_DIR.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const PORTAL_URL = env('PORTAL_URL');
const GATEWAY = env('GATEWAY').replace(/\/+$/, '');
const TOKEN = readFileSync(env('ADMIN_TOKEN_FILE'), 'utf8').trim();
const CHROMIUM = env('CHROMIUM');
const SCREENSHOT_DIR = env('SCREENSHOT_DIR');
const WAIT = { timeout: 20000 };   // every wait in the browser is bounded by this
const API_TIMEOUT_MS = 15000;

// puppeteer-core lives under its own npm prefix (scripts/install-deps.sh).
const require = createRequire(path.join(env('PUPPETEER_DIR'), 'node_modules') + path.sep);
const puppeteer = require('puppeteer-core');

const started = Date.now();
let passed = 0;
function ok(what) {
  passed += 1;
  console.log(`ok ${passed} - ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

// The gateway's own answers, to compare the page with.
async function api(pathAndQuery) {
  const response = await fetch(GATEWAY + pathAndQuery, {
    headers: { Authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(API_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`GET ${pathAndQuery}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

function jwtClaims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

// "Nguyễn" -> "nguyen": what the search ignores (case, diacritics, đ).
function fold(text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

async function main() {
  const claims = jwtClaims(TOKEN);
  const rootName = `organizations/${claims.scope_org || 1}`;
  const [root, children] = await Promise.all([
    api(`/v1/${rootName}`),
    api(`/v1/organizations?parent=${encodeURIComponent(rootName)}&pageSize=1000`),
  ]);
  // The year of the gateway's "today", which the page proposes too (a scorecard needs a year).
  const year = (root.asOfDate || '').slice(0, 4);
  check(/^\d{4}$/.test(year), `the root has an asOfDate (${root.asOfDate})`);
  const scorecard = await api(`/v1/${rootName}/scorecard?scope.year=${year}`);
  const childCount = (children.organizations || []).length;
  const indicatorCount = (scorecard.indicators || []).length;
  check(childCount > 0, `${rootName} has children in the API`);
  check(indicatorCount > 0, `the API's scorecard of ${rootName} has indicators`);
  ok(`API: ${root.displayName} has ${childCount} children, the scorecard ${indicatorCount} indicators`);

  const args = ['--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check',
    '--lang=vi-VN', '--window-size=1400,1000'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');   // chromium refuses root otherwise
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,   // puppeteer-core 24: the new headless mode (--headless=new)
    args,
    timeout: 30000,
    protocolTimeout: 30000,
  });
  const pageErrors = [];
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(WAIT.timeout);
    page.setDefaultNavigationTimeout(WAIT.timeout);
    await page.setViewport({ width: 1400, height: 1000 });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    // The gateway's answers the page got, by status (304s show the ETag reuse).
    const statuses = new Map();
    page.on('response', (response) => {
      if (!response.url().startsWith(GATEWAY)) return;
      statuses.set(response.status(), (statuses.get(response.status()) || 0) + 1);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') console.log(`  browser console: ${message.text()}`);
    });
    console.log(`  browser: ${await browser.version()}`);

    // ---- the page and the gateway from ?gateway= ----
    await page.goto(`${PORTAL_URL}/index.html?gateway=${encodeURIComponent(GATEWAY)}`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]', WAIT);
    const gatewayField = await page.$eval('#gateway-url', (input) => input.value);
    check(gatewayField === GATEWAY, `the gateway field is ${GATEWAY} (got ${gatewayField})`);
    ok('the page loads and takes the gateway from ?gateway=');

    // ---- log in with the admin token ----
    await page.locator('[data-testid="token-input"]').fill(TOKEN);
    await page.click('[data-testid="login-button"]');
    await page.waitForSelector('[data-testid="whoami"]:not([hidden])', WAIT);
    const who = await page.$eval('[data-testid="whoami"]', (node) => ({
      sub: node.querySelector('[data-testid="whoami-sub"]').textContent,
      roles: node.querySelector('[data-testid="whoami-roles"]').textContent,
      scope: node.querySelector('[data-testid="whoami-scope"]').textContent,
    }));
    check(who.sub === claims.sub, `logged in as ${claims.sub} (shown: ${who.sub})`);
    check(claims.roles.every((role) => who.roles.includes(role)), `roles ${claims.roles} shown (${who.roles})`);
    check(who.scope === rootName, `scope ${rootName} shown (${who.scope})`);
    const kept = await page.evaluate(() => ({
      session: sessionStorage.getItem('grassroots.portal.token'),
      local: Object.keys(localStorage).length,
    }));
    check(kept.session === TOKEN && kept.local === 0, 'the token is in sessionStorage and nothing in localStorage');
    ok(`logged in: ${who.sub}, roles ${who.roles}, scope ${who.scope}`);

    // ---- the organization tree ----
    const rootSelector = `#org-tree > li[data-org-name="${rootName}"]`;
    await page.waitForSelector(rootSelector, WAIT);
    const rootLabel = await page.$eval(`${rootSelector} > .tree-row [data-testid="org-display-name"]`, (n) => n.textContent);
    check(rootLabel === root.displayName, `the root is "${root.displayName}" (shown: "${rootLabel}")`);
    const childSelector = `${rootSelector} > [data-testid="org-children"] > li[data-testid="org-node"]`;
    await page.waitForFunction((sel, n) => document.querySelectorAll(sel).length === n, WAIT, childSelector, childCount);
    const shownChildren = await page.$$eval(childSelector, (nodes) => nodes.map((n) => ({
      name: n.dataset.orgName,
      label: n.querySelector('[data-testid="org-display-name"]').textContent,
      count: (n.querySelector('[data-testid="org-member-count"]') || {}).textContent || '',
    })));
    const expected = new Map(children.organizations.map((o) => [o.name, o.displayName]));
    for (const child of shownChildren) {
      check(expected.get(child.name) === child.label, `child ${child.name} is "${expected.get(child.name)}" (shown "${child.label}")`);
    }
    check(shownChildren.some((child) => /\d/.test(child.count)), 'member counts are shown on the children');
    ok(`the tree: "${rootLabel}" with ${shownChildren.length} children (e.g. "${shownChildren[0].label}", ${shownChildren[0].count})`);

    // Open the first child that has children of its own.
    let opened = null;
    for (const child of children.organizations) {
      const grandchildren = await api(`/v1/organizations?parent=${encodeURIComponent(child.name)}&pageSize=1000`);
      if ((grandchildren.organizations || []).length) {
        opened = { child, count: grandchildren.organizations.length };
        break;
      }
    }
    if (opened) {
      const childNode = `${rootSelector} > [data-testid="org-children"] > li[data-org-name="${opened.child.name}"]`;
      await page.click(`${childNode} > .tree-row [data-testid="org-toggle"]`);
      const grandSelector = `${childNode} > [data-testid="org-children"] > li[data-testid="org-node"]`;
      await page.waitForFunction((sel, n) => document.querySelectorAll(sel).length === n, WAIT, grandSelector, opened.count);
      ok(`expanding "${opened.child.displayName}" lists its ${opened.count} children`);
    }

    // ---- member search, with paging ----
    await page.locator('[data-testid="member-query"]').fill('nguyen');
    await page.click('[data-testid="member-search-button"]');
    await page.waitForSelector('[data-testid="member-row"]', WAIT);
    await page.waitForFunction(() => /Trang 1/.test(document.getElementById('member-page-info').textContent), WAIT);
    const firstPage = await page.$$eval('[data-testid="member-row"]', (rows) => rows.map((row) => ({
      name: row.dataset.memberName,
      fullName: row.querySelector('[data-testid="member-full-name"]').textContent,
      cell: row.querySelector('[data-testid="member-cell"]').textContent,
      status: row.querySelector('[data-testid="member-status"]').textContent,
    })));
    check(firstPage.length > 0 && firstPage.length <= 20, `1..20 rows on the first page (got ${firstPage.length})`);
    for (const row of firstPage) {
      check(fold(row.fullName).includes('nguyen'), `"${row.fullName}" matches "nguyen"`);
      check(row.cell && !row.cell.startsWith('organizations/'), `the cell of ${row.name} is shown by name (${row.cell})`);
      check(row.status.trim().length > 0, `the status of ${row.name} is shown`);
    }
    ok(`member search "nguyen": ${firstPage.length} rows, e.g. ${firstPage[0].fullName} · ${firstPage[0].cell} · ${firstPage[0].status}`);
    const hasNext = await page.$eval('[data-testid="member-next-page"]', (button) => !button.disabled);
    if (hasNext) {
      await page.click('[data-testid="member-next-page"]');
      await page.waitForFunction(() => /Trang 2/.test(document.getElementById('member-page-info').textContent), WAIT);
      const second = await page.$$eval('[data-testid="member-row"]', (rows) => rows.map((row) => row.dataset.memberName));
      check(second.length > 0, 'the second page has rows');
      check(!second.some((name) => firstPage.some((row) => row.name === name)), 'the second page repeats no member of the first');
      await page.click('[data-testid="member-prev-page"]');
      await page.waitForFunction(() => /Trang 1/.test(document.getElementById('member-page-info').textContent), WAIT);
      ok(`paging with nextPageToken: page 2 has ${second.length} other members, and back to page 1 ` +
        `(${statuses.get(304) || 0} answers 304 to If-None-Match so far)`);
    }

    // ---- the scorecard ----
    const proposedYear = await page.$eval('[data-testid="scorecard-year"]', (input) => input.value);
    check(proposedYear === year, `the page proposes the year ${year} (got ${proposedYear})`);
    await page.click('[data-testid="scorecard-load"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="scorecard-row"]').length === n,
      WAIT, indicatorCount);
    const rows = await page.$$eval('[data-testid="scorecard-row"]', (trs) => trs.map((tr) => ({
      id: tr.dataset.indicator,
      title: tr.querySelector('[data-testid="indicator-title"]').textContent,
      value: tr.querySelector('[data-testid="indicator-value"]').textContent,
      target: tr.querySelector('[data-testid="indicator-target"]').textContent,
      attainment: tr.querySelector('[data-testid="indicator-attainment"]').textContent,
    })));
    const ids = scorecard.indicators.map((indicator) => indicator.id);
    check(JSON.stringify(rows.map((row) => row.id)) === JSON.stringify(ids), `indicators ${ids.join(',')} in order`);
    check(rows.every((row) => row.title && row.attainment), 'every indicator has a title and an attainment');
    check(await page.$eval('[data-testid="error-message"]', (node) => node.hidden), 'no error shown so far');
    ok(`the scorecard: ${rows.length} indicators, e.g. ${rows[0].id} ${rows[0].value} (target ${rows[0].target}: ${rows[0].attainment})`);

    const screenshot = path.join(SCREENSHOT_DIR, 'portal.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`portal check: screenshot ${screenshot}`);

    // ---- a reload keeps the session (sessionStorage) ----
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('[data-testid="whoami"]:not([hidden])', WAIT);
    await page.waitForFunction((sel, n) => document.querySelectorAll(sel).length === n, WAIT, childSelector, childCount);
    ok('a reload logs in again from sessionStorage');

    // ---- a token the gateway refuses ----
    await page.click('[data-testid="logout-button"]');
    await page.waitForSelector('[data-testid="login-panel"]:not([hidden])', WAIT);
    const parts = TOKEN.split('.');
    const flipped = parts[2][0] === 'A' ? 'B' : 'A';
    const badToken = `${parts[0]}.${parts[1]}.${flipped}${parts[2].slice(1)}`;   // the signature no longer matches
    await page.locator('[data-testid="token-input"]').fill(badToken);
    await page.click('[data-testid="login-button"]');
    await page.waitForSelector('[data-testid="error-message"]:not([hidden])', WAIT);
    const message = await page.$eval('[data-testid="error-text"]', (node) => node.textContent);
    check(/Token hết hạn hoặc không hợp lệ/.test(message), `the refused token's message says so ("${message}")`);
    const after = await page.evaluate(() => ({
      app: document.getElementById('app').hidden,
      session: sessionStorage.getItem('grassroots.portal.token'),
    }));
    check(after.app && after.session === null, 'after a refused token nothing is shown and no token is kept');
    ok(`a refused token: "${message.trim()}"`);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'portal-error.png'), fullPage: true });

    // Text that is not a JWT at all is stopped before any call.
    await page.locator('[data-testid="token-input"]').fill('not-a-token');
    await page.click('[data-testid="login-button"]');
    await page.waitForFunction(() => /JWT/.test(document.getElementById('error-text').textContent), WAIT);
    ok('text that is not a JWT is refused in the page');
    console.log(`  gateway answers seen by the page, by status: ${JSON.stringify(Object.fromEntries(statuses))}`);

    check(pageErrors.length === 0, `no uncaught errors in the page (${pageErrors.join('; ')})`);
    ok('no uncaught errors in the page');
  } finally {
    await browser.close();
  }
  console.log(`portal check: all ${passed} steps ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error) => {
  console.error(`portal check: FAILED: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
