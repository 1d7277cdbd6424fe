import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiOk,
  Bus,
  CHROMIUM,
  completedException,
  hasChromium,
  launchChromium,
  startServiceProcess,
  TestTenants,
  waitFor,
  type ServiceProcess,
  type TestTenant,
} from '@refinery/testing';
import type { Browser, Page } from 'playwright-core';

/** `CONSOLE_SCREENSHOTS=1` rewrites the pictures in docs/images; other runs leave them be. */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1';
const IMAGES = join(__dirname, '../../../docs/images');

interface QueueItem {
  record_id: string;
  source_type: string;
  status: string;
  proposed_content: { corrected_answer?: { label: string; action: string } };
}

/** Records an unsure classifier answered, each about a different problem so none repeats another. */
const UNSURE = [
  ['Parcel shows delivered but the customer found an empty box on the porch.', 0.41],
  ['The courier left the parcel at the wrong street number twice this week.', 0.48],
  ['Customer was charged twice for order ORD-551 and wants the second charge back.', 0.52],
  ['The mug arrived in three pieces, the box was crushed on one corner.', 0.57],
  ['Tracking has not moved for nine days at the regional depot.', 0.63],
] as const;

async function launch(): Promise<Browser> {
  if (!hasChromium()) {
    throw new Error(
      `${CHROMIUM} is missing: npm test installs it (deploy/local/ensure-chromium.sh)`,
    );
  }
  return launchChromium();
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(IMAGES, { recursive: true });
  await page.screenshot({ path: join(IMAGES, `console-${name}.png`) });
}

/**
 * The review console in a real headless Chromium, against the learning service and
 * dataset-versioning as processes, fed unsure answers on the bus: a reviewer signs in and
 * works through the queue with the keyboard alone.
 */
describe('the review console', () => {
  let tenants: TestTenants;
  let tenant: TestTenant;
  let datasets: ServiceProcess;
  let learning: ServiceProcess;
  let bus: Bus;
  let browser: Browser;
  let page: Page;
  const records: string[] = [];

  const call = <T>(service: ServiceProcess, method: string, path: string, body?: unknown) =>
    apiOk<T>(service.url, tenant.apiKey, method, path, body);

  /** A dataset two labelers labelled, agreeing on five examples of six. */
  async function labelledDataset(name: string): Promise<void> {
    const labels = ['DELIVERY_DELAY', 'DAMAGED_ITEM', 'ADDRESS_ISSUE', 'MISSING_ITEM', 'OTHER'];
    await call(datasets, 'POST', '/api/datasets', {
      name,
      description: 'Exceptions the support team labels every week',
    });
    await call(datasets, 'POST', `/api/datasets/${name}/examples`, {
      examples: [...labels, 'DELIVERY_DELAY'].map((label, i) => ({
        type: 'classification',
        input: {
          order_number: `ORD-${700 + i}`,
          description: `${label} case ${i}`,
          carrier: 'DHL',
        },
        output: { label },
      })),
    });
    await call(datasets, 'POST', `/api/datasets/${name}/commits`, { message: 'to label' });
    for (const labeler of ['ana', 'ben']) {
      const session = await call<{ id: string }>(datasets, 'POST', '/api/labeling/sessions', {
        dataset: name,
        session_type: 'initial_labeling',
        labeler,
      });
      for (let served = 0; served < 10; served++) {
        const { example } = await call<{
          example: { id: string; output: { label: string } } | null;
        }>(datasets, 'GET', `/api/labeling/sessions/${session.id}/next`);
        if (!example) break;
        const disagree = labeler === 'ben' && example.output.label === 'OTHER';
        await call(datasets, 'POST', `/api/labeling/sessions/${session.id}/submit`, {
          example_id: example.id,
          label: disagree ? 'CUSTOMER_REQUEST' : example.output.label,
        });
      }
      await call(datasets, 'POST', `/api/labeling/sessions/${session.id}/end`);
    }
  }

  beforeAll(async () => {
    tenants = await TestTenants.open();
    tenant = await tenants.create({ prefix: 'console' });
    datasets = await startServiceProcess('dataset-versioning', { DATASETS_TENANT: tenant.slug });
    learning = await startServiceProcess('learning', {
      LEARNING_TENANT: tenant.slug,
      LEARNING_REFRESH_INTERVAL: '0',
      DATASETS_URL: datasets.url,
    });
    bus = await Bus.open();
    for (const [description, confidence] of UNSURE) {
      const event = completedException(tenant.slug, {
        label: 'DELIVERY_DELAY',
        action: 'CONTACT_CARRIER',
        confidence,
        description,
        explanation: [
          { feature: 'kind:late_delivery', weight: 0.8 },
          { feature: 'carrier:DHL', weight: 0.3 },
          { feature: 'word:box', weight: -0.4 },
        ],
      });
      await bus.publish(event);
      records.push(event.payload.record_id);
    }
    await labelledDataset('weekly-exceptions');
    // Every record waits, explained, before the reviewer opens the page.
    await waitFor(async () => {
      const queue = await call<{ items: Array<{ explanation: unknown }> }>(
        learning,
        'GET',
        '/api/review/queue',
      );
      return queue.items.length === UNSURE.length && queue.items.every((i) => i.explanation);
    }, 20_000);
    browser = await launch();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await bus?.close();
    await learning?.stop();
    await datasets?.stop();
    await tenants?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Shorter than the test's own limit, so a wait that fails says what it waited for.
    page.setDefaultTimeout(10_000);
  });
  afterEach(() => page?.close());

  const signIn = async (key: string) => {
    await page.goto(`${learning.url}/console`);
    await page.getByLabel('API key').fill(key);
    await page.keyboard.press('Enter');
  };
  const listed = () =>
    page
      .locator('#records [role=option]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-record-id')));
  const current = () => page.locator('#records').getAttribute('aria-activedescendant');

  it('refuses a key without the review scope, or an unknown one, and says why', async () => {
    const { key } = await tenants.key(tenant.slug, ['read', 'ingest']);
    await signIn(key);
    await page
      .getByRole('alert')
      .getByText(/does not have the review scope/)
      .waitFor();
    expect(await page.locator('#queue').isHidden()).toBe(true);
    await page.getByLabel('API key').fill('rk_nobody_0123456789abcdef0123456789abcdef');
    await page.keyboard.press('Enter');
    await page.getByText('This API key is not known or has been revoked.').waitFor();
    expect(await page.getByLabel('API key').getAttribute('aria-invalid')).toBe('true');
  });

  it('fits a phone: no sideways scrolling, every control labelled, status read aloud', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(tenant.apiKey);
    await page.locator('#records [role=option]').first().waitFor();
    // Run in the page, as text: the tests are compiled without the browser's types.
    const overflow = () =>
      page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone');
    await page.getByRole('link', { name: 'Labeling' }).click();
    await page.locator('[data-dataset="weekly-exceptions"]').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);

    const unlabelled = await page
      .locator('input, select, textarea, button')
      .evaluateAll((controls) =>
        controls
          .filter((c) => !(c as { labels?: unknown[] }).labels?.length && !c.textContent?.trim())
          .map((c) => c.outerHTML),
      );
    expect(unlabelled).toEqual([]);
    expect(await page.locator('#status').getAttribute('aria-live')).toBe('polite');
    for (const landmark of ['banner', 'main', 'navigation'] as const) {
      expect(await page.getByRole(landmark).count()).toBeGreaterThan(0);
    }
  });

  it('corrects three records with the keyboard alone; they leave the queue and become learning items', async () => {
    const { items: waiting } = await call<{ items: Array<{ record_id: string; input: object }> }>(
      learning,
      'GET',
      '/api/review/queue',
    );
    const order = waiting.map((i) => i.record_id);
    expect([...order].sort()).toEqual([...records].sort());
    await signIn(tenant.apiKey);
    await page
      .locator('#records [role=option]')
      .nth(UNSURE.length - 1)
      .waitFor();
    // Oldest waiting first, as the API gives them, each with the answer and its explanation.
    expect(await listed()).toEqual(order);
    await page.locator('#explanation').waitFor();
    const detail = await page.locator('.detail').innerText();
    const [description, confidence] = UNSURE[records.indexOf(order[0])];
    expect(detail).toContain(description);
    expect(detail).toContain(`Confidence ${Math.round(confidence * 100)}%`);
    expect(detail).toContain('DELIVERY_DELAY');
    expect(detail).toContain('kind:late_delivery (+0.80)');
    expect(detail).toMatch(/mostly from kind:late_delivery \(\+0\.80\)/);
    expect(await page.locator(':focus').getAttribute('id')).toBe('records');
    await screenshot(page, 'queue');

    const corrections: Array<{ keys: string[]; label?: string; action?: string }> = [
      { keys: ['3'], label: 'DAMAGED_ITEM' },
      { keys: ['j', 'Shift+Digit2'], action: 'REFUND' },
      { keys: ['k', '5', 'Shift+Digit6'], label: 'PAYMENT_ISSUE', action: 'ESCALATE_HUMAN' },
    ];
    const corrected: string[] = [];
    for (const { keys } of corrections) {
      for (const key of keys) await page.keyboard.press(key);
      const record = (await current())!.replace('record-', '');
      await page.keyboard.press('Enter');
      await page.locator(`#records [data-record-id="${record}"]`).waitFor({ state: 'detached' });
      await page.locator(`#learning-items [data-record-id="${record}"]`).waitFor();
      corrected.push(record);
    }
    // j moved to the second record after the first had gone, k came back to the first left.
    expect(corrected).toEqual([order[0], order[2], order[1]]);
    expect(await listed()).toEqual(order.slice(3));
    await page
      .getByRole('status')
      .getByText(/Corrected .*2 waiting\./)
      .waitFor();

    const { items } = await call<{ items: QueueItem[] }>(
      learning,
      'GET',
      '/api/learning/queue?limit=50',
    );
    corrections.forEach(({ label, action }, i) => {
      const item = items.find((it) => it.record_id === corrected[i]);
      expect(item).toMatchObject({
        source_type: 'correction',
        status: expect.stringMatching(/^(approved|applied)$/),
        proposed_content: {
          corrected_answer: {
            label: label ?? 'DELIVERY_DELAY',
            action: action ?? 'CONTACT_CARRIER',
          },
        },
      });
    });
    const left = await call<{ total: number }>(learning, 'GET', '/api/review/queue');
    expect(left.total).toBe(2);

    // `a` accepts the answer as it is: the record leaves, and no learning item is made for it.
    const accepted = order[3];
    expect(await current()).toBe(`record-${accepted}`);
    await page.keyboard.press('a');
    await page.locator(`#records [data-record-id="${accepted}"]`).waitFor({ state: 'detached' });
    expect(await listed()).toEqual([order[4]]);
  });

  it('shows the labelers’ agreement per dataset', async () => {
    await signIn(tenant.apiKey);
    await page.locator('#records').waitFor();
    await page.getByRole('link', { name: 'Labeling' }).click();
    const dataset = page.locator('[data-dataset="weekly-exceptions"]');
    await dataset.waitFor();
    const report = await call<{ cohen: { kappa: number }; krippendorff_alpha: number }>(
      datasets,
      'GET',
      '/api/labeling/agreement?dataset=weekly-exceptions',
    );
    const figure = (name: string) => dataset.locator(`dt:has-text("${name}") + dd`).innerText();
    expect(await figure("Cohen's κ")).toBe(report.cohen.kappa.toFixed(2));
    expect(await figure("Krippendorff's α")).toBe(report.krippendorff_alpha.toFixed(2));
    expect(await dataset.locator('tbody th').allInnerTexts()).toEqual(['ana', 'ben']);
    await screenshot(page, 'labeling');
  });
});
