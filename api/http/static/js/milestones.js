// A milestone campaign's schedule: the tranches the vault pays its creator, what has been
// released, and the backers' objections that can halt the rest.

import { facts, h } from './dom.js';
import { time } from './parts.js';
import { formatAmount, formatUnits } from './units.js';

const STATUS_WORDS = {
  paid: 'Paid',
  due: 'Due now',
  upcoming: 'Upcoming',
  halted: 'Halted: the backers’ to refund',
  lapsed: 'Lapsed: not released in time, the backers’ to refund',
  void: 'Void: the campaign did not go ahead',
};

/** What objecting means, in one sentence, beside the button. */
export const OBJECTION_MEANS = 'If backers holding more than half of the pledged total object, the campaign halts for good: no tranche due after that is paid, and each backer can take back its share of those.';

/** Basis points -> "40%", "33.33%". */
export function share(bps) {
  return `${formatUnits(bps, 2)}%`;
}

/** One line for a campaign's card: how far its schedule has gone. */
export function trancheSummary(m) {
  const paid = `${m.paid_tranches} of ${m.tranche_count} paid`;
  if (m.lapsed) return `Paid in tranches: ${paid}, the rest lapsed back to its backers`;
  return m.halted_at !== null ? `Paid in tranches: ${paid}, the rest halted by its backers` : `Paid in tranches: ${paid}`;
}

/** Whether a tranche can be released now (anyone may send the release). */
export function somethingDue(m) {
  return m.tranches.some((t) => t.status === 'due');
}

/** Whether tranches are still to come, so that an objection can still stop them. */
export function stillToCome(m) {
  return m.halted_at === null && !m.lapsed && m.tranches.some((t) => t.status === 'upcoming' || t.status === 'due');
}

/** The schedule as an ordered list, then the totals and the objections. */
export function timeline(c) {
  const m = c.milestones;
  const amount = (value) => formatAmount(value, c.token);
  const halted = m.halted_at !== null;
  const refunding = halted || m.lapsed;
  // When what is owed to the creator must be released by (the answer's, by the chain's clock).
  const closing = m.release_closes_at !== null;
  let meaning = `The vault pays the creator each tranche once it falls due; ${OBJECTION_MEANS.charAt(0).toLowerCase()}${OBJECTION_MEANS.slice(1)}`;
  if (halted) meaning = 'Backers holding more than half of the pledged total objected: no tranche due after the halt is paid (those due before it stay the creator’s), and each backer can take back its share of them.';
  if (m.lapsed) meaning = 'A tranche owed to the creator waited unreleased for 180 days: nothing more is paid to the creator, and each backer can take back its share of everything the vault has not released.';
  return [
    h('ol', { class: 'tranches' }, m.tranches.map((t, i) =>
      h('li', { class: `tranche tranche-${t.status}`, dataset: { status: t.status } },
        h('span', { class: 'tranche-when' }, i === 0 && t.release_at === c.deadline ? ['At the deadline, ', time(t.release_at)] : time(t.release_at)),
        h('span', { class: 'tranche-share' }, share(t.share_bps)),
        h('span', { class: 'tranche-amount' }, amount(t.amount)),
        h('span', { class: 'tranche-status' }, STATUS_WORDS[t.status] ?? t.status)))),
    facts([
      ['Released', amount(m.released), 'released'],
      ['Not released', amount(m.unreleased), 'unreleased'],
      ['Objections', `${share(m.objection_bps)} of the pledged total`, 'objections'],
      halted ? ['Halted', time(m.halted_at), 'halted'] : null,
      closing ? ['Release by', time(m.release_closes_at), 'release-closes'] : null,
      refunding ? ['Refunded by the vault', `${amount(m.refunded)} of ${amount(m.refundable)}`, 'vault-refunded'] : null,
    ]),
    h('p', { class: 'muted small' }, meaning),
  ];
}
