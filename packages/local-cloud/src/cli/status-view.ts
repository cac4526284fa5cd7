import type { FleetStats } from '@evcharge/simulator';
import type { LocalCloudStats } from '../cloud.js';
import type { BackendView } from './backend-view.js';

export interface StatusInput {
  elapsedS: number;
  cloud: LocalCloudStats;
  backend: BackendView | undefined;
  fleet: FleetStats | undefined;
  recentLog: string[];
}

const sum = (counts: Record<string, number>) =>
  Object.values(counts).reduce((total, count) => total + count, 0);

/** The live status block (also the final summary). */
export function renderStatus(input: StatusInput): string[] {
  const { cloud, backend, fleet } = input;
  const lines = [`local cloud — ${input.elapsedS.toFixed(0)} s`];
  if (backend) {
    lines.push(
      `  chargers   online ${backend.chargersOnline}   offline ${backend.chargersOffline}   (MQTT connections ${cloud.connectedClients})`,
      `  sessions   active ${backend.sessionsActive}   completed ${backend.sessionsCompleted}   energy ${(backend.energyWh / 1000).toFixed(2)} kWh`,
    );
  }
  if (fleet) {
    lines.push(
      `  simulator  sessions started ${fleet.sessionsStarted} completed ${fleet.sessionsCompleted}   offline episodes ${fleet.offlineEpisodes}   bad inputs sent ${fleet.badInputsSent}   errors ${fleet.errors}`,
    );
    const { v2, ocpp } = fleet.protocols;
    if (v2 + ocpp > 0) {
      // OCPP chargers run the v2 charger's session logic: these counts cover both.
      const { transactions, remoteRequests } = fleet;
      const commands = sum(fleet.commands);
      lines.push(
        `  v2+ocpp (${v2 + ocpp} of ${fleet.chargers})  transactions ${transactions.started} (refused ${transactions.refused})   faults ${fleet.faults}   remote ${remoteRequests.accepted}/${remoteRequests.accepted + remoteRequests.rejected} accepted   commands ${commands}   expired dropped ${fleet.expiredDropped}`,
      );
    }
    if (ocpp > 0) {
      lines.push(
        `  ocpp (${ocpp} of ${fleet.chargers})  calls sent ${sum(fleet.ocpp.callsSent)}   calls received ${sum(fleet.ocpp.callsReceived)}   call errors ${fleet.ocpp.callErrors}`,
      );
    }
  }
  const topics = Object.entries(cloud.messagesByTopic)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([topic, count]) => `${topic} ${count}`);
  // Two topics per line keeps the block narrow enough to redraw in place.
  if (topics.length === 0) lines.push('  messages   none yet');
  for (let index = 0; index < topics.length; index += 2) {
    lines.push(`  ${index === 0 ? 'messages' : '        '}   ${topics.slice(index, index + 2).join('   ')}`);
  }
  lines.push(
    `  lambda     invocations ${cloud.invocations}   errors ${cloud.errors}   rule errors ${cloud.ruleErrors}   stream records ${cloud.streamRecords}   http ${cloud.httpRequests}`,
    `  out        notifications ${cloud.notifications}   dead letters ${cloud.deadLetters}   refused (conn/pub/sub) ${cloud.refused.connections}/${cloud.refused.publishes}/${cloud.refused.subscribes}`,
  );
  if (input.recentLog.length > 0)
    lines.push('  recent:', ...input.recentLog.map((line) => `    ${line.slice(0, 160)}`));
  return lines;
}
