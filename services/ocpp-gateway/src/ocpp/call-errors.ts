// The CALLERROR codes of OCPP-J 1.6 (section 4.2.3, table "Valid Error Codes"), spelled as 1.6 spells them:
// the errata (5.1, 5.2) keeps FormationViolation and OccurenceConstraintViolation ("do not fix").

export const ocpp16ErrorCodes = [
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
] as const;
export type Ocpp16ErrorCode = (typeof ocpp16ErrorCodes)[number];

/**
 * What ocpp-rpc may put on the wire, as the 1.6 code the specification names. The library spells the
 * occurrence code the 2.1 way for 1.6, and answers frames it cannot parse with 2.0.1-only codes.
 */
const libraryToOcpp16: Record<string, Ocpp16ErrorCode> = {
  FormatViolation: 'FormationViolation',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  // Not JSON, not an array, no string unique id: "not conform the PDU structure".
  RpcFrameworkError: 'FormationViolation',
};

export function toOcpp16ErrorCode(code: string): Ocpp16ErrorCode {
  if ((ocpp16ErrorCodes as readonly string[]).includes(code)) return code as Ocpp16ErrorCode;
  return libraryToOcpp16[code] ?? 'GenericError';
}

/** The JSON-schema keyword a payload broke, as the 1.6 code that names what is wrong. */
const keywordToOcpp16: Record<string, Ocpp16ErrorCode> = {
  required: 'OccurenceConstraintViolation',
  minItems: 'OccurenceConstraintViolation',
  maxItems: 'OccurenceConstraintViolation',
  type: 'TypeConstraintViolation',
  // A date-time that is not one is a wrong type of value (OCPP's dateTime), not a wrong structure.
  format: 'TypeConstraintViolation',
  enum: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  // A field the PDU does not have: the payload does not conform to the PDU structure.
  additionalProperties: 'FormationViolation',
};

export function errorCodeForSchemaKeyword(keyword: string): Ocpp16ErrorCode {
  return keywordToOcpp16[keyword] ?? 'FormationViolation';
}

export type OutboundFrameDecision = { send: string } | { drop: string };

/**
 * The one place every frame the library writes passes: CALLERROR codes become 1.6 codes, and a CALLERROR for
 * a unique id whose CALL is still being handled is dropped (a second reply to one CALL).
 */
export function rewriteOutboundFrame(
  frame: string,
  isInFlight: (uniqueId: string) => boolean,
): OutboundFrameDecision {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return { send: frame };
  }
  if (!Array.isArray(parsed) || parsed[0] !== 4 || typeof parsed[2] !== 'string') return { send: frame };
  const [, uniqueId, code, description, details] = parsed as [number, unknown, string, unknown, unknown];
  if (code === 'RpcFrameworkError' && typeof uniqueId === 'string' && isInFlight(uniqueId)) {
    return { drop: `a second CALL with unique id ${uniqueId} while the first is handled` };
  }
  // OCPP-J 1.6 section 4.1.3: a message type number not in the list (2, 3, 4) is ignored, not answered.
  if (code === 'MessageTypeNotSupported') return { drop: 'a message type the specification says to ignore' };
  const ocppCode = toOcpp16ErrorCode(code);
  if (ocppCode === code) return { send: frame };
  return { send: JSON.stringify([4, uniqueId, ocppCode, description, details ?? {}]) };
}
