import { hashCredential } from '@evcharge/local-identity';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Gateway, startGateway } from '../../src/gateway.js';
import { credentialsOf, FakeCloud } from '../helpers/fake-cloud.js';
import { type FrameFor, type HostileFrame, hostileFrame, overLimitFrame } from '../helpers/hostile-frames.js';
import { type Frame, OcppTestCharger } from '../helpers/ocpp-client.js';

// At least 1,000 generated hostile frames (tests/helpers/hostile-frames.ts, written from the OCPP-J 1.6
// specification) from one charger, while a well-behaved neighbour keeps working on the same gateway: each frame
// gets the CALLERROR the specification names or is dropped as it says, nothing crashes, nothing reaches the cloud
// but what valid CALLs carry, and the neighbour never notices.
const password = 'hostile-frames-authorization-key';
let gateway: Gateway;
let cloud: FakeCloud;
let neighbour: OcppTestCharger;
let neighbourClosed = false;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let framesSent = 0;
let run = 0;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  const hash = await hashCredential(password);
  cloud = new FakeCloud();
  gateway = await startGateway({
    port: 0,
    credentials: credentialsOf({ 'CP-HOSTILE': hash, 'CP-NEIGHBOUR': hash }),
    upstream: cloud,
    cloudAnswerTimeoutMs: 2_000,
  });
  neighbour = await OcppTestCharger.connect(gateway.urlFor('CP-NEIGHBOUR'), {
    username: 'CP-NEIGHBOUR',
    password,
  });
  neighbour.socket.once('close', () => {
    neighbourClosed = true;
  });
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await neighbour?.close();
  await gateway?.close();
});

const repliesWith = (frames: Frame[], uniqueId: string) =>
  frames.filter((frame) => (frame[0] === 3 || frame[0] === 4) && frame[1] === uniqueId);

/** Sends the frames on a fresh connection and checks what came back for each, and what reached the cloud. */
async function sendAndCheck(framesFor: FrameFor[], overLimit: boolean): Promise<void> {
  run += 1;
  const hostile = await OcppTestCharger.connect(gateway.urlFor('CP-HOSTILE'), {
    username: 'CP-HOSTILE',
    password,
  });
  const closeCode = new Promise<number>((resolve) => hostile.socket.once('close', (code) => resolve(code)));
  cloud.published.splice(0);
  const frames: (HostileFrame & { uniqueId: string })[] = framesFor.map((frameFor, index) => {
    const uniqueId = `r${run}-f${index}`;
    return { ...frameFor(uniqueId), uniqueId };
  });
  for (const frame of frames) hostile.sendRaw(frame.text);
  framesSent += frames.length;

  if (overLimit) {
    const last = overLimitFrame(`r${run}-over`);
    hostile.sendRaw(last.text);
    framesSent += 1;
    expect(await closeCode).toBe(1009);
  } else {
    // A Heartbeat after them all: answered, so the connection survived every frame before it.
    const sentinel = await hostile.call('Heartbeat', {}, `r${run}-sentinel`);
    expect(sentinel[0]).toBe(3);
    const answered = frames.filter(
      (frame) => frame.expected.reply === 'error' || frame.expected.reply === 'result',
    );
    await hostile
      .next(() => answered.every((frame) => repliesWith(hostile.received, frame.uniqueId).length > 0), 5_000)
      .catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const frame of frames) {
      const replies = repliesWith(hostile.received, frame.uniqueId);
      const context = `${frame.label}: ${frame.text.slice(0, 200)} → ${JSON.stringify(replies).slice(0, 200)}`;
      switch (frame.expected.reply) {
        case 'error':
          expect([context, replies.length, replies[0]?.[0]]).toEqual([context, 1, 4]);
          expect([context, frame.expected.codes.includes(replies[0]?.[2] as string)]).toEqual([
            context,
            true,
          ]);
          break;
        case 'result':
          expect([context, replies.length, replies[0]?.[0]]).toEqual([context, 1, 3]);
          break;
        default:
          // Dropped, or (no unique id to echo) a FormationViolation addressed to no CALL.
          expect([context, replies.length]).toEqual([context, 0]);
      }
    }
    const unaddressed = hostile.received.filter(
      (frame) =>
        frame[0] === 4 &&
        !frames.some((sent) => sent.uniqueId === frame[1]) &&
        frame[1] !== `r${run}-sentinel`,
    );
    for (const reply of unaddressed) expect([reply[1], reply[2]]).toEqual(['-1', 'FormationViolation']);
    expect(unaddressed.length).toBeLessThanOrEqual(
      frames.filter((frame) => frame.expected.reply === 'unaddressed').length,
    );
    await hostile.close();
  }

  // What reached the cloud: exactly the contract messages the valid CALLs carry, nothing of the rest.
  const expectedKinds = frames
    .flatMap((frame) =>
      frame.expected.reply === 'result' && frame.expected.publishes ? [frame.expected.publishes] : [],
    )
    .concat(overLimit ? [] : ['heartbeat'])
    .sort();
  if (!overLimit) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(
      cloud.published
        .filter((message) => message.chargerId === 'CP-HOSTILE')
        .map((message) => message.kind)
        .sort(),
    ).toEqual(expectedKinds);
  }

  // The neighbour noticed nothing.
  expect((await neighbour.call('Heartbeat', {}))[0]).toBe(3);
  expect(
    (
      await neighbour.call('StatusNotification', {
        connectorId: 1,
        errorCode: 'NoError',
        status: 'Available',
      })
    )[0],
  ).toBe(3);
  expect(neighbourClosed).toBe(false);
  expect(gateway.connectedChargers()).toContain('CP-NEIGHBOUR');
}

describe('hostile OCPP-J frames', () => {
  it('1,000+ generated frames: the CALLERROR the specification names, or dropped; 0 crashes; the neighbour unaffected', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileFrame, { minLength: 17, maxLength: 30 }),
        // One run in ten ends with a frame over the limit.
        fc.integer({ min: 0, max: 9 }).map((draw) => draw === 0),
        sendAndCheck,
      ),
      { numRuns: 60, endOnFailure: true },
    );
    expect(framesSent).toBeGreaterThanOrEqual(1_000);
    expect(unhandled).toEqual([]);
    expect(gateway.connectedChargers()).toEqual(['CP-NEIGHBOUR']);
  }, 120_000);
});
