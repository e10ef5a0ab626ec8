// A campaign's metadata link -> {title, summary}, where the link resolves: http(s)
// documents directly, ipfs://CID/path through the IPFS gateway the gateway's settings
// name (IPFS_GATEWAY). Anything else, or a document that fails, falls back to the link.

let ipfsGateway = null;
const cache = new Map();
const TIMEOUT_MS = 5000;

export function configure(config) {
  ipfsGateway = config?.ipfs_gateway || null;
}

/** The http(s) address to read a metadata link at, or null when it cannot be read. */
export function documentUrl(uri) {
  const link = String(uri ?? '').trim();
  if (/^https?:\/\//i.test(link)) return link;
  if (/^ipfs:\/\//i.test(link) && ipfsGateway) {
    const path = link.replace(/^ipfs:\/\/(ipfs\/)?/i, '');
    return ipfsGateway.endsWith('/') ? ipfsGateway + path : `${ipfsGateway}/${path}`;
  }
  return null;
}

function text(value, max) {
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : null;
}

async function load(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), credentials: 'omit' });
    if (!response.ok) return null;
    const doc = await response.json();
    const title = text(doc?.title, 200);
    return title ? { title, summary: text(doc?.summary, 2000) } : null;
  } catch {
    return null;
  }
}

/** {title, summary} for a metadata link, or null (then show the link itself). Cached. */
export function metadata(uri) {
  const url = documentUrl(uri);
  if (!url) return Promise.resolve(null);
  if (!cache.has(url)) cache.set(url, load(url));
  return cache.get(url);
}
