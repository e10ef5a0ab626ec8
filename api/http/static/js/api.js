// The gateway's HTTP API (docs/api.md), from the same origin that served this page.

export class GatewayError extends Error {
  constructor(status, body) {
    super(body?.detail ?? `the gateway answered ${status}`);
    this.status = status;
    this.rule = body?.rule ?? null;
    this.values = body?.values ?? null;
  }
}

async function call(path, init) {
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new GatewayError(0, { detail: 'the gateway cannot be reached; check the connection and try again' });
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new GatewayError(response.status, body);
  return body;
}

/** GET with query parameters; empty ones are left out. */
export function get(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  return call(query.size ? `${path}?${query}` : path);
}

export function post(path, body) {
  return call(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** POST raw bytes (content for the gateway's store) with their media type. */
export function upload(path, bytes, type) {
  return call(path, { method: 'POST', headers: { 'Content-Type': type }, body: bytes });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until the gateway's index has taken in `block`, so that what it answers next
 * includes a transaction mined there. */
export async function waitIndexed(block, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const health = await get('/health');
      if (health.indexed >= block) return health;
    } catch {
      // 503 while the index catches up: keep waiting.
    }
    await sleep(250);
  }
  throw new GatewayError(0, { detail: `the gateway has not indexed block ${block} yet; reload in a moment` });
}
