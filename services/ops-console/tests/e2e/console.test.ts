import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { addIdTag, entities, getIdTag, itemOf } from '@evcharge/dynamo';
import type { LocalCloud } from '@evcharge/local-cloud';
import { OPERATORS_GROUP, registerChargerLocally, signDevToken } from '@evcharge/local-identity';
import { type Fleet, startFleet } from '@evcharge/simulator';
import { connectCharger, registerAndConnect, startServiceCloud } from '@evcharge/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { DeadLetterSummary, FleetView } from '../../web/src/types.js';

// The console in a real browser (the distribution's Chromium, driven by playwright-core) over a real local cloud
// with a small simulated fleet and one charger this test drives itself. Screenshots go to tests/artefacts/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artefacts = join(import.meta.dirname, '../artefacts');
const CONTROLLED = 'CP-CONSOLE-1';

let cloud: LocalCloud;
let fleet: Fleet;
let browser: Browser;
let page: Page;
let charger: MqttClient;
let password: string;
let operatorToken: string;

const heartbeat = (client: MqttClient, at = new Date().toISOString()) =>
  client.publishAsync(`chargers/${CONTROLLED}/heartbeat`, JSON.stringify({ at }), { qos: 1 });

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${cloud.endpoints.http}/ops/api/${path}`, {
    headers: { authorization: `Bearer ${operatorToken}` },
  });
  return (await response.json()) as T;
}

const shot = (name: string) => page.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`,
    );
  mkdirSync(artefacts, { recursive: true });
  cloud = await startServiceCloud();
  fleet = await startFleet({
    mqttUrl: cloud.endpoints.mqttUrl,
    table: cloud.table,
    chargers: 2,
    v2Chargers: 3,
    ocppChargers: 0,
    timeFactor: 60,
    badInputRate: 0,
    offlineRate: 0,
    faultRate: 0,
    seed: 21,
    // Sessions start within a second and run 60–90 s (real), a reading every 4 s: the chart and the triggered
    // reading always find one running.
    timing: { sessionS: [3600, 5400], idleS: [10, 60], meterS: 240 },
    log: () => undefined,
  });
  ({ charger, password } = await registerAndConnect(cloud, CONTROLLED, 1));
  await heartbeat(charger);
  operatorToken = await signDevToken('olga', { groups: [OPERATORS_GROUP] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await charger?.endAsync().catch(() => undefined);
  await fleet?.stop().catch(() => undefined);
  await cloud?.stop();
}, 60_000);

const rowOf = (chargerId: string) => page.locator(`tr[data-charger="${chargerId}"]`);

describe('the operator console in a browser', () => {
  it('signs in from the printed link (token in the fragment) and shows the running fleet', async () => {
    await page.goto(`${cloud.endpoints.http}/ops/#token=${operatorToken}`);
    await page.getByRole('heading', { name: /^Fleet/ }).waitFor();
    // The token left the address bar: it is kept for the tab only.
    expect(page.url()).toBe(`${cloud.endpoints.http}/ops/`);
    await rowOf(CONTROLLED).locator('[data-status="online"]').waitFor({ timeout: 20_000 });
    await page.locator('tr[data-charger="SIM-003"]').waitFor({ timeout: 30_000 });
    await shot('fleet');
  }, 60_000);

  it('shows a charger going offline and coming back, live, without a reload', async () => {
    await charger.endAsync(true);
    await rowOf(CONTROLLED).locator('[data-status="offline"]').waitFor({ timeout: 20_000 });
    await shot('charger-offline');
    charger = await connectCharger(cloud, CONTROLLED, password);
    await heartbeat(charger);
    await rowOf(CONTROLLED).locator('[data-status="online"]').waitFor({ timeout: 20_000 });
  }, 60_000);

  it('triggers a meter reading on a charging connector and shows the value that arrives', async () => {
    // A v2 charger of the simulated fleet with a session running (they answer OCPP commands).
    const target = await cloud.waitFor(async () => {
      const view = await api<FleetView>('fleet');
      for (const row of view.chargers) {
        const connector = row.connectors.find((candidate) => candidate.activeSessionId);
        if (row.status === 'online' && row.ocppStatus && connector) return { row, connector };
      }
      return undefined;
    }, 90_000);
    await page.getByLabel('Search').fill(target.row.chargerId);
    await rowOf(target.row.chargerId).getByRole('button', { name: target.row.chargerId }).click();
    await page.getByRole('heading', { name: target.row.chargerId, exact: true }).waitFor();
    await page.getByLabel('Connector').selectOption(String(target.connector.connectorId));
    await page.getByRole('button', { name: 'Trigger meter reading' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Trigger meter reading' }).click();
    const outcome = page.locator('.panel .outcome');
    await outcome.filter({ hasText: /New reading: [\d.]+ kWh register/ }).waitFor({ timeout: 40_000 });
    expect(await outcome.textContent()).toMatch(
      new RegExp(`${target.row.chargerId} answered TriggerMessage: Accepted`),
    );
    await shot('trigger-meter-reading');
  }, 150_000);

  it('opens a session and draws its readings as a chart', async () => {
    await page.getByRole('tab', { name: /^Sessions/ }).click();
    const link = page.locator('tbody tr.active').first().getByRole('button').first();
    await link.waitFor({ timeout: 20_000 });
    await link.click();
    await page.locator('.panel .chart canvas').waitFor();
    await page
      .locator('.panel [data-readings]:not([data-readings="0"]):not([data-readings="1"])')
      .waitFor({ timeout: 30_000 });
    await shot('session-chart');
  }, 60_000);

  it('lists a dead letter with its reason and class, and redrives it', async () => {
    // A heartbeat the contract refuses: dead-lettered once by the heartbeat function.
    await charger.publishAsync(`chargers/${CONTROLLED}/heartbeat`, JSON.stringify({ at: 'yesterday' }), {
      qos: 1,
    });
    const letter = await cloud.waitFor(async () => {
      const { deadLetters } = await api<{ deadLetters: DeadLetterSummary[] }>('dead-letters');
      return deadLetters.find(
        (candidate) =>
          candidate.errorClass === 'bad-input' && JSON.stringify(candidate).includes('heartbeat'),
      );
    }, 30_000);
    await page.getByRole('tab', { name: /^Dead letters/ }).click();
    const row = page.locator(`tr[data-message-id="${letter.messageId}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('bad-input');
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: /^Redrive 1 selected/ }).click();
    await shot('dead-letters');
    await page.getByRole('dialog').getByRole('button', { name: 'Redrive' }).click();
    // Still bad input: the replay fails again and the letter goes back with its history (attempts 2).
    const outcome = page.locator('section .outcome');
    await outcome.filter({ hasText: /redrive: examined|Refused/ }).waitFor({ timeout: 40_000 });
    expect(await outcome.textContent()).toContain(`failed again ${letter.messageId}`);
    // The letter written back carries its history; listings hide letters for 2 s, so look until it shows.
    const again = await cloud.waitFor(async () => {
      const { deadLetters } = await api<{ deadLetters: DeadLetterSummary[] }>('dead-letters');
      return deadLetters.find(
        (candidate) => candidate.errorClass === 'bad-input' && candidate.attempts === 2,
      );
    }, 15_000);
    expect(again.messageId).not.toBe(letter.messageId);
    expect(again.target).toBe(letter.target);
  }, 90_000);

  it('commissions a pending charger and blocks an idTag, each after a confirmation', async () => {
    await registerChargerLocally(cloud.table, {
      chargerId: 'CP-PENDING-1',
      connectorCount: 1,
      now: new Date(),
      pending: true,
    });
    await addIdTag(cloud.table, { idTag: 'E2E-BLOCK', userId: 'user-e2e' });
    await page.getByRole('tab', { name: /^Fleet/ }).click();
    await page.getByLabel('Show').selectOption('pending');
    await rowOf('CP-PENDING-1').getByRole('button', { name: 'CP-PENDING-1' }).click({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Commission' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Commission' }).click();
    await page.locator('.panel .outcome').filter({ hasText: 'CP-PENDING-1 commissioned' }).waitFor();
    await page.getByLabel('Show').selectOption('all');
    await page.getByRole('tab', { name: /^Sessions/ }).click();
    await page.getByLabel('idTag').fill('E2E-BLOCK');
    await page.getByRole('button', { name: 'Block idTag…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
    await page.locator('.outcome').filter({ hasText: 'idTag E2E-BLOCK blocked' }).waitFor();
    expect((await getIdTag(cloud.table, 'E2E-BLOCK'))?.status).toBe('Blocked');
  }, 40_000);

  it('stops a running session remotely after a confirmation, and the session ends with reason Remote', async () => {
    await page.getByRole('tab', { name: /^Sessions/ }).click();
    const row = page
      .locator('tbody tr.active')
      .filter({ has: page.getByRole('button', { name: 'Stop…' }) })
      .first();
    await row.waitFor({ timeout: 20_000 });
    const sessionLabel = (await row.getByRole('button').first().textContent())?.trim() ?? '';
    await row.getByRole('button', { name: 'Stop…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop', exact: true }).click();
    await page.locator('.outcome').filter({ hasText: 'Remote stop sent' }).waitFor();
    // The simulated charger accepts, stops its transaction, and the list shows the session completed.
    const ended = page.locator('tbody tr').filter({ hasText: sessionLabel }).filter({ hasText: 'Remote' });
    await ended.waitFor({ timeout: 30_000 });
    expect(await ended.getByRole('cell', { name: 'Completed' }).count()).toBe(1);
    await shot('remote-stop');
  }, 60_000);

  it('shows energy per hour and the alerts', async () => {
    await page.getByRole('tab', { name: /^Energy/ }).click();
    // The running sessions' energy, in this hour's bar.
    await page.locator('[data-total-wh]:not([data-total-wh="0"])').waitFor({ timeout: 20_000 });
    await page.locator('.chart canvas').first().waitFor();
    await shot('energy');
    await page.getByRole('tab', { name: /^Alerts/ }).click();
    await page.getByRole('heading', { name: /^Alerts/ }).waitFor();
    await shot('alerts');
  }, 30_000);

  it('keeps every action in the audit log', async () => {
    await page.getByRole('tab', { name: /^Audit/ }).click();
    await page.getByRole('cell', { name: 'command TriggerMessage' }).first().waitFor();
    await page.getByRole('cell', { name: 'redrive' }).first().waitFor();
    await page.getByRole('cell', { name: 'commission', exact: true }).first().waitFor();
    await page.getByRole('cell', { name: 'block idTag' }).first().waitFor();
    await page.getByRole('cell', { name: 'remote-stop' }).first().waitFor();
    await shot('audit');
  }, 30_000);

  it('works in a narrow window and from the keyboard', async () => {
    await page.getByRole('tab', { name: /^Fleet/ }).click();
    await page.getByLabel('Search').fill(CONTROLLED);
    await page.setViewportSize({ width: 400, height: 800 });
    await rowOf(CONTROLLED).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(400);
    // Native buttons: Tab from the search field reaches the charger, Enter opens it.
    await page.getByLabel('Search').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: CONTROLLED, exact: true }).waitFor();
    await shot('narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 30_000);

  it('refuses a user without the operator role, and says so', async () => {
    const userPage = await browser.newPage();
    await userPage.goto(`${cloud.endpoints.http}/ops/#token=${await signDevToken('alice')}`);
    await userPage
      .getByRole('alert')
      .filter({ hasText: /not an operator/ })
      .waitFor({ timeout: 20_000 });
    await userPage.screenshot({ path: join(artefacts, 'refused.png') });
    await userPage.close();
  }, 30_000);

  it('renders a fleet of 1,000+ chargers with only the rows in view', async () => {
    const registeredAt = new Date().toISOString();
    // Each charger as registration writes it: the charger item and its entry in the fleet list.
    const chargers = Array.from({ length: 1200 }, (_, index) => {
      const chargerId = `BULK-${String(index).padStart(4, '0')}`;
      return [
        itemOf(entities.charger, {
          chargerId,
          connectorCount: 2,
          registeredAt,
          status: index % 7 === 0 ? 'offline' : 'online',
          lastSeenAt: registeredAt,
          heartbeatIntervalS: 300,
          livenessWindowMs: 660_000,
        }),
        itemOf(entities.chargerListing, { chargerId }),
      ];
    }).flat();
    for (let start = 0; start < chargers.length; start += 25) {
      await cloud.table.client.send(
        new BatchWriteCommand({
          RequestItems: {
            [cloud.table.tableName]: chargers
              .slice(start, start + 25)
              .map((item) => ({ PutRequest: { Item: item as unknown as Record<string, unknown> } })),
          },
        }),
      );
    }
    const startedAt = performance.now();
    const view = await api<FleetView>('fleet');
    const routeMs = performance.now() - startedAt;
    expect(view.chargers.length).toBeGreaterThan(1200);
    await page.getByLabel('Search').fill('');
    await page.getByRole('heading', { name: /1206 chargers|120\d chargers/ }).waitFor({ timeout: 20_000 });
    const rendered = await page.locator('tbody tr[data-charger]').count();
    expect(rendered).toBeLessThan(40);
    await page.locator('.viewport').evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await rowOf('SIM-005').waitFor();
    console.log(
      `fleet of ${view.chargers.length}: GET /ops/api/fleet ${routeMs.toFixed(0)} ms, ${rendered} rows in the DOM`,
    );
    await shot('fleet-1200');
  }, 60_000);
});
