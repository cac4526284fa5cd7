import { hashCredential } from '@evcharge/local-identity';
import { describe, expect, it } from '@jest/globals';
import {
  basicCredentials,
  chargerIdFromPath,
  decideHandshake,
  offersSubprotocol,
} from '../../src/handshake.js';
import { credentialsOf } from '../helpers/fake-cloud.js';

const auth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the OCPP-J handshake decision', () => {
  it('reads the charger id from /ocpp/{chargerId} only', () => {
    expect(chargerIdFromPath('/ocpp/CP-1')).toBe('CP-1');
    expect(chargerIdFromPath('/ocpp/CP%2D1?x=1')).toBe('CP-1');
    expect(chargerIdFromPath('/ocpp/a/b')).toBeUndefined();
    expect(chargerIdFromPath('/elsewhere/CP-1')).toBeUndefined();
    expect(chargerIdFromPath('/ocpp/%E0%A4%A')).toBeUndefined();
  });

  it('parses HTTP Basic, a colon allowed in the password', () => {
    expect(basicCredentials(auth('CP-1', 'a:b'))).toEqual({ username: 'CP-1', password: 'a:b' });
    expect(basicCredentials('Bearer x')).toBeUndefined();
    expect(basicCredentials(undefined)).toBeUndefined();
  });

  it('finds ocpp1.6 among the offered subprotocols', () => {
    expect(offersSubprotocol('ocpp2.0.1, ocpp1.6', 'ocpp1.6')).toBe(true);
    expect(offersSubprotocol('ocpp1.5', 'ocpp1.6')).toBe(false);
    expect(offersSubprotocol(undefined, 'ocpp1.6')).toBe(false);
  });

  it('404 unknown, 401 bad, accepted with or without the subprotocol', async () => {
    const lookup = credentialsOf({ 'CP-1': await hashCredential('key'), 'CP-2': undefined });
    const headers = { authorization: auth('CP-1', 'key'), 'sec-websocket-protocol': 'ocpp1.6' };
    expect(await decideHandshake({ url: '/ocpp/CP-9', headers }, lookup)).toMatchObject({
      accept: false,
      status: 404,
    });
    expect(await decideHandshake({ url: '/ocpp/CP-1', headers: {} }, lookup)).toMatchObject({ status: 401 });
    expect(
      await decideHandshake({ url: '/ocpp/CP-1', headers: { authorization: auth('CP-1', 'nope') } }, lookup),
    ).toMatchObject({ status: 401 });
    expect(
      await decideHandshake({ url: '/ocpp/CP-2', headers: { authorization: auth('CP-2', 'key') } }, lookup),
    ).toMatchObject({ status: 401 });
    expect(await decideHandshake({ url: '/ocpp/CP-1', headers }, lookup)).toEqual({
      accept: true,
      chargerId: 'CP-1',
      subprotocol: 'ocpp1.6',
    });
    expect(
      await decideHandshake({ url: '/ocpp/CP-1', headers: { authorization: headers.authorization } }, lookup),
    ).toMatchObject({ accept: true, subprotocol: false });
  });
});
