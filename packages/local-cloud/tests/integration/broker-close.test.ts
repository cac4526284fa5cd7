import { expect, it } from '@jest/globals';
import { startBroker } from '../../src/broker/broker.js';

// Regression: after close, a late publish (the presence-disconnected event of a client the close dropped)
// reached aedes' closed emitter, which throws "mqemitter is closed" and crashed the process on stop().
it('discards publishes that arrive after the broker closed instead of throwing', async () => {
  const broker = await startBroker({
    port: 0,
    verifyCharger: async () => false,
    onMessage: () => undefined,
    log: () => undefined,
  });
  await broker.publish('chargers/X/auth/response', '{}');
  await broker.close();
  await expect(broker.publish('$aws/events/presence/disconnected/X', '{}')).resolves.toBeUndefined();
});
