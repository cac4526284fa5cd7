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
    if (fleet.protocols.v2 > 0) {
      const { transactions, remoteRequests } = fleet;
      const commands = Object.values(fleet.commands).reduce((sum, count) => sum + count, 0);
      lines.push(
        `  v2 (${fleet.protocols.v2} of ${fleet.chargers})  transactions ${transactions.started} (refused ${transactions.refused})   faults ${fleet.faults}   remote ${remoteRequests.accepted}/${remoteRequests.accepted + remoteRequests.rejected} accepted   commands ${commands}   expired dropped ${fleet.expiredDropped}`,
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
