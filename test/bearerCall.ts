/**
 * An API call the way a script (or the hub) makes it: a bearer token, a JSON body if any. Answers
 * the status, the raw bytes (a pcapng download) and the parsed body when the answer is JSON.
 */
export async function bearerCall(
  base: string,
  bearer: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; bytes: Buffer; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, bytes, body: json ? (JSON.parse(bytes.toString()) as unknown) : null };
}
