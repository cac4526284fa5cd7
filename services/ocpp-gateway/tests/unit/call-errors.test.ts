import { describe, expect, it } from '@jest/globals';
import { dispositionOf } from '../../src/ocpp/actions.js';
import {
  errorCodeForSchemaKeyword,
  rewriteOutboundFrame,
  toOcpp16ErrorCode,
} from '../../src/ocpp/call-errors.js';

describe('OCPP 1.6 CALLERROR codes', () => {
  it('respells what ocpp-rpc sends as the 1.6 codes (errata 5.1/5.2 keep the 1.6 spellings)', () => {
    expect(toOcpp16ErrorCode('OccurrenceConstraintViolation')).toBe('OccurenceConstraintViolation');
    expect(toOcpp16ErrorCode('FormatViolation')).toBe('FormationViolation');
    expect(toOcpp16ErrorCode('RpcFrameworkError')).toBe('FormationViolation');
    expect(toOcpp16ErrorCode('NotImplemented')).toBe('NotImplemented');
    expect(toOcpp16ErrorCode('SomethingElse')).toBe('GenericError');
  });

  it('names the broken schema keyword', () => {
    expect(errorCodeForSchemaKeyword('required')).toBe('OccurenceConstraintViolation');
    expect(errorCodeForSchemaKeyword('type')).toBe('TypeConstraintViolation');
    expect(errorCodeForSchemaKeyword('enum')).toBe('PropertyConstraintViolation');
    expect(errorCodeForSchemaKeyword('maxLength')).toBe('PropertyConstraintViolation');
    expect(errorCodeForSchemaKeyword('additionalProperties')).toBe('FormationViolation');
  });

  it('rewrites CALLERROR frames only, and drops a second reply to a CALL still in flight', () => {
    const inFlight = (id: string) => id === 'busy';
    expect(rewriteOutboundFrame('[3,"a",{}]', inFlight)).toEqual({ send: '[3,"a",{}]' });
    expect(rewriteOutboundFrame('[4,"a","OccurrenceConstraintViolation","x",{}]', inFlight)).toEqual({
      send: '[4,"a","OccurenceConstraintViolation","x",{}]',
    });
    expect(
      rewriteOutboundFrame('[4,"busy","RpcFrameworkError","Already processing",{}]', inFlight),
    ).toHaveProperty('drop');
    expect(
      rewriteOutboundFrame('[4,"-1","RpcFrameworkError","Message must be an array",{}]', inFlight),
    ).toEqual({
      send: '[4,"-1","FormationViolation","Message must be an array",{}]',
    });
    // OCPP-J 1.6 section 4.1.3: an unknown message type number is ignored.
    expect(
      rewriteOutboundFrame('[4,"a","MessageTypeNotSupported","Unrecognised message type",{}]', inFlight),
    ).toHaveProperty('drop');
  });

  it('tells unknown actions from known ones the gateway does not take', () => {
    expect(dispositionOf('Heartbeat')).toBe('handled');
    expect(dispositionOf('Reset')).toBe('NotSupported');
    expect(dispositionOf('SignCertificate')).toBe('NotSupported');
    expect(dispositionOf('MakeCoffee')).toBe('NotImplemented');
  });
});
