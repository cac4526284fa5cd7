import { describe, expect, it } from '@jest/globals';
import { energyPerHour, fleetViewOf, sessionListOf } from '../../src/rules.js';
import { session } from '../helpers/factories.js';

const now = new Date('2026-12-07T00:30:00.000Z');

describe('fleetViewOf', () => {
  it('joins each charger with its boot record, own status, connectors and alerts', () => {
    const view = fleetViewOf(
      [
        {
          entityType: 'Charger',
          chargerId: 'CP-2',
          status: 'offline',
          registrationStatus: 'Pending',
          connectorCount: 1,
        },
        // A site set by the operator CLI names the charger's site (over its gateway, if any).
        { entityType: 'ChargerListing', chargerId: 'CP-2', siteId: 'SITE-N' },
        { entityType: 'ChargerListing', chargerId: 'CP-1' },
        {
          entityType: 'Charger',
          chargerId: 'CP-1',
          status: 'online',
          lastSeenAt: '2026-12-07T00:29:00.000Z',
          gatewayId: 'site-a',
          connectorCount: 2,
        },
        {
          entityType: 'ChargerBoot',
          chargerId: 'CP-1',
          chargePointVendor: 'Acme',
          chargePointModel: 'AC22',
          firmwareVersion: '1.2.3',
        },
        {
          entityType: 'ChargerStatus',
          chargerId: 'CP-1',
          ocppStatus: 'Faulted',
          errorCode: 'GroundFailure',
          statusAt: '2026-12-07T00:25:00.000Z',
        },
        {
          entityType: 'Connector',
          chargerId: 'CP-1',
          connectorId: 2,
          status: 'Available',
          ocppStatus: 'Faulted',
          errorCode: 'HighTemperature',
          statusAt: '2026-12-07T00:24:00.000Z',
        },
        {
          entityType: 'Connector',
          chargerId: 'CP-1',
          connectorId: 1,
          status: 'Charging',
          activeSessionId: 'S-1',
        },
        {
          entityType: 'OrphanTransactionStop',
          chargerId: 'CP-2',
          transactionId: 7,
          meterStop: 1200,
          at: '2026-12-07T00:10:00.000Z',
          reason: 'Local',
        },
        {
          entityType: 'Alert',
          chargerId: 'CP-1',
          kind: 'flapping',
          status: 'open',
          firstSeenAt: '2026-12-07T00:00:00.000Z',
          lastSeenAt: '2026-12-07T00:20:00.000Z',
          detail: 'faulted',
          episodes: 1,
        },
      ],
      now,
    );
    expect(view.chargers.map((row) => row.chargerId)).toEqual(['CP-1', 'CP-2']);
    expect(view.chargers[0]).toMatchObject({
      status: 'online',
      site: 'site-a',
      vendor: 'Acme',
      model: 'AC22',
      firmware: '1.2.3',
      ocppStatus: 'Faulted',
      errorCode: 'GroundFailure',
      connectors: [
        { connectorId: 1, status: 'Charging', activeSessionId: 'S-1' },
        { connectorId: 2, status: 'Faulted', errorCode: 'HighTemperature' },
      ],
    });
    expect(view.chargers[1]).toMatchObject({
      status: 'offline',
      site: 'SITE-N',
      registrationStatus: 'Pending',
      connectors: [],
    });
    // Newest first: the faults as the fleet shows them, the detector's alert, the orphan stop.
    expect(view.alerts).toEqual([
      expect.objectContaining({ kind: 'fault', source: 'fleet', detail: 'charger Faulted: GroundFailure' }),
      expect.objectContaining({
        kind: 'fault',
        source: 'fleet',
        detail: 'connector 2 Faulted: HighTemperature',
      }),
      expect.objectContaining({ chargerId: 'CP-1', kind: 'flapping', source: 'detector', state: 'open' }),
      expect.objectContaining({ kind: 'orphan-transaction', source: 'fleet', chargerId: 'CP-2' }),
    ]);
  });
});

describe('sessionListOf', () => {
  it('puts active sessions first, then the newest, and derives a running duration', () => {
    const done = session({
      status: 'Completed',
      startedAt: '2026-12-06T23:00:00.000Z',
      endedAt: '2026-12-06T23:30:00.000Z',
      durationS: 1800,
      stopReason: 'EVDisconnected',
    });
    const older = session({
      status: 'Completed',
      startedAt: '2026-12-06T10:00:00.000Z',
      endedAt: '2026-12-06T11:00:00.000Z',
    });
    const active = session({ startedAt: '2026-12-07T00:00:00.000Z' });
    const rows = sessionListOf([older, done, active], now, 10);
    expect(rows.map((row) => row.sessionId)).toEqual([active.sessionId, done.sessionId, older.sessionId]);
    expect(rows[0]).toMatchObject({ active: true, durationS: 1800 });
    expect(rows[1]).toMatchObject({ active: false, stopReason: 'EVDisconnected', durationS: 1800 });
    expect(sessionListOf([older, done, active], now, 1)).toHaveLength(1);
  });
});

describe('energyPerHour', () => {
  it("spreads each session's energy over its charging hours, for the fleet and per site", () => {
    const sessions = [
      // 23:30 → 00:30: half in each hour.
      session({
        chargerId: 'A',
        chargingStartedAt: '2026-12-06T23:30:00.000Z',
        endedAt: '2026-12-07T00:30:00.000Z',
        energyWh: 4000,
      }),
      session({
        chargerId: 'B',
        chargingStartedAt: '2026-12-07T00:00:00.000Z',
        endedAt: '2026-12-07T00:15:00.000Z',
        energyWh: 1000,
      }),
      session({ chargerId: 'B', energyWh: 0 }),
    ];
    const energy = energyPerHour(sessions, (chargerId) => (chargerId === 'A' ? 'north' : 'south'), now, 3);
    expect(energy.hours).toEqual([
      '2026-12-06T22:00:00.000Z',
      '2026-12-06T23:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
    ]);
    expect(energy.fleetWh).toEqual([0, 2000, 3000]);
    expect(energy.sites).toEqual({ north: [0, 2000, 2000], south: [0, 0, 1000] });
  });
});
