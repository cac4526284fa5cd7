import { describe, expect, it } from '@jest/globals';
import { createLambdaContext } from '../../src/testing.js';

describe('createLambdaContext', () => {
  it("counts its remaining time down from the function's timeout, as Lambda does, never below 0", async () => {
    const context = createLambdaContext('fn', {}, 200);
    const first = context.getRemainingTimeInMillis();
    expect(first).toBeLessThanOrEqual(200);
    expect(first).toBeGreaterThan(100);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(context.getRemainingTimeInMillis()).toBe(0);
  });
});
