import type { TableContext } from '@evcharge/dynamo';

/** What run.ts sets up once and every group shares: one DynamoDB Local, one table, the stub endpoints. */
export interface BenchContext {
  quick: boolean;
  dynamodbEndpoint: string;
  /** A client of the bench itself (not counted), on the table the in-process handlers use. */
  table: TableContext;
  stubUrl: string;
  /** The environment a function gets, pointed at the local endpoints. */
  functionEnv: Record<string, string>;
  progress: (line: string) => void;
}
