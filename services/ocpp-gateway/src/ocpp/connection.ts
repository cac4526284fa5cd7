// What the gateway uses of ocpp-rpc's server-side client (RPCServerClient), so the rest is typed and testable.

export interface OcppConnection {
  identity: string;
  handle(handler: (call: { method: string; params: unknown; messageId: string }) => Promise<unknown>): void;
  handle(
    method: string,
    handler: (call: { method: string; params: unknown; messageId: string }) => Promise<unknown>,
  ): void;
  call(method: string, params: unknown, options?: { callTimeoutMs?: number }): Promise<unknown>;
  close(options?: { code?: number; reason?: string; force?: boolean }): Promise<unknown>;
  sendRaw(message: string): void;
}
