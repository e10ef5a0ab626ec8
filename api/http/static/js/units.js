// Human amounts and times at the page's edge. Amounts are BigInt base units everywhere
// else: a float cannot hold 10^18 wei exactly, so floats are never used for money.

const WHOLE = /^\d+$/;
const DECIMAL = /^(\d*)(?:\.(\d*))?$/;

/** Base units -> "1,234.5": the whole part grouped, the fraction trimmed; `maxFraction`
 * cuts the fraction for compact displays and marks the cut with "~". */
export function formatUnits(value, decimals, maxFraction = decimals) {
  let units = BigInt(value);
  const negative = units < 0n;
  if (negative) units = -units;
  const base = 10n ** BigInt(decimals);
  const whole = (units / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const full = decimals > 0 ? (units % base).toString().padStart(decimals, '0').replace(/0+$/, '') : '';
  const shown = full.slice(0, maxFraction).replace(/0+$/, '');
  const cut = shown.length < full.length;
  return `${cut ? '~' : ''}${negative ? '-' : ''}${whole}${shown ? `.${shown}` : ''}`;
}

/** "1,500 DMT" for a gateway token {symbol, decimals}. */
export function formatAmount(value, token, maxFraction) {
  return `${formatUnits(value, token.decimals, maxFraction)} ${token.symbol}`;
}

export class AmountError extends Error {}

/** "1.5" (whole units of a token with `decimals`) -> base units as a BigInt. */
export function parseUnits(text, decimals) {
  const cleaned = String(text).trim().replace(/[_\s]/g, '');
  const match = DECIMAL.exec(cleaned);
  if (!cleaned || cleaned === '.' || !match) {
    throw new AmountError(`"${String(text).trim()}" is not an amount: write a number like 1.5`);
  }
  const [, whole, fraction = ''] = match;
  if (fraction.length > decimals) {
    throw new AmountError(`at most ${decimals} decimal places for this currency`);
  }
  return BigInt(whole || '0') * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** Base units as the gateway wants them: a decimal string of a non-negative integer. */
export function toBaseString(units) {
  const text = BigInt(units).toString();
  if (!WHOLE.test(text)) throw new AmountError('amounts cannot be negative');
  return text;
}

/** pledged/goal in percent with one decimal, computed in integers. */
export function percentOf(part, whole) {
  const total = BigInt(whole);
  if (total === 0n) return 0;
  return Number((BigInt(part) * 1000n) / total) / 10;
}

const DATE = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short',
});

/** Unix seconds -> a date and time in the viewer's own time zone. */
export function formatDate(seconds) {
  return DATE.format(new Date(Number(seconds) * 1000));
}

/** Unix seconds -> the ISO form a <time datetime> carries. */
export function isoDate(seconds) {
  return new Date(Number(seconds) * 1000).toISOString();
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Seconds -> "12 days", "3 days 4 hours", "5 hours 10 minutes", "less than a minute".
 * From a week on, to the nearest day: a month less a few seconds reads "30 days". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds)));
  if (s >= 7 * 86400) return plural(Math.round(s / 86400), 'day');
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days >= 1) return hours ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day');
  if (hours >= 1) return minutes ? `${plural(hours, 'hour')} ${plural(minutes, 'minute')}` : plural(hours, 'hour');
  if (minutes >= 1) return plural(minutes, 'minute');
  return 'less than a minute';
}

/** 0x7099…79C8: enough to recognise an address; the full one goes in a title. */
export function shortAddress(address) {
  return address && address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : String(address ?? '');
}

/** Unix seconds -> the value of an <input type="datetime-local"> in the viewer's zone. */
export function toLocalInput(seconds) {
  const d = new Date(Number(seconds) * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An <input type="datetime-local"> value (the viewer's zone) -> unix seconds, or null. */
export function fromLocalInput(value) {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
