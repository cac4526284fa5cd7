import { randomUUID } from 'node:crypto';
import type { SqlValue } from './ast.js';

/** What the functions can read about the message being evaluated. */
export interface MessageContext {
  topic: string;
  clientId: string;
  principal: string;
  receivedAt: number;
}

interface FunctionSignature {
  minArgs: number;
  maxArgs: number;
  evaluate: (args: SqlValue[], message: MessageContext) => SqlValue;
}

export const supportedFunctions: Record<string, FunctionSignature> = {
  topic: {
    minArgs: 0,
    maxArgs: 1,
    evaluate: ([level], message) => {
      if (level === undefined) return message.topic;
      // 1-based; an index past the end, or a non-integer, is Undefined.
      if (typeof level !== 'number' || !Number.isInteger(level) || level < 1) return undefined;
      return message.topic.split('/')[level - 1];
    },
  },
  clientid: { minArgs: 0, maxArgs: 0, evaluate: (_args, message) => message.clientId },
  principal: { minArgs: 0, maxArgs: 0, evaluate: (_args, message) => message.principal },
  timestamp: { minArgs: 0, maxArgs: 0, evaluate: (_args, message) => message.receivedAt },
  newuuid: { minArgs: 0, maxArgs: 0, evaluate: () => randomUUID() },
};
