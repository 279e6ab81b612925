// `pipe serve` as a process (the bundle, through bin/pipe.js) and a real headless Chromium (Debian's, driven by
// playwright-core) opened on its start-up URL; screenshots of each page go to test/screenshots/ (git ignores it).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from './cli.js';
import type { PipeEnv } from './cli.js';
import { CHROMIUM } from './probes.js';
import { startPipe } from './pipe-process.js';
import type { PipeProcess } from './pipe-process.js';

export const SCREENSHOTS = join(REPO_ROOT, 'test', 'screenshots');

export interface Dashboard {
  serve: PipeProcess;
  /** The start-up URL, with the token. */
  loginUrl: string;
  /** `http://127.0.0.1:PORT`: the AWS APIs' endpoint. */
  url: string;
  browser: Browser;
  page: Page;
  /** Errors thrown in the page: a test ends by expecting none. */
  pageErrors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** `extraArgs` go to `pipe serve` (like `--gateway-port 0`). */
export async function openDashboard(env: PipeEnv, pipelinesDir: string, extraArgs: string[] = []): Promise<Dashboard> {
  const serve = startPipe(['serve', '--port', '0', '--json', '--pipelines', pipelinesDir, ...extraArgs], env);
  const listening = await serve.waitForOutput(/^(\{"time".*"type":"listening".*\})$/m, 30_000);
  const line = JSON.parse(listening[1] ?? '{}') as { url: string; dashboard: string };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(line.dashboard);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    serve, loginUrl: line.dashboard, url: line.url, browser, page, pageErrors,
    async screenshot(name) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async close() {
      await browser.close();
      serve.kill('SIGTERM');
      await serve.exited;
    },
  };
}
