// The OCPP 1.6 actions (Core, Firmware Management, Local Auth List, Reservation, Remote Trigger, Smart
// Charging, and the security whitepaper's), by who sends them. What the gateway answers for each is in README.md.

/** What a charge point sends and the gateway handles. */
export const handledChargerActions = [
  'Authorize',
  'BootNotification',
  'DataTransfer',
  'DiagnosticsStatusNotification',
  'FirmwareStatusNotification',
  'Heartbeat',
  'MeterValues',
  'StartTransaction',
  'StatusNotification',
  'StopTransaction',
] as const;
export type HandledChargerAction = (typeof handledChargerActions)[number];

/** Actions OCPP 1.6 (with the security extension) defines that the gateway does not take from a charger. */
export const knownUnsupportedActions = [
  // Central system → charge point: not something a charger asks of us.
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'DeleteCertificate',
  'ExtendedTriggerMessage',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'InstallCertificate',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'SignedUpdateFirmware',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
  // Charge point → central system, security extension: not supported yet.
  'LogStatusNotification',
  'SecurityEventNotification',
  'SignCertificate',
  'SignedFirmwareStatusNotification',
] as const;

export type CallDisposition = 'handled' | 'NotSupported' | 'NotImplemented';

/** NotImplemented for an action the gateway does not know, NotSupported for a known one it does not take. */
export function dispositionOf(action: string): CallDisposition {
  if ((handledChargerActions as readonly string[]).includes(action)) return 'handled';
  if ((knownUnsupportedActions as readonly string[]).includes(action)) return 'NotSupported';
  return 'NotImplemented';
}
