import { type ChargePointStatus, connectorAvailability } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import {
  decideConnectorStatus,
  type StatusConnector,
  type StatusFacts,
  statusOrder,
} from '../../src/rules.js';

const SESSION_ID = '00000000-0000-4000-8000-00000000a001';
const T0 = Date.parse('2026-11-25T07:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
let counter = 0;

function status(status: ChargePointStatus, atMs: number, overrides: Partial<StatusFacts> = {}): StatusFacts {
  counter++;
  return {
    messageId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    status,
    errorCode: status === 'Faulted' ? 'GroundFailure' : 'NoError',
    at: iso(atMs),
    receivedAt: atMs + 150,
    ...overrides,
  };
}

const free: StatusConnector = { plugged: false, faulted: false };

/** Applies statuses in arrival order the way the store does: the decision's connector and position are kept. */
function replay(
  statuses: StatusFacts[],
  start: StatusConnector = free,
): StatusConnector & { status?: string } {
  let connector: StatusConnector & { status?: string } = start;
  for (const next of statuses) {
    const decision = decideConnectorStatus({ connector, status: next });
    if (decision.outcome === 'applied') {
      connector = {
        ...connector,
        ...decision.connector,
        statusAt: next.at,
        statusReceivedAt: next.receivedAt,
        statusMessageId: next.messageId,
      };
    }
  }
  return connector;
}

describe('statusOrder: device time, then receive time; the same message is a duplicate', () => {
  const last = { statusAt: iso(T0), statusReceivedAt: T0 + 150, statusMessageId: 'm-last' };
  it.each([
    ['no status yet', undefined, status('Available', T0), 'newer'],
    ['a later device time', last, status('Available', T0 + 1), 'newer'],
    [
      'an earlier device time, received later',
      last,
      status('Available', T0 - 1, { receivedAt: T0 + 9_000 }),
      'older',
    ],
    [
      'the same device time, received later',
      last,
      status('Available', T0, { receivedAt: T0 + 151 }),
      'newer',
    ],
    [
      'the same device time, received earlier',
      last,
      status('Available', T0, { receivedAt: T0 + 149 }),
      'older',
    ],
    [
      'the same message again, received later',
      last,
      status('Available', T0, { messageId: 'm-last', receivedAt: T0 + 9_000 }),
      'duplicate',
    ],
  ] as const)('%s', (_description, position, facts, order) => {
    expect(statusOrder(position, facts)).toBe(order);
  });
});

describe('decideConnectorStatus', () => {
  it('Faulted raises the fault and refuses new sessions; a later status clears it (recovery)', () => {
    const faulted = decideConnectorStatus({ connector: free, status: status('Faulted', T0) });
    expect(faulted).toMatchObject({
      outcome: 'applied',
      fault: 'raised',
      connector: { faulted: true, status: 'Faulted' },
    });
    const after = faulted.outcome === 'applied' ? faulted.connector : free;
    expect(connectorAvailability(after)).toEqual({ available: false, reason: 'connector-faulted' });

    const recovered = decideConnectorStatus({
      connector: { ...after, statusAt: iso(T0), statusReceivedAt: T0 + 150 },
      status: status('Available', T0 + 60_000),
    });
    expect(recovered).toMatchObject({
      outcome: 'applied',
      fault: 'cleared',
      connector: { faulted: false, status: 'Available' },
    });
  });

  it('Unavailable refuses new sessions without a fault', () => {
    const decision = decideConnectorStatus({ connector: free, status: status('Unavailable', T0) });
    expect(decision).toMatchObject({
      outcome: 'applied',
      connector: { unavailable: true, status: 'Unavailable' },
    });
    expect(decision).not.toHaveProperty('fault');
    if (decision.outcome === 'applied') {
      expect(connectorAvailability(decision.connector)).toEqual({
        available: false,
        reason: 'connector-unavailable',
      });
    }
  });

  it('a late Faulted (older than the applied Available) is a no-op', () => {
    const connector = {
      ...free,
      statusAt: iso(T0 + 60_000),
      statusReceivedAt: T0 + 60_150,
      statusMessageId: 'x',
    };
    expect(
      decideConnectorStatus({ connector, status: status('Faulted', T0, { receivedAt: T0 + 120_000 }) }),
    ).toEqual({
      order: 'older',
      outcome: 'ignored',
      reason: 'older',
    });
  });

  it('every arrival order of a stream ends where device order ends', () => {
    const stream = [
      status('Preparing', T0),
      status('Faulted', T0 + 60_000),
      status('Available', T0 + 120_000),
    ];
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    const inOrder = replay(stream);
    expect(inOrder).toMatchObject({ faulted: false, plugged: false, status: 'Available' });
    for (const order of orders) {
      const shuffled = order.map((index) => stream[index] as StatusFacts);
      expect(replay([...shuffled, ...shuffled])).toEqual(inOrder);
    }
  });

  it('moves plugged from the statuses that say so, only when newer than the last plug event', () => {
    expect(decideConnectorStatus({ connector: free, status: status('Charging', T0) })).toMatchObject({
      connector: { plugged: true, status: 'Preparing' },
    });
    const pluggedLater = { ...free, lastEventAt: iso(T0 + 60_000), lastEventReceivedAt: T0 + 60_150 };
    expect(decideConnectorStatus({ connector: pluggedLater, status: status('Charging', T0) })).toMatchObject({
      connector: { plugged: false },
    });
  });

  it('never moves a session or the plug fact its v1 logic reads: Available while a session is Charging', () => {
    const held: StatusConnector = { plugged: true, faulted: false, activeSessionId: SESSION_ID };
    const decision = decideConnectorStatus({
      connector: held,
      session: { sessionId: SESSION_ID, status: 'Charging' },
      status: status('Available', T0),
    });
    expect(decision).toMatchObject({
      outcome: 'applied',
      connector: { plugged: true, activeSessionId: SESSION_ID, status: 'Charging' },
    });
    expect(decision).not.toHaveProperty('sessionUpdate');
  });
});
