import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

/**
 * End-to-end tests run the production build under `vite preview` (COOP/COEP
 * headers) in an installed Chromium: /usr/bin/chromium (Debian package
 * `chromium`), else $CHROMIUM_PATH, else Playwright's own browser.
 */
/** Port of the preview server; set E2E_PORT to run two checkouts' suites side by side. */
const port = Number(process.env.E2E_PORT ?? 4173);
const executablePath = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : process.env.CHROMIUM_PATH || undefined;

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://localhost:${port}`,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'],
    },
  },
  projects: [
    { name: 'wasm', testIgnore: /webgpu\.spec\.ts/ },
    {
      name: 'webgpu-swiftshader',
      testMatch: /webgpu\.spec\.ts/,
      use: {
        launchOptions: {
          executablePath,
          args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'],
        },
      },
    },
  ],
  webServer: {
    command: `npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
