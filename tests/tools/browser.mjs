// Helpers for the tool tests that drive a web UI: start a Node program (such as dynamodb-admin)
// on a free loopback port and wait until it listens, and launch Debian's Chromium headless through
// puppeteer-core (which never downloads a browser) with a private profile.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import puppeteer from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

function answers(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

/**
 * Runs `node script args...` with `env` added and waits until `url` answers; resolves to
 * { proc, output() }. The program's stdout and stderr are kept for failure messages.
 */
export async function startProgram(script, args, env, url) {
  const proc = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${script} exited (${proc.exitCode ?? proc.signalCode}): ${output}`);
    }
    if (await answers(url)) return { proc, output: () => output };
    await new Promise((r) => setTimeout(r, 25));
  }
  proc.kill('SIGKILL');
  throw new Error(`${script} did not answer on ${url}: ${output}`);
}

export function stopProgram(prog) {
  return new Promise((resolve) => {
    if (!prog || prog.proc.exitCode !== null || prog.proc.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => prog.proc.kill('SIGKILL'), 5000);
    prog.proc.once('exit', () => { clearTimeout(timer); resolve(); });
    prog.proc.kill('SIGTERM');
  });
}

/** Headless Chromium with a fresh profile, no network beyond what the page asks for; `extraArgs`
 * are more command-line switches. */
export async function launchBrowser(extraArgs = []) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', ...extraArgs],
  });
  return {
    browser,
    async close() {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
