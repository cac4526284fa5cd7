import type { SQSClient } from '@aws-sdk/client-sqs';
import { BadInputError } from '@evcharge/domain';
import type { TableContext } from '@evcharge/dynamo';
import { audited } from '@evcharge/dynamo';
import { type Invoke, type RedriveReport, redrive } from '@evcharge/operations';

// Dead letters from the console: listed as `npm run redrive -- --dry-run` sees them, and the selected ones
// replayed by the same `redrive` the CLI runs (the function's own payload, its history kept on a failure).

export interface RedriveDeps {
  table: TableContext;
  sqs: SQSClient;
  invoke: () => Promise<Invoke>;
  services: string[];
  stage: string;
  now: () => Date;
}

const MAX_SELECTED = 100;

export interface SelectedLetter {
  queue: string;
  messageId: string;
}

/** `{letters: [{queue, messageId}]}`: letters of the listed services' dead-letter queues; 400 otherwise. */
export function selectedLettersOf(
  body: Record<string, unknown>,
  services: string[],
  stage: string,
): SelectedLetter[] {
  const queues = new Set(services.map((service) => deadLetterQueueOf(service, stage)));
  const { letters } = body;
  if (
    !Array.isArray(letters) ||
    letters.length === 0 ||
    letters.length > MAX_SELECTED ||
    !letters.every(
      (letter) =>
        typeof letter === 'object' &&
        letter !== null &&
        queues.has((letter as SelectedLetter).queue) &&
        typeof (letter as SelectedLetter).messageId === 'string' &&
        /^[\w-]{1,100}$/.test((letter as SelectedLetter).messageId),
    )
  ) {
    throw new BadInputError(
      'letters',
      `must be 1 to ${MAX_SELECTED} {queue, messageId} of the services' dead-letter queues`,
    );
  }
  return letters as SelectedLetter[];
}

const deadLetterQueueOf = (service: string, stage: string) => `${service}-${stage}-dead-letters`;

/** Replays the selected letters, one service's queue at a time (`npm run redrive -- --service S`'s path). */
export async function redriveSelected(
  deps: RedriveDeps,
  operatorId: string,
  letters: SelectedLetter[],
): Promise<{ report: RedriveReport; lines: string[] }> {
  const messageIds = letters.map((letter) => letter.messageId);
  return audited(
    deps,
    { operatorId, action: 'redrive', target: messageIds.join(' ').slice(0, 500), input: { messageIds } },
    async () => {
      const lines: string[] = [];
      const total: RedriveReport = {
        examined: 0,
        replayed: 0,
        failedAgain: 0,
        kept: 0,
        skipped: 0,
        resent: 0,
      };
      const invoke = await deps.invoke();
      for (const service of deps.services) {
        const chosen = letters
          .filter((letter) => letter.queue === deadLetterQueueOf(service, deps.stage))
          .map((letter) => letter.messageId);
        if (chosen.length === 0) continue;
        const report = await redrive({
          sqs: deps.sqs,
          invoke,
          services: [service],
          stage: deps.stage,
          messageIds: chosen,
          dryRun: false,
          // Long enough for the replays of one request; the letters not chosen are released at once.
          visibilityTimeoutS: 30,
          io: { out: (line) => lines.push(line), err: (line) => lines.push(line) },
          now: deps.now,
        });
        for (const key of Object.keys(total) as (keyof RedriveReport)[]) total[key] += report[key];
      }
      return { report: total, lines };
    },
    ({ report }) =>
      `replayed ${report.replayed}, failed again ${report.failedAgain}, resent ${report.resent}, kept ${report.kept}`,
  );
}
