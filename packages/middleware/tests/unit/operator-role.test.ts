import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logger.js';
import { groupsOf, operatorRoute } from '../../src/operator-role.js';
import { httpEvent } from '../helpers/factories.js';
import { lambdaContext } from '../helpers/logger.js';

// The operator role every operator route checks (the ops console's, metering's operator remote stop).

describe('groupsOf', () => {
  it.each([
    ['[operators]', ['operators']],
    ['[admins operators]', ['admins', 'operators']],
    ['operators,admins', ['operators', 'admins']],
    [['operators'], ['operators']],
    [undefined, []],
    ['', []],
  ])('reads %p (API Gateway hands an array claim over as one string)', (claim, groups) => {
    expect(groupsOf(claim)).toEqual(groups);
  });
});

describe('operatorRoute', () => {
  const route = operatorRoute(createLogger('test'), async (_event, operatorId) => ({
    statusCode: 200,
    body: operatorId,
  }));
  const withClaims = (claims: Record<string, unknown>) => {
    const event = httpEvent();
    event.requestContext.authorizer.jwt.claims = claims as Record<string, string>;
    return event;
  };
  const context = lambdaContext();

  it('runs the route for a member of operators, with the subject as the operator', async () => {
    const result = await route(withClaims({ sub: 'olga', 'cognito:groups': '[operators]' }), context);
    expect(result).toMatchObject({ statusCode: 200, body: 'olga' });
  });

  it('is 403 for a signed-in user outside the group, and 401 without a subject', async () => {
    expect(await route(withClaims({ sub: 'dan', 'cognito:groups': '[drivers]' }), context)).toMatchObject({
      statusCode: 403,
    });
    expect(await route(withClaims({}), context)).toMatchObject({ statusCode: 401 });
  });
});
