import {
  type AuthStatus,
  alertSchema,
  audienceOfKind,
  authAttemptSchema,
  BadInputError,
  chargerBootSchema,
  chargerSchema,
  commandRecordSchema,
  connectorSchema,
  meterRequestSchema,
  type NotificationBody,
  type NotificationKind,
  notificationBodySchema,
  orphanTransactionStopSchema,
  parseOrThrow,
  pure,
  type RemoteRequestAction,
  remoteRejectionReasons,
  remoteRequestSchema,
  sessionSchema,
  unavailableReasons,
} from '@evcharge/domain';
import * as z from 'zod/mini';

// Committed table changes → user and operator notifications. Pure: the stream handler unmarshalls the
// images and passes them in; the result is deterministic, so a replayed change yields the same key.

/** One item's committed change, as the table stream carries it (NEW_AND_OLD_IMAGES), already unmarshalled. */
export interface ItemChange {
  /** Absent for an INSERT. */
  oldImage?: Record<string, unknown> | undefined;
  /** Absent for a REMOVE (including TTL expiry). */
  newImage?: Record<string, unknown> | undefined;
}

export interface PlannedNotification {
  /** `${kind}#${entity}#${transition time}`: the dedupe key of this state change. */
  naturalKey: string;
  body: NotificationBody;
}

export type NotificationLanguage = 'ko' | 'en';
const locales: Record<NotificationLanguage, string> = { ko: 'ko-KR', en: 'en-US' };

const activeSessionStatuses = new Set<string>(['Authorized', 'Charging']);
// The status alone decides whether a change notifies; picked from each entity's one definition.
const sessionStatusOnly = /* @__PURE__ */ pure(() => z.pick(sessionSchema, { status: true }));
// A session's entry in its user's list: written once, by the transaction that opens the session.
const sessionOpening = /* @__PURE__ */ pure(() =>
  z.pick(sessionSchema, {
    sessionId: true,
    userId: true,
    startedAt: true,
    chargerId: true,
    connectorId: true,
    remoteStartRequestId: true,
  }),
);
const chargerStatusOnly = /* @__PURE__ */ pure(() => z.pick(chargerSchema, { status: true }));
const meterRequestStatusOnly = /* @__PURE__ */ pure(() => z.pick(meterRequestSchema, { status: true }));
const connectorFaultOnly = /* @__PURE__ */ pure(() => z.pick(connectorSchema, { faulted: true }));
const remoteRequestStatusOnly = /* @__PURE__ */ pure(() => z.pick(remoteRequestSchema, { status: true }));
const bootAnswerOnly = /* @__PURE__ */ pure(() => z.pick(chargerBootSchema, { bootAnswerStatus: true }));
const commandStateOnly = /* @__PURE__ */ pure(() => z.pick(commandRecordSchema, { state: true }));
const alertStatusOnly = /* @__PURE__ */ pure(() => z.pick(alertSchema, { status: true }));

/** The one notification a committed change produces, or undefined when it is not a notified transition. */
export function notificationForChange(change: ItemChange): PlannedNotification | undefined {
  const { oldImage, newImage } = change;
  if (!newImage) return undefined;
  switch (newImage.entityType) {
    case 'UserSession':
      // An entry without its charger was written before entries announced the opening (the session's own
      // insert did): nothing to announce again.
      return oldImage || newImage.chargerId === undefined ? undefined : openingNotification(newImage);
    case 'Session':
      return completionNotification(oldImage, newImage);
    case 'AuthAttempt':
      return oldImage ? undefined : rejectionNotification(newImage);
    case 'MeterRequest':
      return meterRequestNotification(oldImage, newImage);
    case 'RemoteRequest':
      return remoteRequestNotification(oldImage, newImage);
    case 'Charger':
      return chargerNotification(oldImage, newImage);
    case 'Connector':
      return connectorNotification(oldImage, newImage);
    case 'ChargerBoot':
      return pendingNotification(oldImage, newImage);
    case 'OrphanTransactionStop':
      return oldImage ? undefined : orphanNotification(newImage);
    case 'Command':
      return commandNotification(oldImage, newImage);
    case 'Alert':
      return alertNotification(oldImage, newImage);
    default:
      return undefined;
  }
}

/**
 * A session opened: announced by its user's list entry, inserted once in the transaction that opens it (every
 * session opens Authorized or Charging). The session's own writes notify only its completion, so the stream
 * filter never passes its totals.
 */
function openingNotification(newImage: Record<string, unknown>): PlannedNotification {
  const session = parseOrThrow(sessionOpening, newImage);
  return planned('session.authorized', session.sessionId, session.startedAt, {
    at: session.startedAt,
    userId: session.userId,
    chargerId: session.chargerId,
    connectorId: session.connectorId,
    sessionId: session.sessionId,
    // The user's remote start this session answers, when it was started from the app.
    data: session.remoteStartRequestId ? { requestId: session.remoteStartRequestId } : {},
    text: notificationTexts.sessionAuthorized(session.chargerId, session.connectorId),
  });
}

/** An active session completed (Authorized or Charging → Completed). */
function completionNotification(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown>,
): PlannedNotification | undefined {
  if (!oldImage) return undefined;
  const newStatus = parseOrThrow(sessionStatusOnly, newImage).status;
  const oldStatus = parseOrThrow(sessionStatusOnly, oldImage).status;
  if (newStatus !== 'Completed' || !activeSessionStatuses.has(oldStatus)) return undefined;
  const session = parseOrThrow(sessionSchema, newImage);
  if (!session.endedAt) throw new BadInputError('endedAt', 'is required on a completed session');
  const durationS =
    session.durationS ??
    Math.max(
      0,
      Math.round(
        (Date.parse(session.endedAt) - Date.parse(session.chargingStartedAt ?? session.startedAt)) / 1000,
      ),
    );
  const data = {
    energyWh: session.energyWh,
    durationS,
    costMinor: session.costMinor,
    currency: session.currency,
    // The OCPP stop reason, when the session ended by a v2 transaction/stop (v1 unplugs carry none).
    ...(session.stopReason ? { stopReason: session.stopReason } : {}),
    // The user's remote stop, when one was still standing as the session ended.
    ...(session.remoteStopRequestId ? { requestId: session.remoteStopRequestId } : {}),
  };
  return planned('session.completed', session.sessionId, session.endedAt, {
    at: session.endedAt,
    userId: session.userId,
    chargerId: session.chargerId,
    connectorId: session.connectorId,
    sessionId: session.sessionId,
    data,
    text: notificationTexts.sessionCompleted(session.chargerId, session.connectorId, data),
  });
}

function rejectionNotification(newImage: Record<string, unknown>): PlannedNotification | undefined {
  const attempt = parseOrThrow(authAttemptSchema, newImage);
  if (attempt.status === 'Accepted' || !attempt.userId) return undefined;
  return planned('session.rejected', `${attempt.chargerId}#${attempt.requestId}`, attempt.decidedAt, {
    at: attempt.decidedAt,
    userId: attempt.userId,
    chargerId: attempt.chargerId,
    connectorId: attempt.connectorId,
    data: { status: attempt.status, ...(attempt.reason ? { reason: attempt.reason } : {}) },
    text: notificationTexts.sessionRejected(
      attempt.chargerId,
      attempt.connectorId,
      attempt.status,
      attempt.reason,
    ),
  });
}

function meterRequestNotification(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown>,
): PlannedNotification | undefined {
  if (!oldImage) return undefined;
  const oldStatus = parseOrThrow(meterRequestStatusOnly, oldImage).status;
  const newStatus = parseOrThrow(meterRequestStatusOnly, newImage).status;
  if (oldStatus !== 'pending' || newStatus === 'pending') return undefined;
  const request = parseOrThrow(meterRequestSchema, newImage);
  if (!request.resolvedAt) throw new BadInputError('resolvedAt', 'is required on a resolved meter request');
  const values: MeterValues = {
    ...(request.energyWh !== undefined ? { energyWh: request.energyWh } : {}),
    ...(request.powerW !== undefined ? { powerW: request.powerW } : {}),
    ...(request.costMinor !== undefined ? { costMinor: request.costMinor } : {}),
    ...(request.currency ? { currency: request.currency } : {}),
    ...(request.lastReadingAt ? { lastReadingAt: request.lastReadingAt } : {}),
  };
  const answered = newStatus === 'answered';
  if (answered && values.energyWh === undefined) {
    throw new BadInputError('energyWh', 'is required on an answered meter request');
  }
  const kind = answered ? 'meter.reading' : 'meter.unavailable';
  return planned(kind, `${request.sessionId}#${request.requestId}`, request.resolvedAt, {
    at: request.resolvedAt,
    userId: request.userId,
    chargerId: request.chargerId,
    connectorId: request.connectorId,
    sessionId: request.sessionId,
    data: { requestId: request.requestId, ...values },
    text: answered
      ? notificationTexts.meterReading(request.chargerId, request.connectorId, values)
      : notificationTexts.meterUnavailable(request.chargerId, request.connectorId, values),
  });
}

/**
 * A remote start/stop leaving `pending`: refused by the charger (`session.rejected`) or unanswered in time
 * (`remote.timeout`). Accepting notifies nothing by itself: the session's own notification carries the requestId.
 */
function remoteRequestNotification(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown>,
): PlannedNotification | undefined {
  if (!oldImage) return undefined;
  if (parseOrThrow(remoteRequestStatusOnly, oldImage).status !== 'pending') return undefined;
  const newStatus = parseOrThrow(remoteRequestStatusOnly, newImage).status;
  if (newStatus !== 'rejected' && newStatus !== 'timed-out') return undefined;
  const request = parseOrThrow(remoteRequestSchema, newImage);
  if (!request.resolvedAt) throw new BadInputError('resolvedAt', 'is required on a resolved remote request');
  const fields = {
    at: request.resolvedAt,
    userId: request.userId,
    chargerId: request.chargerId,
    connectorId: request.connectorId,
    ...(request.sessionId ? { sessionId: request.sessionId } : {}),
  };
  const entity = `remote#${request.chargerId}#${request.requestId}`;
  if (newStatus === 'rejected') {
    return planned('session.rejected', entity, request.resolvedAt, {
      ...fields,
      data: {
        status: 'Rejected',
        reason: remoteRejectionReasons[request.action],
        requestId: request.requestId,
      },
      text: notificationTexts.remoteRejected(request.chargerId, request.connectorId, request.action),
    });
  }
  return planned('remote.timeout', entity, request.resolvedAt, {
    ...fields,
    data: { requestId: request.requestId, action: request.action },
    text: notificationTexts.remoteTimeout(request.chargerId, request.connectorId, request.action),
  });
}

function chargerNotification(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown>,
): PlannedNotification | undefined {
  if (!oldImage) return undefined;
  const oldStatus = parseOrThrow(chargerStatusOnly, oldImage).status;
  const newStatus = parseOrThrow(chargerStatusOnly, newImage).status;
  if (oldStatus === newStatus) return undefined;
  const charger = parseOrThrow(chargerSchema, newImage);
  if (!charger.statusChangedAt) throw new BadInputError('statusChangedAt', 'is required on a status change');
  const kind = newStatus === 'online' ? 'charger.online' : 'charger.offline';
  return planned(kind, charger.chargerId, charger.statusChangedAt, {
    at: charger.statusChangedAt,
    chargerId: charger.chargerId,
    data: {},
    text:
      newStatus === 'online'
        ? notificationTexts.chargerOnline(charger.chargerId)
        : notificationTexts.chargerOffline(charger.chargerId),
  });
}

/** A v2 status raised or cleared the connector's fault (the status's device time is the transition's). */
function connectorNotification(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown>,
): PlannedNotification | undefined {
  if (!oldImage) return undefined;
  const wasFaulted = parseOrThrow(connectorFaultOnly, oldImage).faulted;
  const faulted = parseOrThrow(connectorFaultOnly, newImage).faulted;
  if (wasFaulted === faulted) return undefined;
  const connector = parseOrThrow(connectorSchema, newImage);
  // Only a v2 status moves the fault, and it always sets these; anything else is not a status transition.
  if (!connector.statusAt || !connector.errorCode) return undefined;
  const entity = `${connector.chargerId}#${connector.connectorId}`;
  const fields = {
    at: connector.statusAt,
    chargerId: connector.chargerId,
    connectorId: connector.connectorId,
  };
  if (faulted) {
    const data = {
      errorCode: connector.errorCode,
      ...(connector.info !== undefined ? { info: connector.info } : {}),
      ...(connector.vendorErrorCode !== undefined ? { vendorErrorCode: connector.vendorErrorCode } : {}),
    };
    return planned('connector.faulted', entity, connector.statusAt, {
      ...fields,
      data,
      text: notificationTexts.connectorFaulted(
        connector.chargerId,
        connector.connectorId,
        connector.errorCode,
      ),
    });
  }
  const previous = z.pick(connectorSchema, { errorCode: true }).safeParse(oldImage);
  const previousErrorCode = previous.success ? previous.data.errorCode : undefined;
  return planned('connector.recovered', entity, connector.statusAt, {
    ...fields,
    data: { errorCode: connector.errorCode, ...(previousErrorCode ? { previousErrorCode } : {}) },
    text: notificationTexts.connectorRecovered(connector.chargerId, connector.connectorId),
  });
}

/** A boot answered Pending after one that was not (or the first boot): the charger waits for commissioning. */
function pendingNotification(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown>,
): PlannedNotification | undefined {
  if (parseOrThrow(bootAnswerOnly, newImage).bootAnswerStatus !== 'Pending') return undefined;
  if (oldImage && parseOrThrow(bootAnswerOnly, oldImage).bootAnswerStatus === 'Pending') return undefined;
  const boot = parseOrThrow(chargerBootSchema, newImage);
  return planned('charger.pending', boot.chargerId, boot.lastBootAt, {
    at: boot.lastBootAt,
    chargerId: boot.chargerId,
    data: {
      chargePointVendor: boot.chargePointVendor,
      chargePointModel: boot.chargePointModel,
      ...(boot.chargePointSerialNumber !== undefined
        ? { chargePointSerialNumber: boot.chargePointSerialNumber }
        : {}),
      ...(boot.firmwareVersion !== undefined ? { firmwareVersion: boot.firmwareVersion } : {}),
    },
    text: notificationTexts.chargerPending(boot.chargerId),
  });
}

/**
 * A telemetry finding opened (the first sighting, or a new episode after it cleared) or cleared, once each:
 * refreshes of an open alert (a later sighting) are silent. Each episode is its own transition.
 */
function alertNotification(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown>,
): PlannedNotification | undefined {
  const alert = parseOrThrow(alertSchema, newImage);
  const oldStatus = oldImage ? parseOrThrow(alertStatusOnly, oldImage).status : undefined;
  if (oldStatus === alert.status) return undefined;
  const opened = alert.status === 'open';
  const at = opened ? alert.firstSeenAt : alert.clearedAt;
  if (!at) throw new BadInputError('clearedAt', 'is required on a cleared alert');
  const data = {
    alertKind: alert.kind,
    episode: alert.episodes,
    detail: alert.detail,
    firstSeenAt: alert.firstSeenAt,
    lastSeenAt: alert.lastSeenAt,
    ...(alert.siteId === undefined ? {} : { siteId: alert.siteId }),
  };
  const kind = opened ? 'alert.opened' : 'alert.cleared';
  // A site's alert (site-load) is one per site: `chargerId` names its largest contributor when it opened.
  const subject = alert.siteId === undefined ? alert.chargerId : `SITE#${alert.siteId}`;
  return planned(kind, `${subject}#${alert.kind}#${alert.episodes}`, at, {
    at,
    chargerId: alert.chargerId,
    ...(alert.connectorId ? { connectorId: alert.connectorId } : {}),
    data,
    text:
      alert.siteId !== undefined
        ? opened
          ? notificationTexts.siteAlertOpened(alert.siteId, alert.kind, alert.detail)
          : notificationTexts.siteAlertCleared(alert.siteId, alert.kind)
        : opened
          ? notificationTexts.alertOpened(alert.chargerId, alert.kind, alert.detail)
          : notificationTexts.alertCleared(alert.chargerId, alert.kind),
  });
}

/** A transaction/stop for a transactionId the charger never started, kept once (Put if absent). */
function orphanNotification(newImage: Record<string, unknown>): PlannedNotification {
  const orphan = parseOrThrow(orphanTransactionStopSchema, newImage);
  return planned('transaction.orphan', `${orphan.chargerId}#${orphan.transactionId}`, orphan.at, {
    at: orphan.at,
    chargerId: orphan.chargerId,
    data: {
      transactionId: orphan.transactionId,
      meterStop: orphan.meterStop,
      reason: orphan.reason,
      ...(orphan.idTag !== undefined ? { idTag: orphan.idTag } : {}),
    },
    text: notificationTexts.transactionOrphan(orphan.chargerId, orphan.transactionId),
  });
}

/**
 * An operator command's outcome: answered (pending → answered), timed out (pending → timedOut), or answered
 * late (timedOut → answered, `data.late`). Writing a command (INSERT) and a failed publish are silent.
 */
function commandNotification(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown>,
): PlannedNotification | undefined {
  if (!oldImage) return undefined;
  const oldState = parseOrThrow(commandStateOnly, oldImage).state;
  const newState = parseOrThrow(commandStateOnly, newImage).state;
  if (oldState === newState || (newState !== 'answered' && newState !== 'timedOut')) return undefined;
  const command = parseOrThrow(commandRecordSchema, newImage);
  const entity = `${command.chargerId}#${command.requestId}`;
  const common = { requestId: command.requestId, action: command.action };
  if (newState === 'timedOut') {
    if (!command.timedOutAt) throw new BadInputError('timedOutAt', 'is required on a timed-out command');
    return planned('command.result', `${entity}#timedOut`, command.timedOutAt, {
      at: command.timedOutAt,
      chargerId: command.chargerId,
      data: { ...common, outcome: 'timeout' },
      text: notificationTexts.commandTimedOut(command.chargerId, command.action),
    });
  }
  if (!command.answerStatus || !command.answerReceivedAt) {
    throw new BadInputError('answerStatus', 'is required on an answered command');
  }
  return planned('command.result', `${entity}#answered`, command.answerReceivedAt, {
    at: command.answerReceivedAt,
    chargerId: command.chargerId,
    data: {
      ...common,
      outcome: 'answered',
      status: command.answerStatus,
      ...(command.answerPayload !== undefined ? { payload: command.answerPayload } : {}),
      ...(command.lateAnswer ? { late: true } : {}),
    },
    text: notificationTexts.commandAnswered(command.chargerId, command.action, command.answerStatus),
  });
}

function planned(
  kind: NotificationKind,
  entity: string,
  transitionAt: string,
  fields: Omit<NotificationBody, 'version' | 'kind' | 'audience'>,
): PlannedNotification {
  // Parsing our own output catches a body that would break subscribers before it is published.
  const body = notificationBodySchema.parse({ version: 1, kind, audience: audienceOfKind[kind], ...fields });
  return { naturalKey: `${kind}#${entity}#${transitionAt}`, body };
}

// Rendering for people.

interface MeterValues {
  energyWh?: number;
  powerW?: number;
  costMinor?: number;
  currency?: string;
  lastReadingAt?: string;
}

interface CompletedValues {
  energyWh: number;
  durationS: number;
  costMinor: number;
  currency: string;
}

type Texts = Record<NotificationLanguage, string>;

/** Energy in kWh with one decimal, e.g. 12 345 Wh → "12.3 kWh". Rounded in integers (half up). */
export function formatEnergy(energyWh: number, language: NotificationLanguage): string {
  const tenthsOfKwh = Math.round(energyWh / 100);
  const number = new Intl.NumberFormat(locales[language], {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  return `${number.format(tenthsOfKwh / 10)} kWh`;
}

/** Power in kW with one decimal, e.g. 7 200 W → "7.2 kW". */
export function formatPower(powerW: number, language: NotificationLanguage): string {
  const tenthsOfKw = Math.round(powerW / 100);
  const number = new Intl.NumberFormat(locales[language], {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  return `${number.format(tenthsOfKw / 10)} kW`;
}

/** Duration as h:mm, to the nearest minute, e.g. 3 930 s → "1:06". */
export function formatDuration(durationS: number): string {
  const minutes = Math.round(durationS / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Minor units in the currency's own fraction digits (KRW 0, USD 2), e.g. 4 305 KRW → "₩4,305". */
export function formatMoney(costMinor: number, currency: string, language: NotificationLanguage): string {
  const money = new Intl.NumberFormat(locales[language], { style: 'currency', currency });
  const fractionDigits = money.resolvedOptions().maximumFractionDigits ?? 2;
  return money.format(costMinor / 10 ** fractionDigits);
}

const rejectionReasons: Record<AuthStatus, Texts> = {
  Accepted: { ko: '승인됨', en: 'accepted' },
  Blocked: { ko: '차단된 카드입니다', en: 'the card is blocked' },
  Expired: { ko: '만료된 카드입니다', en: 'the card has expired' },
  Invalid: { ko: '등록되지 않은 카드입니다', en: 'the card is not recognised' },
  ConcurrentTx: {
    ko: '이 카드는 이미 다른 충전에 사용 중입니다',
    en: 'the card is already in use in another session',
  },
  Unavailable: { ko: '커넥터를 사용할 수 없습니다', en: 'the connector is unavailable' },
};

const unavailableDetails: Record<(typeof unavailableReasons)[number], Texts> = {
  'connector-unknown': { ko: '등록되지 않은 커넥터입니다', en: 'the connector is not known' },
  'connector-faulted': { ko: '커넥터에 고장이 있습니다', en: 'the connector is faulted' },
  'connector-unavailable': { ko: '커넥터를 사용할 수 없습니다', en: 'the connector is unavailable' },
  'connector-busy': {
    ko: '커넥터가 다른 충전에 사용 중입니다',
    en: 'the connector is in use by another session',
  },
};

function isUnavailableReason(reason: string | undefined): reason is (typeof unavailableReasons)[number] {
  return (unavailableReasons as readonly string[]).includes(reason ?? '');
}

/** "12.3 kWh, 7.2 kW, ₩4,305": whichever values are known, in a fixed order. */
function meterValuesText(values: MeterValues, language: NotificationLanguage): string {
  const parts: string[] = [];
  if (values.energyWh !== undefined) parts.push(formatEnergy(values.energyWh, language));
  if (values.powerW !== undefined) parts.push(formatPower(values.powerW, language));
  if (values.costMinor !== undefined && values.currency) {
    parts.push(formatMoney(values.costMinor, values.currency, language));
  }
  return parts.join(', ');
}

const place = {
  ko: (chargerId: string, connectorId: number) => `충전기 ${chargerId} ${connectorId}번 커넥터`,
  en: (chargerId: string, connectorId: number) => `charger ${chargerId}, connector ${connectorId}`,
};

export const notificationTexts = {
  sessionAuthorized: (chargerId: string, connectorId: number): Texts => ({
    ko: `${place.ko(chargerId, connectorId)}에서 충전이 승인되었습니다.`,
    en: `Charging authorized at ${place.en(chargerId, connectorId)}.`,
  }),
  sessionRejected: (chargerId: string, connectorId: number, status: AuthStatus, reason?: string): Texts => {
    const why =
      status === 'Unavailable' && isUnavailableReason(reason)
        ? unavailableDetails[reason]
        : rejectionReasons[status];
    return {
      ko: `${place.ko(chargerId, connectorId)}에서 충전이 승인되지 않았습니다: ${why.ko}.`,
      en: `Charging was not authorized at ${place.en(chargerId, connectorId)}: ${why.en}.`,
    };
  },
  meterReading: (chargerId: string, connectorId: number, values: MeterValues): Texts => ({
    ko: `${place.ko(chargerId, connectorId)} 현재 계량값: ${meterValuesText(values, 'ko')}.`,
    en: `Current reading at ${place.en(chargerId, connectorId)}: ${meterValuesText(values, 'en')}.`,
  }),
  meterUnavailable: (chargerId: string, connectorId: number, values: MeterValues): Texts => {
    const known = { ko: meterValuesText(values, 'ko'), en: meterValuesText(values, 'en') };
    return known.en
      ? {
          ko: `${place.ko(chargerId, connectorId)}에서 응답이 없어 새 계량값을 받지 못했습니다. 마지막 값: ${known.ko}.`,
          en: `No answer from ${place.en(chargerId, connectorId)} for a new reading. Last known: ${known.en}.`,
        }
      : {
          ko: `${place.ko(chargerId, connectorId)}에서 응답이 없어 새 계량값을 받지 못했습니다. 아직 알려진 값이 없습니다.`,
          en: `No answer from ${place.en(chargerId, connectorId)} for a new reading. No reading is known yet.`,
        };
  },
  sessionCompleted: (chargerId: string, connectorId: number, values: CompletedValues): Texts => ({
    ko: `${place.ko(chargerId, connectorId)} 충전 완료: ${formatEnergy(values.energyWh, 'ko')}, ${formatDuration(values.durationS)}, ${formatMoney(values.costMinor, values.currency, 'ko')}.`,
    en: `Charging complete at ${place.en(chargerId, connectorId)}: ${formatEnergy(values.energyWh, 'en')} in ${formatDuration(values.durationS)}, ${formatMoney(values.costMinor, values.currency, 'en')}.`,
  }),
  remoteRejected: (chargerId: string, connectorId: number, action: RemoteRequestAction): Texts =>
    action === 'start'
      ? {
          ko: `${place.ko(chargerId, connectorId)}에서 원격 충전 시작 요청을 충전기가 거절했습니다.`,
          en: `The charger refused to start charging remotely at ${place.en(chargerId, connectorId)}.`,
        }
      : {
          ko: `${place.ko(chargerId, connectorId)}에서 원격 충전 중지 요청을 충전기가 거절했습니다.`,
          en: `The charger refused to stop charging remotely at ${place.en(chargerId, connectorId)}.`,
        },
  remoteTimeout: (chargerId: string, connectorId: number, action: RemoteRequestAction): Texts =>
    action === 'start'
      ? {
          ko: `${place.ko(chargerId, connectorId)}에서 원격 충전 시작 요청에 충전기가 응답하지 않았습니다.`,
          en: `No answer from ${place.en(chargerId, connectorId)} to the remote start.`,
        }
      : {
          ko: `${place.ko(chargerId, connectorId)}에서 원격 충전 중지 요청에 충전기가 응답하지 않았습니다.`,
          en: `No answer from ${place.en(chargerId, connectorId)} to the remote stop.`,
        },
  chargerOffline: (chargerId: string): Texts => ({
    ko: `충전기 ${chargerId}의 연결이 끊겼습니다 (오프라인).`,
    en: `Charger ${chargerId} went offline.`,
  }),
  chargerOnline: (chargerId: string): Texts => ({
    ko: `충전기 ${chargerId}의 연결이 확인되었습니다 (온라인).`,
    en: `Charger ${chargerId} is online.`,
  }),
  connectorFaulted: (chargerId: string, connectorId: number, errorCode: string): Texts => ({
    ko: `충전기 ${chargerId}의 커넥터 ${connectorId}에 고장이 발생했습니다 (${errorCode}).`,
    en: `Connector ${connectorId} of charger ${chargerId} is faulted (${errorCode}).`,
  }),
  chargerPending: (chargerId: string): Texts => ({
    ko: `충전기 ${chargerId}가 부팅했으나 아직 승인되지 않았습니다 (Pending). 운영자 승인이 필요합니다.`,
    en: `Charger ${chargerId} booted and is waiting to be commissioned (Pending).`,
  }),
  transactionOrphan: (chargerId: string, transactionId: number): Texts => ({
    ko: `충전기 ${chargerId}가 알 수 없는 거래 ${transactionId}의 종료를 보냈습니다.`,
    en: `Charger ${chargerId} stopped transaction ${transactionId}, which it never started here.`,
  }),
  commandAnswered: (chargerId: string, action: string, status: string): Texts => ({
    ko: `충전기 ${chargerId}가 ${action} 명령에 응답했습니다: ${status}.`,
    en: `Charger ${chargerId} answered ${action}: ${status}.`,
  }),
  commandTimedOut: (chargerId: string, action: string): Texts => ({
    ko: `충전기 ${chargerId}가 ${action} 명령에 제때 응답하지 않았습니다.`,
    en: `Charger ${chargerId} did not answer ${action} in time.`,
  }),
  alertOpened: (chargerId: string, kind: string, detail: string): Texts => ({
    ko: `충전기 ${chargerId}에서 이상 징후(${kind})가 발견되었습니다: ${detail}`,
    en: `Charger ${chargerId}: ${kind} found. ${detail}`,
  }),
  alertCleared: (chargerId: string, kind: string): Texts => ({
    ko: `충전기 ${chargerId}의 이상 징후(${kind})가 해소되었습니다.`,
    en: `Charger ${chargerId}: ${kind} has cleared.`,
  }),
  siteAlertOpened: (siteId: string, kind: string, detail: string): Texts => ({
    ko: `사이트 ${siteId}에서 이상 징후(${kind})가 발견되었습니다: ${detail}`,
    en: `Site ${siteId}: ${kind} found. ${detail}`,
  }),
  siteAlertCleared: (siteId: string, kind: string): Texts => ({
    ko: `사이트 ${siteId}의 이상 징후(${kind})가 해소되었습니다.`,
    en: `Site ${siteId}: ${kind} has cleared.`,
  }),
  connectorRecovered: (chargerId: string, connectorId: number): Texts => ({
    ko: `충전기 ${chargerId}의 커넥터 ${connectorId}가 고장에서 복구되었습니다.`,
    en: `Connector ${connectorId} of charger ${chargerId} has recovered from its fault.`,
  }),
};
