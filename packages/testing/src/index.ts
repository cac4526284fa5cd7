export {
  type IotDataPlaneRecorder,
  type RecordedPublish,
  startIotDataPlaneRecorder,
} from './iot-data-plane-recorder.js';
export { lambdaContextFor } from './lambda-context.js';
export { connectCharger, registerAndConnect, startServiceCloud } from './service-cloud.js';
export { createTestTable, type TestTable } from './test-table.js';
export { readZipTextEntries } from './zip.js';
