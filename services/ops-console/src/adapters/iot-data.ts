import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';

/** Publishes to chargers; AWS_ENDPOINT_URL_IOT_DATA_PLANE names the account's ATS endpoint (or the local cloud). */
export const iotData = new IoTDataPlaneClient({});
