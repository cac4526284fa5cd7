import { useState } from 'preact/hooks';
import { ApiError, getJson, postJson } from './api';
import { Confirm } from './confirm';
import { ago, kWh, time } from './format';
import type { ChargerRow, CommandAction, CommandRecord, SessionDetail } from './types';

interface PlannedAction {
  label: string;
  describe: string;
  run: () => Promise<string>;
}

const POLL_MS = 500;

/** Sends a command the CLI's way (POST → pending Command item) and waits for the charger's answer. */
async function runCommand(
  chargerId: string,
  action: CommandAction,
  payload: Record<string, unknown>,
  timeoutS = 30,
): Promise<CommandRecord> {
  const sent = await postJson<CommandRecord>(`chargers/${encodeURIComponent(chargerId)}/commands`, {
    action,
    payload,
    timeoutS,
  });
  for (;;) {
    const command = await getJson<CommandRecord>(
      `chargers/${encodeURIComponent(chargerId)}/commands/${sent.requestId}`,
    );
    if (command.state !== 'pending') return command;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function describeOutcome(command: CommandRecord): string {
  if (command.state === 'answered')
    return `${command.chargerId} answered ${command.action}: ${command.answerStatus}`;
  if (command.state === 'timedOut')
    return `No answer from ${command.chargerId} to ${command.action} in time (timed out)`;
  return `${command.action} failed: ${command.failure ?? 'not sent'}`;
}

/** A trigger of MeterValues: after the answer, the newest reading of the connector's session. */
async function triggerReading(charger: ChargerRow, connectorId: number, startedAt: number): Promise<string> {
  const command = await runCommand(charger.chargerId, 'TriggerMessage', {
    requestedMessage: 'MeterValues',
    connectorId,
  });
  const outcome = describeOutcome(command);
  const sessionId = charger.connectors.find(
    (connector) => connector.connectorId === connectorId,
  )?.activeSessionId;
  if (command.state !== 'answered' || command.answerStatus !== 'Accepted' || !sessionId) return outcome;
  for (let attempt = 0; attempt < 20; attempt++) {
    const detail = await getJson<SessionDetail>(`sessions/${sessionId}`);
    const latest = detail.readings.at(-1);
    if (latest && Date.parse(latest.at) >= startedAt - 1000 && latest.registerWh !== undefined) {
      return `${outcome}. New reading: ${kWh(latest.registerWh)} register at ${time(latest.at)} (session ${kWh(detail.session.energyWh)})`;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return `${outcome}. No new reading yet.`;
}

export function ChargerPanel({
  charger,
  now,
  onClose,
}: {
  charger: ChargerRow;
  now: number;
  onClose: () => void;
}) {
  const connectorIds = charger.connectors.map((connector) => connector.connectorId);
  const [connectorId, setConnectorId] = useState(connectorIds[0] ?? 1);
  const [pending, setPending] = useState<PlannedAction | undefined>();
  const [outcome, setOutcome] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const id = charger.chargerId;
  const command = (
    label: string,
    describe: string,
    action: CommandAction,
    payload: Record<string, unknown>,
  ) =>
    setPending({ label, describe, run: async () => describeOutcome(await runCommand(id, action, payload)) });

  // The OCPP commands, each as the CLI's `npm run chargers -- reset|unlock|availability` sends it.
  const commandButtons: {
    label: string;
    question: string;
    action: CommandAction;
    payload: Record<string, unknown>;
    danger?: boolean;
  }[] = [
    {
      label: 'Unlock connector',
      question: `Unlock connector ${connectorId} of ${id}?`,
      action: 'UnlockConnector',
      payload: { connectorId },
    },
    {
      label: 'Set inoperative',
      question: `Make connector ${connectorId} of ${id} inoperative?`,
      action: 'ChangeAvailability',
      payload: { connectorId, type: 'Inoperative' },
    },
    {
      label: 'Set operative',
      question: `Make connector ${connectorId} of ${id} operative?`,
      action: 'ChangeAvailability',
      payload: { connectorId, type: 'Operative' },
    },
    {
      label: 'Soft reset',
      question: `Soft-reset ${id}? Running sessions stop.`,
      action: 'Reset',
      payload: { type: 'Soft' },
    },
    {
      label: 'Hard reset',
      question: `Hard-reset ${id}? It reboots at once.`,
      action: 'Reset',
      payload: { type: 'Hard' },
      danger: true,
    },
  ];

  const confirm = async () => {
    const planned = pending;
    setPending(undefined);
    if (!planned) return;
    setBusy(true);
    setOutcome(`${planned.label}: sent, waiting for ${id}…`);
    try {
      setOutcome(await planned.run());
    } catch (error) {
      setOutcome(
        `${planned.label} refused: ${error instanceof ApiError ? `${error.status} ${error.message}` : String(error)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="charger-title">
      <header class="panel-header">
        <h2 id="charger-title">{id}</h2>
        <button type="button" onClick={onClose} aria-label="Close charger details">
          ✕
        </button>
      </header>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <span class={`badge ${charger.status}`}>{charger.status}</span>
          {charger.registrationStatus === 'Pending' && (
            <span class="badge pending">pending commissioning</span>
          )}
        </dd>
        <dt>Last sign of life</dt>
        <dd>{ago(charger.lastSeenAt, now)}</dd>
        <dt>Vendor / model</dt>
        <dd>
          {charger.vendor ?? '—'} / {charger.model ?? '—'}
        </dd>
        <dt>Firmware</dt>
        <dd>{charger.firmware ?? '—'}</dd>
        <dt>Site</dt>
        <dd>{charger.site ?? '—'}</dd>
      </dl>
      <h3>Connectors</h3>
      <ul class="connectors">
        {charger.connectors.map((connector) => (
          <li key={connector.connectorId}>
            #{connector.connectorId} <span class={`badge ${connector.status}`}>{connector.status}</span>
            {connector.errorCode && <span class="error-code"> {connector.errorCode}</span>}
            {connector.activeSessionId && <span> · session {connector.activeSessionId.slice(0, 8)}</span>}
          </li>
        ))}
      </ul>
      <h3>Actions</h3>
      <div class="actions">
        <label>
          Connector{' '}
          <select value={connectorId} onChange={(event) => setConnectorId(Number(event.currentTarget.value))}>
            {connectorIds.map((connector) => (
              <option key={connector} value={connector}>
                {connector}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            setPending({
              label: 'Trigger meter reading',
              describe: `Ask ${id} for a meter reading on connector ${connectorId} now (OCPP TriggerMessage MeterValues)?`,
              run: () => triggerReading(charger, connectorId, Date.now()),
            })
          }
        >
          Trigger meter reading
        </button>
        {commandButtons.map((button) => (
          <button
            key={button.label}
            type="button"
            disabled={busy}
            {...(button.danger ? { class: 'danger' } : {})}
            onClick={() => command(button.label, button.question, button.action, button.payload)}
          >
            {button.label}
          </button>
        ))}
        {charger.registrationStatus === 'Pending' && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              setPending({
                label: 'Commission',
                describe: `Commission ${id}? Its next BootNotification is answered Accepted.`,
                run: async () => {
                  const result = await postJson<{ alreadyAccepted: boolean }>(
                    `chargers/${encodeURIComponent(id)}/commission`,
                  );
                  return result.alreadyAccepted ? `${id} was already accepted` : `${id} commissioned`;
                },
              })
            }
          >
            Commission
          </button>
        )}
      </div>
      <p class="outcome" role="status" aria-live="polite">
        {outcome}
      </p>
      {pending && (
        <Confirm
          title={pending.label}
          confirmLabel={pending.label}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(undefined)}
        >
          <p>{pending.describe}</p>
        </Confirm>
      )}
    </section>
  );
}
