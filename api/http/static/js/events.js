// The gateway's event stream (GET /events): one EventSource for the page, shared by the
// views, so that a pledge made anywhere shows up here without a reload.

// The milestone vault's events name the campaign too. `reorg` and `refetch` concern no one
// campaign: the stream moved to another block (after a reorg, or after a gap longer than
// the gateway replays), and every view reads again.
const KINDS = [
  'created', 'pledged', 'unpledged', 'refunded', 'claimed', 'cancelled', 'updated',
  'scheduled', 'collected', 'released', 'objected', 'unobjected', 'halted', 'lapsed', 'vault_refunded',
  'reorg', 'refetch',
];
const subscribers = new Set();
let source = null;

function start() {
  if (source || typeof EventSource === 'undefined') return;
  // EventSource reconnects by itself and resumes with Last-Event-ID.
  source = new EventSource('/events');
  for (const kind of KINDS) {
    source.addEventListener(kind, (message) => {
      let data = null;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      for (const fn of subscribers) fn(kind, data);
    });
  }
}

/** Call fn(kind, data) for every escrow and vault event (and `reorg`, `refetch`); returns the unsubscribe. */
export function subscribe(fn) {
  start();
  subscribers.add(fn);
  return () => subscribers.delete(fn);
}

/** fn, at most once per `ms`, after the last call: a burst of events is one refresh. */
export function debounce(fn, ms = 150) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
