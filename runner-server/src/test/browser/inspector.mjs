// Drives Debian's Chromium (headless, through playwright-core) against a real gateway for
// InspectorIT. Environment: QR_BASE, QR_ALICE, QR_BOB_RUN (a run of another tenant), QR_KEY (the
// verifier key, read by the test from the state directory, not from the server), QR_SHOTS (a
// folder for screenshots), QR_CHROMIUM. Asks the test to tamper with stored files by printing
// "TAMPER <run> <path>" / "RESTORE <run> <path>" and waiting for "ok" on stdin.
// Prints "PASS <step>" per step and "N passed, M failed"; exits 1 on the first failure.

import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const BASE = process.env.QR_BASE;
const ALICE = process.env.QR_ALICE;
const KEY = process.env.QR_KEY;
const SHOTS = process.env.QR_SHOTS;
const T = 60_000;
let passed = 0;

const stdin = createInterface({ input: process.stdin });
const replies = [];
let waiting = null;
stdin.on('line', (l) => (waiting ? (waiting(l), (waiting = null)) : replies.push(l)));
const ask = (line) => new Promise((resolve) => {
  console.log(line);
  if (replies.length) resolve(replies.shift());
  else waiting = resolve;
});

function ok(cond, step, detail = '') {
  if (!cond) throw new Error('FAIL ' + step + (detail ? ': ' + detail : ''));
  console.log('PASS ' + step);
  passed++;
}

async function apiPost(path, body) {
  const r = await fetch(BASE + path, { method: 'POST', headers: { Authorization: 'Bearer ' + ALICE, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return r.json();
}
const sh = (script) => ({ tool: 'sh', version: '1', verb: 'run', params: { script } });
const outcome = async (page, check) => page.getAttribute(`#verify-result tr[data-check="${check}"]`, 'data-outcome');
async function verifyNow(page) {
  await page.click('#verify');
  await page.waitForSelector('#verdict', { timeout: T });
}

const browser = await chromium.launch({ executablePath: process.env.QR_CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const pwned = [];
  const cspViolations = [];
  page.on('request', (r) => { if (r.url().includes('pwned')) pwned.push(r.url()); });
  page.on('dialog', (d) => { pwned.push('dialog ' + d.message()); d.dismiss(); });
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });

  // Security headers of the page itself.
  const resp = await page.goto(BASE + '/ui/');
  const hdr = resp.headers();
  ok(/default-src 'self'/.test(hdr['content-security-policy']) && /frame-ancestors 'none'/.test(hdr['content-security-policy']) && !/unsafe-inline/.test(hdr['content-security-policy']), 'page CSP is strict', hdr['content-security-policy']);
  ok(hdr['x-content-type-options'] === 'nosniff', 'page nosniff');

  // A wrong token is refused.
  await page.fill('#token', 'not-a-token');
  await page.click('#signin button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#signin-error')?.textContent.includes('401'), null, { timeout: T });
  ok(await page.evaluate(() => sessionStorage.getItem('quackrunner.token')) === null, 'wrong token refused and not kept');

  // Sign in; no cookie is set.
  await page.fill('#token', ALICE);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#runs-body', { timeout: T });
  ok((await ctx.cookies()).length === 0, 'signed in, no cookies');

  // Another tenant's run is not visible: not in the list, and its page is a 404.
  ok(!(await page.$(`tr[data-run="${process.env.QR_BOB_RUN}"]`)), "other tenant's run not listed");

  // A run started through the API appears live in the list while running.
  const earlierCheckpoint = await (await fetch(BASE + '/ledger/checkpoint')).text();
  const live = await apiPost('/runs', sh('echo started; echo warming up >&2; sleep 120; echo never'));
  await page.waitForSelector(`tr[data-run="${live.id}"][data-status="RUNNING"]`, { timeout: T });
  ok(true, 'new run appears live as RUNNING');

  // Its log is followed live (stdout and stderr told apart) while it runs.
  await page.goto(BASE + '/ui/#/run/' + live.id);
  await page.waitForSelector('#log span.stdout', { timeout: T });
  await page.waitForSelector('#log span.stderr', { timeout: T });
  const txt = await page.$$eval('#log span', (s) => s.map((x) => x.dataset.stream + ':' + x.textContent));
  ok(txt.includes('stdout:started\n') && txt.includes('stderr:warming up\n'), 'live log shows both streams', JSON.stringify(txt));
  ok(await page.getAttribute('#log', 'data-ended') === null, 'log still open while the run runs');
  await fetch(BASE + '/runs/' + live.id, { method: 'DELETE', headers: { Authorization: 'Bearer ' + ALICE } });
  await page.waitForSelector('#log[data-ended="true"]', { timeout: T });
  ok((await page.textContent('#log-state')).includes('CANCELLED'), 'log follows to its end event');

  // A run with artifacts, among them hostile ones.
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAGklEQVR4nGP4z8DAwMDAxMDAwMDAwMDAwAAAJxAEAR2VdlkAAAAASUVORK5CYII=';
  const good = await apiPost('/runs?wait=60', sh([
    'echo "computing <b>bold</b>"', 'echo "a warning" >&2',
    'printf "42\\n" > "$OUT_DIR/result.txt"',
    `echo ${png} | base64 -d > "$OUT_DIR/dot.png"`,
    `printf '%s' '<html><body><script>fetch("/pwned-html");alert(1)</script><img src=x onerror="fetch(/pwned-img/.source)"></body></html>' > "$OUT_DIR/evil.html"`,
    `printf '%s' '<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(/pwned-svg-onload/.source)"><script>fetch("/pwned-svg")</script><rect width="5" height="5"/></svg>' > "$OUT_DIR/evil.svg"`,
  ].join('; ')));
  ok(good.status === 'SUCCEEDED', 'artifact run succeeded', good.status + ' ' + JSON.stringify(good.error));

  // The list shows it finished; a status filter keeps only its status; paging walks older runs.
  await page.goto(BASE + '/ui/#/runs');
  await page.waitForSelector(`tr[data-run="${good.id}"][data-status="SUCCEEDED"]`, { timeout: T });
  ok(true, 'finished run listed as SUCCEEDED');
  await page.selectOption('#f-status', 'CANCELLED');
  await page.waitForFunction(() => location.hash.includes('status=CANCELLED'));
  await page.waitForSelector(`tr[data-run="${live.id}"]`, { timeout: T });
  const statuses = await page.$$eval('#runs-body tr[data-status]', (r) => r.map((x) => x.dataset.status));
  ok(statuses.length > 0 && statuses.every((s) => s === 'CANCELLED'), 'status filter', statuses.join(','));
  await page.goto(BASE + '/ui/#/runs?limit=1');
  await page.waitForSelector(`tr[data-run="${good.id}"]`, { timeout: T });
  await page.click('#older');
  await page.waitForSelector(`tr[data-run="${live.id}"]`, { timeout: T });
  ok((await page.$$('#runs-body tr[data-run]')).length === 1, 'paging with the cursor');
  await page.goto(BASE + '/ui/#/runs');
  await page.waitForSelector(`tr[data-run="${good.id}"]`, { timeout: T });
  await page.screenshot({ path: SHOTS + '/runs.png' });

  // Another tenant's run page is a 404 here.
  await page.goto(BASE + '/ui/#/run/' + process.env.QR_BOB_RUN);
  await page.waitForSelector('main .error', { timeout: T });
  ok(/no run/.test(await page.textContent('main .error')), "other tenant's run page is refused");

  // The run's page: summary, timeline, artifacts, download with its SHA-256 compared.
  await page.goto(BASE + '/ui/#/run/' + good.id);
  await page.waitForSelector('#log[data-ended="true"]', { timeout: T });
  await page.waitForSelector('svg.timeline rect', { timeout: T });
  ok((await page.$$('svg.timeline rect')).length >= 3, 'phase timeline drawn');
  ok((await page.textContent('#summary')).includes('wall_time_ms'), 'limits applied shown');
  ok(await page.$eval('#summary', (e) => [...e.querySelectorAll('tr')].some((r) => r.textContent === 'Exit code0')), 'exit code 0 shown');
  const logHtml = await page.innerHTML('#log');
  ok(!logHtml.includes('<b>') && (await page.textContent('#log')).includes('<b>bold</b>'), 'log text is not markup');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('tr[data-artifact="result.txt"] button.download')]);
  const path = await dl.path();
  const { createHash } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const sum = createHash('sha256').update(readFileSync(path)).digest('hex');
  const want = good.artifacts.find((a) => a.path === 'result.txt').sha256;
  ok(sum === want && dl.suggestedFilename() === 'result.txt', 'download matches the SHA-256', sum + ' vs ' + want);
  ok((await page.textContent('#download-check')).includes('matches'), 'page compared the download');

  // Previews: an image as an image; hostile HTML and SVG only as text, never executed.
  await page.click('tr[data-artifact="dot.png"] button.preview-btn');
  await page.waitForFunction(() => document.querySelector('#preview-image')?.complete && document.querySelector('#preview-image').naturalWidth === 8, null, { timeout: T });
  ok(true, 'image preview');
  for (const evil of ['evil.html', 'evil.svg']) {
    await page.click(`tr[data-artifact="${evil}"] button.preview-btn`);
    await page.waitForFunction((n) => document.querySelector('#preview h3')?.textContent.includes(n), evil, { timeout: T });
    const t = await page.textContent('#preview-text');
    ok(t.includes('<script>') && (await page.$$('#preview script, #preview svg, #preview iframe')).length === 0, evil + ' shown as text');
  }
  const direct = await ctx.request.get(BASE + '/runs/' + good.id + '/artifacts/evil.html', { headers: { Authorization: 'Bearer ' + ALICE } });
  const dh = direct.headers();
  ok(/^attachment/.test(dh['content-disposition']) && /sandbox/.test(dh['content-security-policy']) && dh['x-content-type-options'] === 'nosniff', 'artifact served as a sandboxed attachment', JSON.stringify(dh));
  await page.waitForTimeout(500);
  ok(pwned.length === 0, 'no hostile script ran', pwned.join(', '));
  // The detector itself works: the same file parsed as HTML (no CSP on /healthz) is caught.
  const control = await ctx.newPage();
  const caught = [];
  control.on('request', (r) => { if (r.url().includes('pwned')) caught.push(r.url()); });
  await control.goto(BASE + '/healthz');
  await control.evaluate((html) => { document.body.innerHTML = html; }, await (await ctx.request.get(BASE + '/runs/' + good.id + '/artifacts/evil.html', { headers: { Authorization: 'Bearer ' + ALICE } })).text());
  await control.waitForTimeout(1000);
  ok(caught.length > 0, 'control: the detector sees a script that does run');
  await control.close();

  // Verification: with no key pinned nothing is trusted; pin the key given out of band.
  await page.waitForSelector('#verify', { timeout: T });
  await verifyNow(page);
  ok(await outcome(page, 'SIGNATURE') === 'SKIPPED' && await outcome(page, 'INCLUSION') === 'SKIPPED', 'no key: signature and inclusion not checked');
  await page.goto(BASE + '/ui/#/keys');
  await page.fill('#pin-keys', KEY);
  await page.click('#pin');
  await page.waitForFunction(() => document.querySelector('#pin-result')?.textContent.includes('pinned'), null, { timeout: T });
  await page.goto(BASE + '/ui/#/run/' + good.id);
  await page.waitForSelector('#verify', { timeout: T });
  await page.fill('#earlier-checkpoint', earlierCheckpoint);
  await verifyNow(page);
  for (const c of ['SIGNATURE', 'CANONICAL', 'ARTIFACTS', 'INCLUSION', 'CONSISTENCY']) {
    ok(await outcome(page, c) === 'PASS', c + ' passes', await page.textContent('#verify-result'));
  }
  ok(await page.getAttribute('#key-source', 'data-source') === 'pinned', 'key source: pinned');
  await page.screenshot({ path: SHOTS + '/run.png', fullPage: true });
  await page.locator('#receipt').screenshot({ path: SHOTS + '/verify.png' });

  // Tamper 1: a flipped byte of a stored artifact fails ARTIFACTS only.
  ok(await ask(`TAMPER ${good.id} result.txt`) === 'ok', 'artifact tampered by the test');
  await page.reload();
  await page.waitForSelector('#verify', { timeout: T });
  await verifyNow(page);
  ok(await outcome(page, 'ARTIFACTS') === 'FAIL' && await outcome(page, 'SIGNATURE') === 'PASS', 'tampered artifact fails ARTIFACTS', await page.textContent('#verify-result'));
  ok(await ask(`RESTORE ${good.id} result.txt`) === 'ok', 'artifact restored');

  // Tamper 2: a receipt signed by another key (claiming the real key id) fails SIGNATURE.
  const real = await (await fetch(BASE + '/runs/' + good.id + '/receipt', { headers: { Authorization: 'Bearer ' + ALICE } })).json();
  const other = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign']);
  const payload = Buffer.from(real.payload, 'base64');
  const type = Buffer.from(real.payloadType);
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
  const forged = { ...real, signatures: [{ keyid: real.signatures[0].keyid, sig: Buffer.from(await crypto.subtle.sign('Ed25519', other.privateKey, pae)).toString('base64') }] };
  await page.route('**/runs/*/receipt', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(forged) }));
  await page.reload();
  await page.waitForSelector('#verify', { timeout: T });
  await verifyNow(page);
  ok(await outcome(page, 'SIGNATURE') === 'FAIL', 'receipt signed by another key fails SIGNATURE', await page.textContent('#verify-result'));
  await page.unroute('**/runs/*/receipt');

  // Tamper 3: a changed inclusion proof fails INCLUSION.
  await page.route('**/ledger/proof/inclusion*', async (r) => {
    const body = await (await r.fetch()).json();
    const h = Buffer.from(body.hashes[0], 'base64');
    h[0] ^= 1;
    body.hashes[0] = h.toString('base64');
    await r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  });
  await page.reload();
  await page.waitForSelector('#verify', { timeout: T });
  await verifyNow(page);
  ok(await outcome(page, 'INCLUSION') === 'FAIL' && await outcome(page, 'SIGNATURE') === 'PASS', 'tampered proof fails INCLUSION', await page.textContent('#verify-result'));
  await page.unroute('**/ledger/proof/inclusion*');

  // The ledger page: checkpoint and a consistency check from the earlier checkpoint.
  await page.goto(BASE + '/ui/#/ledger');
  await page.waitForSelector('#checkpoint', { timeout: T });
  await page.fill('#ledger-earlier', earlierCheckpoint);
  await page.click('#check-consistency');
  await page.waitForSelector('#consistency', { timeout: T });
  ok(await page.getAttribute('#consistency', 'data-ok') === 'true', 'ledger consistency passes', await page.textContent('#consistency'));
  const badEarlier = earlierCheckpoint.replace(/\n([A-Za-z0-9+/]{43}=)\n/, (m, root) => '\n' + (root[0] === 'A' ? 'B' : 'A') + root.slice(1) + '\n');
  await page.fill('#ledger-earlier', badEarlier);
  await page.click('#check-consistency');
  await page.waitForFunction(() => document.querySelector('#consistency')?.dataset.ok === 'false', null, { timeout: T });
  ok(/signature/.test(await page.textContent('#consistency')), 'altered earlier checkpoint refused', await page.textContent('#consistency'));
  ok(cspViolations.length === 0, 'no CSP violation reported by the page itself', cspViolations.join(' | '));
  console.log(passed + ' passed, 0 failed');
} catch (e) {
  console.log('ERROR ' + String(e.stack || e).split('\n').filter(Boolean).join(' | '));
  try {
    for (const c of browser.contexts()) for (const pg of c.pages()) await pg.screenshot({ path: SHOTS + '/failure.png', fullPage: true });
  } catch {
    // no page to show
  }
  console.log(passed + ' passed, 1 failed');
  process.exitCode = 1;
} finally {
  await browser.close();
  stdin.close();
}
