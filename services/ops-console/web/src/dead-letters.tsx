import { useState } from 'preact/hooks';
import { ApiError, postJson } from './api';
import { Confirm } from './confirm';
import { time } from './format';
import type { DeadLetterSummary, RedriveReport } from './types';

export function DeadLetters({
  letters,
  onChanged,
}: {
  letters: DeadLetterSummary[] | undefined;
  onChanged: () => void;
}) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<string[]>([]);
  const toggle = (messageId: string) => {
    const next = new Set(selected);
    if (next.has(messageId)) next.delete(messageId);
    else next.add(messageId);
    setSelected(next);
  };
  const redrive = async () => {
    setConfirming(false);
    setOutcome(['Redriving…']);
    try {
      const result = await postJson<{ report: RedriveReport; lines: string[] }>('dead-letters/redrive', {
        letters: (letters ?? [])
          .filter((letter) => selected.has(letter.messageId))
          .map(({ queue, messageId }) => ({ queue, messageId })),
      });
      setOutcome(result.lines);
      setSelected(new Set());
      onChanged();
    } catch (failure) {
      setOutcome([
        `Refused: ${failure instanceof ApiError ? `${failure.status} ${failure.message}` : String(failure)}`,
      ]);
    }
  };
  return (
    <section aria-labelledby="dead-letters-title">
      <h2 id="dead-letters-title">
        Dead letters <span class="count">{letters?.length ?? '…'}</span>
      </h2>
      <p class="hint">
        Listed like <code>npm run redrive -- --dry-run</code>: nothing is deleted; a redrive replays the
        selected letters through their function (a letter that fails again comes back with its history).
      </p>
      <div class="filters">
        <button
          type="button"
          class="primary"
          disabled={selected.size === 0}
          onClick={() => setConfirming(true)}
        >
          Redrive {selected.size} selected…
        </button>
      </div>
      <div class="outcome" role="status" aria-live="polite">
        {outcome.map((line) => (
          <div key={line}>{line}</div>
        ))}
      </div>
      {letters && letters.length === 0 && <p>No dead letters.</p>}
      {letters && letters.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Select</th>
                <th scope="col">Queue</th>
                <th scope="col">Goes back to</th>
                <th scope="col">Class</th>
                <th scope="col">Reason</th>
                <th scope="col">Attempts</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {letters.map((letter) => (
                <tr key={letter.messageId} data-message-id={letter.messageId}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select letter ${letter.messageId}`}
                      checked={selected.has(letter.messageId)}
                      disabled={letter.replay === 'keep'}
                      onChange={() => toggle(letter.messageId)}
                    />
                  </td>
                  <td>{letter.queue}</td>
                  <td>{letter.target ?? `kept (${letter.replay})`}</td>
                  <td>{letter.errorClass ?? '—'}</td>
                  <td>
                    {letter.field ? `${letter.field}: ` : ''}
                    {letter.reason}
                  </td>
                  <td>{letter.attempts ?? '—'}</td>
                  <td>{time(letter.firstFailureAt ?? letter.sentAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {confirming && (
        <Confirm
          title="Redrive dead letters"
          confirmLabel="Redrive"
          onConfirm={() => void redrive()}
          onCancel={() => setConfirming(false)}
        >
          <p>Replay {selected.size} letter(s) through their functions now?</p>
        </Confirm>
      )}
    </section>
  );
}
