import { createRPCError } from 'ocpp-rpc';

// The gateway's failures, mapped to OCPP CALLERRORs at one edge (answerCall in charger-session.ts).

/** The cloud did not take the message, or did not answer, within the configured time. */
export class CloudUnavailableError extends Error {
  override readonly name = 'CloudUnavailableError';
}

/** The OCPP payload is valid OCPP but cannot be a contract message (e.g. StartTransaction on connector 0). */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** What a charger is answered for an error thrown while handling its CALL. */
export function callErrorFor(error: unknown): Error {
  if (error instanceof ContractViolationError)
    return createRPCError('PropertyConstraintViolation', error.message, { field: error.field }) as Error;
  if (error instanceof CloudUnavailableError)
    return createRPCError('InternalError', error.message, {}) as Error;
  if (error instanceof Error && 'rpcErrorCode' in error) return error;
  return createRPCError('InternalError', 'the gateway could not handle the call', {}) as Error;
}
