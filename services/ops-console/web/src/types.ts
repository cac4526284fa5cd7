// The console is typed by the routes' own types and the contract: one definition, no copies.
export type { CommandAction, CommandRecord } from '@evcharge/domain';

import type { EntityOf, entities } from '@evcharge/dynamo';

/** One operator action of the audit log (the table's OperatorAudit entity). */
export type AuditEntry = EntityOf<typeof entities.operatorAudit>;
export type { DeadLetterSummary, RedriveReport } from '@evcharge/operations';
export type {
  AlertRow,
  ChargerRow,
  ConnectorRow,
  EnergyHours,
  FleetView,
  ReadingPoint,
  SessionRow,
} from '../../src/rules.js';
export type { SessionDetail } from '../../src/sessions.js';
