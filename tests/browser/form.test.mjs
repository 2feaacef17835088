// tests/browser/form.test.mjs — a source's visit, in Debian's Chromium with
// JavaScript off (Tor Browser at "Safest" stands in for it): the landing
// page, an upload of two files through the real form, the receipt, and a
// file over max_file_size ending on the 413 page.
//
// Run by tests/browser/10-form.sh, which starts posternd and makes the
// files. Environment:
//   BASE_URL      posternd's address, e.g. http://127.0.0.1:41234 (required)
//   OUT_DIR       where screenshots and the browser profile go (required)
//   FILE1, FILE2  two files to upload together (required)
//   BIG_FILE      a file larger than the server's max_file_size (required)
//   MESSAGE       the message to type (required)
//   CHROMIUM      the browser (default /usr/bin/chromium)
//
// Output, one line per check: "ok N - NAME", or
// "not ok N - NAME<TAB>EXPECTED<TAB>GOT"; then "1..N" and
// "# browser: N passed, N failed". Exit status 0 if all passed, 1 if not,
// 2 if the run could not start.
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (k) => {
	const v = process.env[k];
	if (!v) {
		console.log(`Bail out! ${k} is not set`);
		process.exit(2);
	}
	return v;
};
const BASE = env('BASE_URL').replace(/\/+$/, '');
const OUT = env('OUT_DIR');
const FILE1 = env('FILE1');
const FILE2 = env('FILE2');
const BIG = env('BIG_FILE');
const MESSAGE = env('MESSAGE');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ORIGIN = new URL(BASE).origin;

let n = 0;
let passed = 0;
let failed = 0;
const oneLine = (v) =>
	String(v).replace(/[\t\r\n]+/g, ' ').slice(0, 400);

function ok(name) {
	n++;
	passed++;
	console.log(`ok ${n} - ${name}`);
}
function fail(name, expected, got) {
	n++;
	failed++;
	console.log(`not ok ${n} - ${oneLine(name)}\t${oneLine(expected)}\t${oneLine(got)}`);
}
function check(name, expected, got) {
	if (expected === got) ok(name);
	else fail(name, expected, got);
}
function checkTrue(name, cond, expected, got) {
	if (cond) ok(name);
	else fail(name, expected, got);
}

// Everything the browser asked for, and everything that went wrong in it.
const requests = [];
const failedRequests = [];
const consoleErrors = [];
const pageErrors = [];

function watch(context) {
	context.on('request', (r) => requests.push(r.url()));
	context.on('requestfailed', (r) =>
		failedRequests.push(`${r.url()}: ${r.failure()?.errorText}`));
	context.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning')
			consoleErrors.push(`${m.type()}: ${m.text()} [${m.location()?.url}]`);
	});
	context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(String(e))));
}

// Static checks on a page's HTML as the server sent it.
function checkHtml(what, html) {
	checkTrue(`${what}: no <script> in the HTML`, !/<script\b/i.test(html),
		'no <script', html.match(/<script\b[^>]*>/i)?.[0]);
	const handler = html.match(/\son[a-z]+\s*=/i);
	checkTrue(`${what}: no event-handler attributes`, !handler,
		'no on*= attribute', handler?.[0]);
	checkTrue(`${what}: no javascript: URLs`, !/javascript:/i.test(html),
		'no javascript:', 'javascript: found');
	const abs = html.match(/\s(?:href|src|action|srcset|poster|data|formaction)\s*=\s*["']?(?:[a-z][a-z0-9+.-]*:|\/\/)[^"'\s>]*/gi);
	checkTrue(`${what}: no absolute URLs`, !abs, 'relative URLs only',
		(abs || []).map((a) => a.trim()).join(' '));
}

// The headers every response must carry.
function checkHeaders(what, headers) {
	const csp = headers['content-security-policy'];
	checkTrue(`${what}: Content-Security-Policy present with default-src 'none'`,
		typeof csp === 'string' && /(^|;)\s*default-src 'none'/.test(csp),
		"default-src 'none'", csp);
	checkTrue(`${what}: the CSP allows no script`,
		typeof csp === 'string' && !/script-src/.test(csp),
		'no script-src (default-src none applies)', csp);
	check(`${what}: Referrer-Policy`, 'no-referrer', headers['referrer-policy']);
	check(`${what}: X-Content-Type-Options`, 'nosniff', headers['x-content-type-options']);
	check(`${what}: no Server header`, undefined, headers['server']);
}

// Checks in the rendered page (locators work with JavaScript off: Playwright
// evaluates in its own isolated world, which the page cannot touch).
async function checkRendered(what, page) {
	check(`${what}: no <script> elements in the DOM`, 0,
		await page.locator('script').count());
	// With script disabled a <noscript> element's content is rendered, so
	// its presence would not prove anything; the real proof is that no
	// script exists and the CSP forbids it. Check the stylesheet applied:
	const maxWidth = await page.locator('body').evaluate(
		(b) => getComputedStyle(b).maxWidth);
	check(`${what}: the stylesheet applied (body max-width 40rem)`, '640px', maxWidth);
	const dir = await page.locator('html').getAttribute('dir');
	const lang = await page.locator('html').getAttribute('lang');
	check(`${what}: <html lang>`, 'en', lang);
	check(`${what}: <html dir>`, 'ltr', dir);
}

async function shot(page, name) {
	const path = join(OUT, name);
	await page.screenshot({ path, fullPage: true });
	console.log(`# screenshot ${name}`);
}

async function main() {
	mkdirSync(join(OUT, 'profile'), { recursive: true });
	const context = await chromium.launchPersistentContext(join(OUT, 'profile'), {
		executablePath: CHROMIUM,
		headless: true,
		javaScriptEnabled: false,
		acceptDownloads: false,
		viewport: { width: 1000, height: 800 },
		locale: 'en-US',
		args: [
			'--no-sandbox', '--disable-gpu', '--disable-quic',
			'--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync',
		],
		timeout: 30000,
	});
	context.setDefaultTimeout(20000);
	context.setDefaultNavigationTimeout(30000);
	watch(context);
	try {
		const page = context.pages()[0] || await context.newPage();
		page.on('pageerror', (e) => pageErrors.push(String(e)));

		// --- The landing page ----------------------------------------
		const resp = await page.goto(`${BASE}/`, { waitUntil: 'load' });
		check('landing: GET / status', 200, resp?.status());
		checkHeaders('landing', resp.headers());
		checkHtml('landing', await resp.text());
		await checkRendered('landing', page);
		// The title is only ever the server's: no script changed it.
		check('landing: title', 'Send documents securely', await page.title());
		check('landing: one form, posting multipart',
			'post multipart/form-data',
			`${await page.locator('form').getAttribute('method')} ` +
			`${await page.locator('form').getAttribute('enctype')}`);
		checkTrue('landing: the form has a CSRF token',
			((await page.locator('input[name=token]').getAttribute('value')) || '').length > 0,
			'a non-empty token', 'empty');
		check('landing: the file input takes several files', true,
			await page.locator('input#files[type=file]').evaluate((e) => e.multiple));
		await shot(page, 'landing.png');

		// --- Two files and a message through the real form ------------
		await page.locator('textarea#message').fill(MESSAGE);
		await page.locator('input#files').setInputFiles([FILE1, FILE2]);
		const [nav] = await Promise.all([
			page.waitForNavigation({ waitUntil: 'load' }),
			page.locator('form button[type=submit]').click(),
		]);
		check('submit: a real form POST navigated to /submit', '/submit',
			new URL(page.url()).pathname);
		check('submit: response status', 200, nav?.status());
		check('submit: the request was a POST', 'POST', nav?.request().method());
		checkTrue('submit: multipart/form-data body',
			/^multipart\/form-data/.test(nav?.request().headers()['content-type'] || ''),
			'multipart/form-data', nav?.request().headers()['content-type']);
		checkHeaders('receipt', nav.headers());
		checkHtml('receipt', await nav.text());
		await checkRendered('receipt', page);
		check('receipt: heading', 'We received what you sent',
			(await page.locator('h1').innerText()).trim());
		const names = (await page.locator('.files .file-name').allInnerTexts())
			.map((s) => s.trim());
		const want = [basename(FILE1), basename(FILE2)];
		check('receipt: lists exactly two files', 2, names.length);
		for (const w of want)
			checkTrue(`receipt: lists ${w}`, names.includes(w), w, names.join(' | '));
		check('receipt: the message was received',
			'Your message was received.',
			(await page.getByText('Your message was received.').count()) === 1 ?
				'Your message was received.' : await page.locator('main').innerText());
		await shot(page, 'receipt.png');

		// --- A file over max_file_size: the 413 page, not a network error
		const page2 = await context.newPage();
		page2.on('pageerror', (e) => pageErrors.push(String(e)));
		await page2.goto(`${BASE}/`, { waitUntil: 'load' });
		await page2.locator('textarea#message').fill('this one is too big');
		await page2.locator('input#files').setInputFiles([BIG]);
		let nav2 = null;
		let navErr = '';
		try {
			[nav2] = await Promise.all([
				page2.waitForNavigation({ waitUntil: 'load' }),
				page2.locator('form button[type=submit]').click(),
			]);
		} catch (e) {
			navErr = String(e.message || e).split('\n')[0];
		}
		check('too large: the browser got an answer (no network error)', '',
			navErr);
		check('too large: status 413', 413, nav2?.status());
		check('too large: the error page is shown', 'A file is too large',
			(await page2.locator('h1').innerText().catch(() => '(no h1)')).trim());
		checkTrue('too large: the page says nothing was kept',
			/Nothing was kept/.test(await page2.locator('main').innerText().catch(() => '')),
			'"Nothing was kept"', await page2.locator('main').innerText().catch(() => ''));
		if (nav2) {
			checkHeaders('error page', nav2.headers());
			checkHtml('error page', await nav2.text());
		}
		checkTrue('too large: a link back to the form',
			(await page2.locator('a[href^="./"]').filter({ hasText: 'Go back' }).count()) === 1,
			'a relative "Go back" link', 'none');
		await shot(page2, 'error-413.png');

		// --- What the browser did over the whole visit -----------------
		const foreign = requests.filter((u) => {
			try {
				return new URL(u).origin !== ORIGIN;
			} catch {
				return true;
			}
		});
		check('only requests to the server itself', '', foreign.join(' '));
		const paths = [...new Set(requests.map((u) => new URL(u).pathname))].sort();
		check('the requests were for /, /style.css, /submit only',
			'/ /style.css /submit', paths.join(' '));
		check('no failed requests', '', failedRequests.join(' | '));
		// Chromium asks for /favicon.ico on its own (not a page request);
		// the server's 404 for it, and the 413 status of the error page
		// itself, are logged as "Failed to load resource". Nothing else
		// may be.
		const expectedNoise = (e) =>
			/Failed to load resource: .* 404 .*\[[^\]]*\/favicon\.ico\]$/.test(e) ||
			/Failed to load resource: .* 413 .*\[[^\]]*\/submit(\?[^\]]*)?\]$/.test(e);
		for (const e of consoleErrors.filter(expectedNoise))
			console.log(`# note: console: ${oneLine(e)}`);
		check('no console errors or warnings (but the favicon 404 and the 413 itself)', '',
			consoleErrors.filter((e) => !expectedNoise(e)).join(' | '));
		check('no page errors (no script ran)', '', pageErrors.join(' | '));
	} finally {
		await context.close();
	}
}

const started = Date.now();
try {
	await main();
} catch (e) {
	fail('the browser run finished', 'no exception', String(e.stack || e));
}
console.log(`1..${n}`);
console.log(`# browser: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed === 0 ? 0 : 1);
