import { type MeterRequest, meterRequestStatuses } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import { isResolvable } from '../../src/rules.js';
import { meterRequestAnswerEffect } from '../../src/store.js';

// The store's conditional writes built from the rules, so a decision and its condition cannot drift apart.

describe('a meter request resolves only from the status the rules name', () => {
  const request: MeterRequest = {
    requestId: '3b2f9c1e-8d4a-4f6b-9e2d-1a7c5b3d9f01',
    sessionId: '7b0c1f8e-2f5a-4c1e-9a57-3f1f5d1b6a02',
    chargerId: 'CP-1',
    connectorId: 1,
    userId: 'alice',
    status: 'pending',
    requestedAt: '2026-11-25T06:20:00.000Z',
  };
  const { Update } = meterRequestAnswerEffect('ev-charging-test', {
    sessionId: request.sessionId,
    requestId: request.requestId,
    status: 'answered',
    resolvedAt: '2026-11-25T06:20:05.000Z',
    energyWh: 1000,
    costMinor: 350,
  });

  it('conditions the write on the status it decides on', () => {
    expect(Update.ConditionExpression).toBe('#status = :resolvable');
    expect(Update.ExpressionAttributeNames['#status']).toBe('status');
  });

  it.each(meterRequestStatuses)('%s: the decision and the condition agree', (status) => {
    const conditionHolds = status === Update.ExpressionAttributeValues[':resolvable'];
    expect(isResolvable({ ...request, status })).toBe(conditionHolds);
  });
});
