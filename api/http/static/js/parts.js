// Pieces of a campaign shown both in the list and on its own page.

import { h, uid } from './dom.js';
import { httpsHref } from './markdown.js';
import { formatAmount, formatDate, formatDuration, isoDate, percentOf } from './units.js';

export const STATES = ['upcoming', 'active', 'succeeded', 'failed', 'cancelled', 'claimed', 'expired'];

const STATE_WORDS = {
  upcoming: 'Upcoming',
  active: 'Active',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  claimed: 'Claimed',
  expired: 'Expired',
};

export const stateWord = (state) => STATE_WORDS[state] ?? state;

export function stateBadge(state) {
  return h('span', { class: `badge state-${state}`, dataset: { state } }, stateWord(state));
}

/** The title from the verified metadata document, or else the campaign's number: a link
 * the gateway could not verify is shown beside it as written, never as the title. */
export function titleOf(campaign) {
  return campaign.title ?? `Campaign ${campaign.id}`;
}

// Where the gateway serves a verified image: its own /content/<cid>, nothing else.
const CONTENT_PATH = /^\/content\/[a-z2-7]+$/;

const NOT_SHOWN = {
  unverified: 'Described at a link this gateway does not verify:',
  unavailable: 'Loading the description…',
  invalid: 'This campaign’s description could not be verified:',
};

/** The same, said of an update's link. */
export const UPDATE_NOT_SHOWN = {
  unverified: 'Published at a link this gateway does not verify:',
  unavailable: 'Loading the update…',
  invalid: 'This update could not be verified:',
};

/** The campaign's image in a box of fixed shape, loaded only when near the screen; where
 * the description is not verified, a plain box saying so. Null for a verified description
 * without an image. */
export function cover(c, className = 'cover') {
  if (c.metadata_status === 'verified') {
    if (!CONTENT_PATH.test(c.image ?? '')) return null;
    return h('div', { class: className },
      h('img', { src: c.image, alt: titleOf(c), loading: 'lazy', decoding: 'async', width: 640, height: 360 }));
  }
  return h('div', { class: `${className} cover-none`, dataset: { status: c.metadata_status } },
    h('span', {}, c.metadata_status === 'unavailable' ? NOT_SHOWN.unavailable : 'No verified description'));
}

/** What the page says of a link it does not show content from: the link as text, never
 * fetched, and why; `follow`: an https link may be followed by a click (a new tab, no
 * referrer), as on a campaign's own page. Null when verified. */
export function linkNote(c, uri = c.metadata_uri, cut = c.metadata_uri_truncated, status = c.metadata_status, follow = false, words = NOT_SHOWN) {
  if (status === 'verified') return null;
  const href = follow && !cut ? httpsHref(uri ?? '') : null;
  const shown = h('code', { class: 'raw-link' }, uri || '(no link)');
  return h('p', { class: 'meta-note', dataset: { status } },
    words[status] ?? status, ' ',
    href ? h('a', { href, rel: 'noopener noreferrer nofollow', target: '_blank' }, shown) : shown,
    cut ? ' … (cut here: the link on chain is longer)' : '');
}

/** Milliseconds until the page asks again about descriptions the gateway is still
 * fetching (`unavailable`), growing with each try; null when none is. */
export function untilDescribed(statuses, tries) {
  if (!statuses.includes('unavailable')) return null;
  return Math.min(60_000, 2000 * 2 ** Math.min(tries, 5));
}

export function time(seconds) {
  return h('time', { datetime: isoDate(seconds) }, formatDate(seconds));
}

/** When the campaign opens, how long it runs on, or when it ended (in the viewer's zone);
 * `withDate: false` where the dates are shown beside it. */
export function timing(c, withDate = true) {
  if (c.state === 'upcoming') return withDate ? ['Opens ', time(c.starts_at)] : 'Not open yet';
  if (c.state === 'active') {
    const left = `${formatDuration(c.seconds_left)} left`;
    return withDate ? [left, h('span', { class: 'muted' }, ' (ends ', time(c.deadline), ')')] : left;
  }
  if (c.state === 'cancelled') return 'Cancelled before its deadline';
  if (c.state === 'expired') return withDate ? ['Ended ', time(c.deadline), ', not claimed within 180 days'] : 'Expired unclaimed';
  return withDate ? ['Ended ', time(c.deadline)] : 'Ended';
}

function bar(kind, percent, label) {
  const id = uid('bar');
  return h('div', { class: `bar bar-${kind}` },
    h('progress', { max: 100, value: Math.min(percent, 100), 'aria-labelledby': id, dataset: { percent } }),
    h('span', { id, class: 'bar-label' }, label));
}

/** Pledged of goal, and of cap when there is one, in words and as bars. Once refunds have
 * begun, the campaign shows what it raised (the total its end was decided on) and how much
 * of it backers have taken back, not the remainder. */
export function progress(c, maxFraction) {
  const amount = (value) => formatAmount(value, c.token, maxFraction);
  const refunded = BigInt(c.raised) - BigInt(c.pledged);
  const figure = refunded > 0n ? c.raised : c.pledged;
  const ofGoal = percentOf(figure, c.goal);
  const capped = BigInt(c.cap) > 0n;
  return h('div', { class: 'progress' },
    h('p', { class: 'progress-figures' },
      h('strong', { class: 'pledged' }, amount(figure)),
      refunded > 0n ? ` raised of ${amount(c.goal)} goal, ${amount(refunded.toString())} since refunded` : ` pledged of ${amount(c.goal)} goal`),
    bar('goal', ofGoal, `${ofGoal}% of the goal`),
    capped ? bar('cap', percentOf(figure, c.cap), `${percentOf(figure, c.cap)}% of the ${amount(c.cap)} cap`) : null);
}

export function backers(count) {
  return count === 1 ? '1 backer' : `${count} backers`;
}

const HOUR = 3600;

/** Milliseconds until the figures shown for these campaigns may change with no event at
 * all (a deadline or an opening passing, a tranche falling due), at most an hour, so that
 * the time left stays current too; null when none of them can change that way. */
export function untilClockChange(campaigns) {
  const waits = campaigns.flatMap((c) => {
    const now = c.deadline - c.seconds_left; // the chain's time when the figures were read
    if (c.state === 'active') return [c.seconds_left];
    if (c.state === 'upcoming') return [c.starts_at - now];
    // Past the deadline the answer says not what time the chain had: look again hourly.
    if (c.milestones?.next_release_at) return [HOUR];
    return [];
  });
  return waits.length ? (Math.min(HOUR, ...waits) + 2) * 1000 : null;
}
