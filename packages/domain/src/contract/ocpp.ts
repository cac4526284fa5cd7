import * as z from 'zod/mini';
import { pure } from '../pure.js';

// The OCPP 1.6 vocabulary the v2 contract carries, value for value as the specification lists it
// (OCPP 1.6 edition 2, section 7), so a gateway maps frames onto topics without translation tables.

/** ChargePointStatus (7.7). */
export const chargePointStatuses = [
  'Available',
  'Preparing',
  'Charging',
  'SuspendedEVSE',
  'SuspendedEV',
  'Finishing',
  'Reserved',
  'Unavailable',
  'Faulted',
] as const;
export type ChargePointStatus = (typeof chargePointStatuses)[number];

/** ChargePointErrorCode (7.6). */
export const chargePointErrorCodes = [
  'ConnectorLockFailure',
  'EVCommunicationError',
  'GroundFailure',
  'HighTemperature',
  'InternalError',
  'LocalListConflict',
  'NoError',
  'OtherError',
  'OverCurrentFailure',
  'OverVoltage',
  'PowerMeterFailure',
  'PowerSwitchFailure',
  'ReaderFailure',
  'ResetFailure',
  'UnderVoltage',
  'WeakSignal',
] as const;
export type ChargePointErrorCode = (typeof chargePointErrorCodes)[number];

/** Reason (7.39): why a transaction stopped; absent means Local. */
export const stopReasons = [
  'DeAuthorized',
  'EmergencyStop',
  'EVDisconnected',
  'HardReset',
  'Local',
  'Other',
  'PowerLoss',
  'Reboot',
  'Remote',
  'SoftReset',
  'UnlockCommand',
] as const;
export type StopReason = (typeof stopReasons)[number];

/** AuthorizationStatus (7.2). */
export const authorizationStatuses = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'] as const;
export type AuthorizationStatus = (typeof authorizationStatuses)[number];

/** RegistrationStatus (7.38). */
export const registrationStatuses = ['Accepted', 'Pending', 'Rejected'] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

/** ReadingContext (7.37): all eight. */
export const readingContexts = [
  'Interruption.Begin',
  'Interruption.End',
  'Other',
  'Sample.Clock',
  'Sample.Periodic',
  'Transaction.Begin',
  'Transaction.End',
  'Trigger',
] as const;

/** Measurand (7.31). */
export const measurands = [
  'Current.Export',
  'Current.Import',
  'Current.Offered',
  'Energy.Active.Export.Register',
  'Energy.Active.Import.Register',
  'Energy.Reactive.Export.Register',
  'Energy.Reactive.Import.Register',
  'Energy.Active.Export.Interval',
  'Energy.Active.Import.Interval',
  'Energy.Reactive.Export.Interval',
  'Energy.Reactive.Import.Interval',
  'Frequency',
  'Power.Active.Export',
  'Power.Active.Import',
  'Power.Factor',
  'Power.Offered',
  'Power.Reactive.Export',
  'Power.Reactive.Import',
  'RPM',
  'SoC',
  'Temperature',
  'Voltage',
] as const;

/** Phase (7.34). */
export const phases = ['L1', 'L2', 'L3', 'N', 'L1-N', 'L2-N', 'L3-N', 'L1-L2', 'L2-L3', 'L3-L1'] as const;

/** Location (7.30). */
export const measurandLocations = ['Body', 'Cable', 'EV', 'Inlet', 'Outlet'] as const;

/** UnitOfMeasure (7.47), as OCPP-J 1.6's MeterValues.json spells it: the misspelt `Celcius` too, which chargers send. */
export const unitsOfMeasure = [
  'Wh',
  'kWh',
  'varh',
  'kvarh',
  'W',
  'kW',
  'VA',
  'kVA',
  'var',
  'kvar',
  'A',
  'V',
  'Celcius',
  'Celsius',
  'Fahrenheit',
  'K',
  'Percent',
] as const;

/** ValueFormat (7.46). */
export const valueFormats = ['Raw', 'SignedData'] as const;

/** FirmwareStatus (7.25). */
export const firmwareStatuses = [
  'Downloaded',
  'DownloadFailed',
  'Downloading',
  'Idle',
  'InstallationFailed',
  'Installing',
  'Installed',
] as const;

/** DiagnosticsStatus (7.24). */
export const diagnosticsStatuses = ['Idle', 'Uploaded', 'UploadFailed', 'Uploading'] as const;

/** RemoteStartStopStatus (7.40). */
export const remoteStartStopStatuses = ['Accepted', 'Rejected'] as const;

/** MessageTrigger (7.32): what TriggerMessage may ask for. */
export const messageTriggers = [
  'BootNotification',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'StatusNotification',
] as const;

/** The status each command's .conf carries (ResetStatus, UnlockStatus, AvailabilityStatus, …). */
export const commandStatuses = [
  'Accepted',
  'Rejected',
  'Scheduled',
  'RebootRequired',
  'NotSupported',
  'NotImplemented',
  'Unlocked',
  'UnlockFailed',
] as const;

/** OCPP CiStringN: printable text of at most N characters. */
export const ciString = (maxLength: number) => z.string().check(z.minLength(1), z.maxLength(maxLength));

/** idTagInfo (7.2x IdTagInfo): the answer to an idTag, on authorize, start and stop. */
export const idTagInfoSchema = /* @__PURE__ */ pure(() =>
  z.strictObject({
    status: z.enum(authorizationStatuses),
    expiryDate: z.optional(z.iso.datetime({ precision: 3 })),
    parentIdTag: z.optional(ciString(20)),
  }),
);
export type IdTagInfo = z.infer<typeof idTagInfoSchema>;

/** transactionId: a positive 32-bit integer (OCPP's `integer`), allocated by the cloud. */
export const transactionIdSchema = /* @__PURE__ */ pure(() => z.int().check(z.gte(1), z.lte(2_147_483_647)));

/** A connector or, for 0, the whole charger (StatusNotification, MeterValues' main meter). */
export const connectorOrChargerIdSchema = /* @__PURE__ */ pure(() => z.int().check(z.gte(0), z.lte(999)));
