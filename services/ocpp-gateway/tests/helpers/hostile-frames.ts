import fc from 'fast-check';

// Hostile OCPP-J frames, written from the OCPP-J 1.6 specification (section 4: [2, id, action, payload] CALL,
// [3, id, payload] CALLRESULT, [4, id, code, description, details] CALLERROR), each with what the
// specification says the central system does with it.

export type Expected =
  /** A CALLERROR with the frame's unique id and one of these codes. */
  | { reply: 'error'; codes: string[] }
  /** No unique id to echo (not JSON, not an array, ...): at most a FormationViolation, the connection open. */
  | { reply: 'unaddressed' }
  /** Nothing at all (a CALLRESULT/CALLERROR for no CALL, an unknown message type: section 4.1.3). */
  | { reply: 'none' }
  /** A CALLRESULT, and this contract message published. */
  | { reply: 'result'; publishes?: string }
  /** Over the frame limit: the connection is closed with 1009. */
  | { reply: 'closed' };

export interface HostileFrame {
  label: string;
  text: string;
  expected: Expected;
}

/** A frame for a given unique id (so that every frame of a run has its own). */
export type FrameFor = (uniqueId: string) => HostileFrame;

/** Every OCPP 1.6 action name (Core and the other profiles), to keep them out of the "unknown" ones. */
const knownOcppActions = new Set([
  'Authorize',
  'BootNotification',
  'CancelReservation',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'DataTransfer',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetLocalListVersion',
  'Heartbeat',
  'MeterValues',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
  'CertificateSigned',
  'DeleteCertificate',
  'ExtendedTriggerMessage',
  'GetInstalledCertificateIds',
  'GetLog',
  'InstallCertificate',
  'LogStatusNotification',
  'SecurityEventNotification',
  'SignCertificate',
  'SignedFirmwareStatusNotification',
  'SignedUpdateFirmware',
]);

/** Types a frame's expectation where it is written. */
const hostile = (frame: HostileFrame): HostileFrame => frame;

const nowIso = () => new Date().toISOString();

/** Valid .req payloads of the actions a charge point sends; `optional` names the fields the PDU may leave out. */
const validCalls: Record<
  string,
  { payload: () => Record<string, unknown>; publishes?: string; optional?: string[] }
> = {
  Authorize: { payload: () => ({ idTag: 'TAG-1' }) },
  BootNotification: { payload: () => ({ chargePointVendor: 'VendorX', chargePointModel: 'Model-1' }) },
  StatusNotification: {
    payload: () => ({ connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: nowIso() }),
    publishes: 'status',
    optional: ['timestamp'],
  },
  MeterValues: {
    payload: () => ({
      connectorId: 1,
      meterValue: [{ timestamp: nowIso(), sampledValue: [{ value: '1234', unit: 'Wh' }] }],
    }),
    publishes: 'meter',
  },
  StartTransaction: {
    payload: () => ({ connectorId: 1, idTag: 'TAG-1', meterStart: 0, timestamp: nowIso() }),
  },
  StopTransaction: { payload: () => ({ transactionId: 7, meterStop: 10, timestamp: nowIso() }) },
  FirmwareStatusNotification: { payload: () => ({ status: 'Idle' }), publishes: 'firmwareStatus' },
  DiagnosticsStatusNotification: { payload: () => ({ status: 'Idle' }), publishes: 'diagnosticsStatus' },
  DataTransfer: { payload: () => ({ vendorId: 'VendorX' }) },
};
const mutableActions = Object.keys(validCalls);

/** A value of another JSON type than `value`'s. */
const wrongTypeFor = (value: unknown): fc.Arbitrary<unknown> => {
  const candidates: unknown[] = [true, null, {}, [], 'text', 42, 1.5];
  return fc.constantFrom(
    ...candidates.filter((candidate) => {
      if (typeof value === 'string') return typeof candidate !== 'string';
      if (Number.isInteger(value)) return !Number.isInteger(candidate);
      if (Array.isArray(value)) return !Array.isArray(candidate);
      if (typeof value === 'object')
        return candidate === null || typeof candidate !== 'object' || Array.isArray(candidate);
      return typeof candidate !== typeof value;
    }),
  );
};

const call = (uniqueId: string, action: unknown, payload: unknown) =>
  JSON.stringify([2, uniqueId, action, payload]);

const notJson: fc.Arbitrary<FrameFor> = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '[2,"a","Heartbeat",{}',
      '{',
      '[',
      'undefined',
      "[2,'a','Heartbeat',{}]",
      '\u0000',
      '[2,"a",]',
    ),
  )
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  })
  .map((text) => () => hostile({ label: 'not JSON', text, expected: { reply: 'unaddressed' } }));

const notAnArray: fc.Arbitrary<FrameFor> = fc
  .oneof(
    fc.jsonValue({ maxDepth: 2 }).filter((value) => !Array.isArray(value)),
    fc.constant({ 0: 2, 1: 'a' }),
  )
  .map(
    (value) => () =>
      hostile({
        label: 'not an array',
        text: JSON.stringify(value),
        expected: { reply: 'unaddressed' },
      }),
  );

/** The message type or the unique id of the wrong type: there is no unique id to answer. */
const unaddressable: fc.Arbitrary<FrameFor> = fc.oneof(
  fc.constant(
    () => hostile({ label: 'empty array', text: '[]', expected: { reply: 'unaddressed' } }) as HostileFrame,
  ),
  fc.constantFrom<unknown>('2', null, true, [2], { type: 2 }).map(
    (type) => (id: string) =>
      hostile({
        label: 'message type not a number',
        text: JSON.stringify([type, id, 'Heartbeat', {}]),
        expected: { reply: 'unaddressed' },
      }),
  ),
  fc.constantFrom<unknown>(42, null, true, {}, ['x']).map(
    (badId) => () =>
      hostile({
        label: 'unique id not a string',
        text: JSON.stringify([2, badId, 'Heartbeat', {}]),
        expected: { reply: 'unaddressed' },
      }),
  ),
);

/** OCPP-J 1.6 section 4.1.3: a message type number not in the list is ignored. */
const unknownMessageType: fc.Arbitrary<FrameFor> = fc
  .oneof(
    fc.integer({ min: -5, max: 20 }).filter((type) => type < 2 || type > 4),
    fc.constantFrom(5, 6, 99, 2.5),
  )
  .map(
    (type) => (id: string) =>
      hostile({
        label: 'unknown message type id',
        text: JSON.stringify([type, id, 'Heartbeat', {}]),
        expected: { reply: 'none' },
      }),
  );

/** A CALLRESULT or CALLERROR for a CALL the gateway never made: nothing to answer. */
const answerForNothing: fc.Arbitrary<FrameFor> = fc
  .oneof(
    fc.jsonValue({ maxDepth: 2 }).map((payload) => (id: string) => [3, id, payload]),
    fc
      .constantFrom('GenericError', 'NotImplemented', 'x')
      .map((code) => (id: string) => [4, id, code, '', {}]),
  )
  .map(
    (frameOf) => (id: string) =>
      hostile({
        label: 'an answer for no CALL',
        text: JSON.stringify(frameOf(id)),
        expected: { reply: 'none' },
      }),
  );

/** A CALL whose PDU is broken: no action string, no payload, a payload that is not an object. */
const wrongCallShape: fc.Arbitrary<FrameFor> = fc.oneof(
  fc.constant((id: string) =>
    hostile({
      label: 'CALL without an action',
      text: JSON.stringify([2, id]),
      expected: { reply: 'error', codes: ['FormationViolation'] },
    }),
  ),
  fc.constantFrom<unknown>(5, null, {}, ['Heartbeat']).map(
    (action) => (id: string) =>
      hostile({
        label: 'action not a string',
        text: JSON.stringify([2, id, action, {}]),
        expected: { reply: 'error', codes: ['FormationViolation'] },
      }),
  ),
  fc.constantFrom<unknown>(undefined, 'text', 42, null, [], true).map(
    (payload) => (id: string) =>
      hostile({
        label: 'payload not an object',
        text: payload === undefined ? JSON.stringify([2, id, 'Heartbeat']) : call(id, 'Heartbeat', payload),
        expected: { reply: 'error', codes: ['FormationViolation'] },
      }),
  ),
);

const unknownAction: fc.Arbitrary<FrameFor> = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.constantFrom(
      'heartbeat',
      'MakeCoffee',
      'Heartbeat ',
      'BootNotification.req',
      '__proto__',
      'constructor',
    ),
  )
  .filter((action) => !(action in validCalls) && action !== 'Heartbeat' && !knownOcppActions.has(action))
  .map(
    (action) => (id: string) =>
      hostile({
        label: 'unknown action',
        text: call(id, action, {}),
        expected: { reply: 'error', codes: ['NotImplemented'] },
      }),
  );

/** Known 1.6 actions a charge point does not send, with a valid payload: NotSupported. */
const notFromACharger: fc.Arbitrary<FrameFor> = fc
  .constantFrom<[string, object]>(
    ['Reset', { type: 'Soft' }],
    ['ClearCache', {}],
    ['UnlockConnector', { connectorId: 1 }],
    ['GetConfiguration', {}],
    ['RemoteStopTransaction', { transactionId: 1 }],
  )
  .map(
    ([action, payload]) =>
      (id: string) =>
        hostile({
          label: 'an action a charger does not send',
          text: call(id, action, payload),
          expected: { reply: 'error', codes: ['NotSupported'] },
        }),
  );

/** A valid payload with one required field missing, of the wrong type, or an extra field. */
const brokenPayload: fc.Arbitrary<FrameFor> = fc
  .constantFrom(...mutableActions)
  .chain((action) => {
    const sample = validCalls[action]!.payload();
    const fields = Object.keys(sample);
    const required = fields.filter((field) => !validCalls[action]!.optional?.includes(field));
    return fc.oneof(
      fc
        .constantFrom(...required)
        .map((field) => ({ action, mutation: 'missing' as const, field, value: undefined })),
      fc
        .constantFrom(...fields)
        .chain((field) =>
          wrongTypeFor(sample[field]).map((value) => ({ action, mutation: 'type' as const, field, value })),
        ),
      fc.constant({ action, mutation: 'extra' as const, field: 'notInThePdu', value: 1 }),
    );
  })
  .map(({ action, mutation, field, value }) => (id: string) => {
    const payload: Record<string, unknown> = validCalls[action]!.payload();
    if (mutation === 'missing') delete payload[field];
    else payload[field] = value;
    const codes = {
      missing: ['OccurenceConstraintViolation'],
      type: ['TypeConstraintViolation'],
      extra: ['FormationViolation'],
    }[mutation];
    return hostile({
      label: `${action}: ${field} ${mutation}`,
      text: call(id, action, payload),
      expected: { reply: 'error', codes },
    });
  });

/** Valid CALLs among the hostile ones: answered, and published once. */
const validCall: fc.Arbitrary<FrameFor> = fc
  .constantFrom(
    'Heartbeat',
    'StatusNotification',
    'MeterValues',
    'FirmwareStatusNotification',
    'DataTransfer',
  )
  .map((action) => (id: string) => {
    const payload = action === 'Heartbeat' ? {} : validCalls[action]!.payload();
    const publishes = action === 'Heartbeat' ? 'heartbeat' : validCalls[action]?.publishes;
    return hostile({
      label: `valid ${action}`,
      text: call(id, action, payload),
      expected: { reply: 'result', ...(publishes ? { publishes } : {}) },
    });
  });

/** Large but under the frame limit (a long string where a short one belongs): a violation, not a crash. */
const largeField: fc.Arbitrary<FrameFor> = fc.integer({ min: 1_000, max: 200_000 }).map(
  (length) => (id: string) =>
    hostile({
      label: 'a huge idTag',
      text: call(id, 'Authorize', { idTag: 'x'.repeat(length) }),
      expected: { reply: 'error', codes: ['PropertyConstraintViolation'] },
    }),
);

/** Over the gateway's frame limit (256 KB). */
export const overLimitFrame = (id: string): HostileFrame =>
  hostile({
    label: 'a frame over the limit',
    text: call(id, 'DataTransfer', { vendorId: 'VendorX', data: 'x'.repeat(300 * 1024) }),
    expected: { reply: 'closed' },
  });

export const hostileFrame: fc.Arbitrary<FrameFor> = fc.oneof(
  notJson,
  notAnArray,
  unaddressable,
  unknownMessageType,
  answerForNothing,
  wrongCallShape,
  unknownAction,
  notFromACharger,
  brokenPayload,
  largeField,
  validCall,
);
