import { BadInputError, heartbeatEventSchema, SpoofError } from '@evcharge/domain';
import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import { parseEvent, refuseSpoof } from '../../src/index.js';
import { heartbeatEvent } from '../helpers/factories.js';
import { lambdaContext } from '../helpers/logger.js';

const context = lambdaContext();

describe('refuseSpoof', () => {
  const handler = middy((event: unknown) => event).use(refuseSpoof());

  it('passes an event whose client id is the topic charger', async () => {
    const event = heartbeatEvent();
    await expect(handler(event, context)).resolves.toBe(event);
  });

  it('refuses an event published by another client', async () => {
    const error = await handler(heartbeatEvent({ clientId: 'CP-2' }), context).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SpoofError);
    expect(error).toMatchObject({ errorClass: 'spoof', field: 'clientId' });
    expect((error as SpoofError).reason).toContain('"CP-2"');
    expect((error as SpoofError).reason).toContain('"CP-1"');
  });

  it('is case-sensitive, like MQTT client ids', async () => {
    await expect(handler(heartbeatEvent({ clientId: 'cp-1' }), context)).rejects.toBeInstanceOf(SpoofError);
  });

  it.each([
    ['without a clientId', heartbeatEvent({ clientId: undefined })],
    ['without a chargerId (a lifecycle event)', { clientId: 'CP-1', eventType: 'connected' }],
    ['that is not an object', 'plain text'],
    ['that is null', null],
  ])('leaves an event %s to the schema', async (_description, event) => {
    await expect(handler(event, context)).resolves.toBe(event);
  });
});

describe('parseEvent', () => {
  const handler = middy((event: unknown) => event).use(parseEvent({ schema: heartbeatEventSchema }));

  it('hands the handler the parsed event', async () => {
    const event = heartbeatEvent();
    await expect(handler(event, context)).resolves.toEqual(event);
  });

  it.each([
    ['a bad field', heartbeatEvent({ intervalS: 5 }), 'intervalS'],
    ['a missing field', heartbeatEvent({ at: undefined }), 'at'],
    ['an unknown field', heartbeatEvent({ voltage: 230 }), 'voltage'],
    ['a missing envelope field', heartbeatEvent({ receivedAt: undefined }), 'receivedAt'],
    ['a non-object', 'heartbeat', '(payload)'],
  ])('refuses %s, naming the field', async (_description, event, field) => {
    const error = await handler(event, context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadInputError);
    expect(error).toMatchObject({ errorClass: 'bad-input', field });
  });
});
