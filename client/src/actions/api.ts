/**
 * Same-origin calls to the actions API (the auth cookie rides along). Errors surface the server's
 * message and the field it names; nothing here changes the picture, which only follows the stream.
 */
export interface ApiErrorBody {
  error?: { code?: string; message?: string; field?: string };
  rolledBack?: boolean;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
    readonly rolledBack?: boolean,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function callApi<T = Record<string, unknown>>(
  method: 'POST' | 'DELETE',
  path: string,
  body: unknown = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(`could not reach the server: ${e instanceof Error ? e.message : String(e)}`, 0);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // a proxy or auth page answered with non-JSON
  }
  if (!res.ok) {
    const b = (json ?? {}) as ApiErrorBody;
    const msg = b.error?.message ?? `request failed with HTTP ${res.status}`;
    throw new ApiError(msg, res.status, b.error?.field, b.rolledBack);
  }
  return (json ?? {}) as T;
}

export const enc = encodeURIComponent;
