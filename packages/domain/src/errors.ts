// Typed errors. Services throw them; one middleware edge maps them to outcomes (log, dead-letter, retry, HTTP).

export type ErrorClass = 'bad-input' | 'spoof' | 'transient' | 'bug';

/**
 * What is kept of a message that can never succeed: enough to understand it and redrive it after a fix.
 * The middleware writes it; `pnpm redrive` reads it and writes it back with its history.
 */
export interface DeadLetter {
  functionName: string;
  errorClass: ErrorClass;
  field?: string;
  reason: string;
  payload: unknown;
  attempts: number;
  firstFailureAt: string;
  lastFailureAt: string;
}

/** A dead letter as a queue message: the letter as JSON, its class and function as filterable attributes. */
export function deadLetterMessage(letter: DeadLetter) {
  return {
    MessageBody: JSON.stringify(letter),
    MessageAttributes: {
      errorClass: { DataType: 'String', StringValue: letter.errorClass },
      functionName: { DataType: 'String', StringValue: letter.functionName },
    },
  };
}

/** The message can never succeed as sent: dead-letter it once, never retry. */
export class BadInputError extends Error {
  override readonly name: string = 'BadInputError';
  readonly errorClass: ErrorClass = 'bad-input';
  constructor(
    /** Dotted path of the offending field, or '(payload)' for the message as a whole. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The payload's topic and the MQTT client id disagree: somebody is publishing as another charger. */
export class SpoofError extends BadInputError {
  override readonly name = 'SpoofError';
  override readonly errorClass: ErrorClass = 'spoof';
  constructor(topicChargerId: string, clientId: string) {
    super('clientId', `client "${clientId}" published on the topic of charger "${topicChargerId}"`);
  }
}

/** A dependency failed in a way that a retry may fix (throttling, timeouts). */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  readonly errorClass: ErrorClass = 'transient';
}

/** A user asked for something that does not exist or is not theirs: both answer the same 404. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The request conflicts with the current state (e.g. a meter request for a finished session). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

export function errorClassOf(error: unknown): ErrorClass {
  if (error instanceof BadInputError || error instanceof TransientError) return error.errorClass;
  return 'bug';
}
