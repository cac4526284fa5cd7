// The console's one door to its routes (/ops/api/… on the same origin: the local HTTP API, or CloudFront in
// front of this service's HTTP API on AWS). The operator's JWT travels only in the Authorization header.

const TOKEN_KEY = 'ops-console-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A token handed over in the URL fragment (`#token=…`, never sent to a server) is kept for this tab only. */
export function takeToken(): string | undefined {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

async function failure(response: Response): Promise<ApiError> {
  let message = response.statusText;
  try {
    message = ((await response.json()) as { message?: string }).message ?? message;
  } catch {
    // Not JSON: keep the status text.
  }
  return new ApiError(response.status, message);
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`/ops/api/${path}`, { headers: headers() });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`/ops/api/${path}`, {
    method: 'POST',
    headers: headers({ 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/**
 * Live updates: asks again every `intervalMs` with the ETag it holds, so an unchanged view costs a body-less
 * 304. Calls `onData` on a change, `onError` on a failure (and keeps polling); returns a stop function.
 */
export function poll<T>(
  path: string,
  intervalMs: number,
  onData: (data: T) => void,
  onError: (error: ApiError) => void,
): () => void {
  let etag: string | undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const response = await fetch(`/ops/api/${path}`, {
        headers: headers(etag ? { 'if-none-match': etag } : {}),
        cache: 'no-store',
      });
      if (response.status === 304) {
        // Unchanged.
      } else if (response.ok) {
        etag = response.headers.get('etag') ?? undefined;
        if (!stopped) onData((await response.json()) as T);
      } else {
        onError(await failure(response));
      }
    } catch (error) {
      onError(new ApiError(0, (error as Error).message));
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
