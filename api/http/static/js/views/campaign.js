// One campaign: its image, story and reward tiers, its figures, what the connected account
// may do now, its updates and its pledge history. Everything refreshes in place when the event stream says it changed.

import { get, post } from '../api.js';
import { debounce, subscribe } from '../events.js';
import { append, facts, h, uid } from '../dom.js';
import { httpsHref, renderMarkdown } from '../markdown.js';
import { OBJECTION_MEANS, somethingDue, stillToCome, timeline } from '../milestones.js';
import {
  UPDATE_NOT_SHOWN, backers, cover, linkNote, progress, stateBadge, stateWord, time, timing, titleOf, untilClockChange, untilDescribed,
} from '../parts.js';
import { show, statusLine, takeOver, transact } from '../tx.js';
import { AmountError, formatAmount, formatUnits, parseUnits, shortAddress } from '../units.js';
import { connect, onChange, onRightChain, sameAddress, switchChain, wallet, walletError } from '../wallet.js';

const HISTORY_PAGE = 20;

const HISTORY_WORDS = {
  pledged: 'Pledged',
  unpledged: 'Took back',
  refunded: 'Refunded',
  claimed: 'Claimed by the creator',
  // the milestone vault's
  released: 'Paid to the creator (a tranche)',
  objected: 'Objected',
  unobjected: 'Withdrew an objection',
  halted: 'Halted by the objections',
  lapsed: 'A tranche lapsed unreleased: back to the backers',
  vault_refunded: 'Refunded by the vault',
};

const ENDINGS = {
  succeeded: 'The campaign reached its goal: the creator can claim the funds within 180 days of its deadline (unclaimed by then, every backer can take their pledge back), and pledges can no longer be taken back.',
  failed: 'The campaign ended below its goal: every backer can take their pledge back.',
  cancelled: 'The creator cancelled the campaign: every backer can take their pledge back.',
  claimed: 'The campaign reached its goal and the creator has claimed the funds.',
  expired: 'The campaign reached its goal but the creator did not claim the funds within 180 days of its deadline: every backer can take their pledge back.',
};

// A campaign paid through the milestone vault ends otherwise: the vault takes the funds and
// pays them out on the schedule, unless the backers halt it.
const MILESTONE_ENDINGS = {
  succeeded: 'The campaign reached its goal: the milestone vault collects the funds and pays the creator in tranches on its schedule.',
  claimed: 'The campaign reached its goal: the milestone vault holds the funds and pays the creator in tranches on its schedule.',
  halted: 'Backers holding more than half of the pledged total objected: no tranche due after the halt is paid (those due before it stay the creator’s), and each backer can take back its share of them.',
  lapsed: 'A tranche owed to the creator waited unreleased for 180 days: nothing more is paid to the creator, and each backer can take back its share of everything the vault has not released.',
};

/** Which ending a milestone campaign has reached. */
const milestoneEnding = (m, state) => (m.lapsed ? 'lapsed' : m.halted_at !== null ? 'halted' : state);

/** Who created the campaign: for one paid in tranches, the account the vault pays (the
 * escrow's creator is the vault itself). */
const creatorOf = (c) => c.milestones?.creator ?? c.creator;

export function campaignView(main, { match }) {
  const id = match[1];
  const title = h('h1', { id: 'view-title', tabindex: '-1' }, `Campaign ${id}`);
  const badge = h('div', { class: 'card-top' });
  const summary = h('p', { class: 'lead summary', hidden: true });
  const source = h('div', { class: 'meta-link' });
  const image = h('div', { class: 'campaign-cover', hidden: true });
  const about = h('div', { class: 'about-body' });
  const aboutSection = h('section', { class: 'about', 'aria-labelledby': 'about-title', hidden: true },
    h('h2', { id: 'about-title' }, 'About this campaign'), about);
  const rewards = h('div', { class: 'rewards' });
  const rewardsSection = h('section', { class: 'tiers', 'aria-labelledby': 'tiers-title', hidden: true },
    h('h2', { id: 'tiers-title' }, 'Rewards'),
    h('p', { class: 'help' }, 'Places in a limited reward go in the order pledges reached its amount; the escrow itself keeps no limit, so a pledge to a sold-out reward waits in line for a place.'),
    rewards);
  // What choosing a reward did to the pledge form, announced where the form is.
  const choice = h('p', { id: 'tier-choice', class: 'help', 'aria-live': 'polite', hidden: true });
  // Not a live region: the figures change on every event, and the status line already
  // announces what the viewer did.
  const numbers = h('div', { class: 'numbers-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const actions = h('div', { class: 'actions' });
  const status = statusLine();
  const updates = h('div', { class: 'updates' });
  const schedule = h('div', { class: 'schedule' });
  const scheduleSection = h('section', { class: 'milestones', 'aria-labelledby': 'milestones-title', hidden: true },
    h('h2', { id: 'milestones-title' }, 'Milestones'), schedule);
  const history = h('tbody');
  const moreHistory = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show older entries');
  const article = h('article', { class: 'campaign' },
    h('header', { class: 'campaign-head' }, badge, title, summary, source),
    image,
    h('div', { class: 'campaign-grid' },
      h('section', { class: 'numbers', 'aria-labelledby': 'numbers-title' }, h('h2', { id: 'numbers-title' }, 'Where it stands'), numbers),
      h('section', { class: 'panel', id: 'your-part', 'aria-labelledby': 'you-title' },
        h('h2', { id: 'you-title' }, 'What you can do'), status, choice, actions)),
    aboutSection,
    rewardsSection,
    scheduleSection,
    h('section', { 'aria-labelledby': 'updates-title' }, h('h2', { id: 'updates-title' }, 'Updates'), updates),
    h('section', { 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'Pledge history'),
      h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'history-title' },
        h('table', { class: 'history' },
          h('thead', {}, h('tr', {}, ['When', 'What', 'Who', 'Amount', 'Transaction'].map((t) => h('th', { scope: 'col', class: t === 'Amount' ? 'num' : null }, t)))),
          history)),
      moreHistory));
  main.replaceChildren(h('p', { class: 'back' }, h('a', { href: '#/' }, '← All campaigns')), article);
  takeOver(status);

  let campaign = null;
  let standing = null;
  let roll = null; // GET /campaigns/{id}/tiers
  let chosen = null; // the reward tier the viewer chose, until the pledge form is filled
  let aboutKey = null; // the story and links shown (a 50 KB story is not rebuilt on every event)
  let describing = null; // the refresh due while the gateway fetches a description
  let tries = 0;
  const documents = new Map(); // an update's verified document by its link, fetched once
  let historyCursor = null;
  let historyShown = 0;
  let busy = false;
  let gone = false;
  let clock = null; // the refresh due when the deadline (or the opening) passes
  let shownKey = null; // what the action panel was last rendered from
  let cancelAsked = false; // the creator opened the cancel confirmation

  async function refresh({ clear = false } = {}) {
    try {
      const [c, page, tiers] = await Promise.all([
        get(`/campaigns/${id}`),
        get(`/campaigns/${id}/pledges`, { limit: Math.min(100, Math.max(HISTORY_PAGE, historyShown)) }),
        get(`/campaigns/${id}/tiers`).catch(() => null), // the rest of the page stands without them
      ]);
      standing = wallet.account ? await get(`/campaigns/${id}/backers/${wallet.account}`).catch(() => null) : null;
      // Answers can arrive out of order: never show older figures over newer ones.
      if (gone || (campaign && c.block.number < campaign.block.number)) return;
      campaign = c;
      roll = tiers;
      for (const section of article.querySelectorAll('section')) section.hidden = false;
      renderHead();
      renderAbout();
      renderTiers();
      renderNumbers();
      renderMilestones();
      renderUpdates();
      history.replaceChildren();
      historyShown = 0;
      addHistory(page);
      renderActions(clear);
      clearTimeout(clock);
      const wait = untilClockChange([c]);
      if (wait !== null) clock = setTimeout(() => refresh(), wait);
      clearTimeout(describing);
      // The tiers are read in parallel: they may still say unavailable where the campaign does not.
      const statuses = [c.metadata_status, tiers?.metadata_status, ...c.updates.map((u) => u.content_status)];
      const again = untilDescribed(statuses, tries);
      tries = again === null ? 0 : tries + 1;
      if (again !== null) describing = setTimeout(() => refresh(), again);
    } catch (error) {
      if (gone) return;
      if (error.status === 404) {
        title.textContent = `Campaign ${id} does not exist`;
        numbers.replaceChildren(h('p', {}, error.message, '. ', h('a', { href: '#/' }, 'See all campaigns')));
        article.querySelectorAll('section:not(.numbers)').forEach((s) => { s.hidden = true; });
      } else {
        numbers.replaceChildren(h('p', { class: 'error' }, `The campaign could not be loaded: ${error.message}`));
      }
    }
  }

  function renderHead() {
    const c = campaign;
    badge.replaceChildren(stateBadge(c.state), h('span', { class: 'muted' }, `#${c.id}`));
    title.textContent = titleOf(c);
    document.title = `${title.textContent} · crowdfund`;
    summary.textContent = c.summary ?? '';
    summary.hidden = !c.summary;
    // Replaced only when it changes: a new <img> on every event would load it again.
    const shown = JSON.stringify([c.metadata_status, c.image]);
    if (image.dataset.shown !== shown) {
      image.dataset.shown = shown;
      image.replaceChildren(cover(c, 'cover') ?? '');
      image.hidden = !image.firstChild;
    }
    source.replaceChildren(linkNote(c, c.metadata_uri, c.metadata_uri_truncated, c.metadata_status, true)
      ?? h('p', { class: 'muted small' }, 'Its description, ', h('code', { class: 'raw-link' }, c.metadata_uri),
        ', was checked against its link by this gateway.'));
  }

  /** The story, in the strict Markdown subset (no HTML ever), and the creator's links. */
  function renderAbout() {
    const m = campaign.metadata;
    aboutSection.hidden = !(m?.story || m?.links?.length);
    const key = JSON.stringify([m?.story, m?.links]);
    if (key === aboutKey) return;
    aboutKey = key;
    about.replaceChildren(
      m?.story ? h('div', { class: 'story' }, renderMarkdown(m.story, { headingLevel: 3 })) : '',
      m?.links?.length
        ? h('ul', { class: 'campaign-links', 'aria-label': 'Links' }, m.links.map((link) => {
          const href = httpsHref(link.url);
          return h('li', {}, href ? h('a', { href, rel: 'noopener noreferrer nofollow', target: '_blank' }, link.label)
            : [link.label, ': ', h('code', {}, link.url)]);
        }))
        : '');
  }

  /** The reward tiers, with who holds them by the open rule of docs/tiers.md. */
  function renderTiers() {
    const tiers = roll?.metadata_status === 'verified' ? roll.tiers : [];
    rewardsSection.hidden = !tiers.length;
    rewards.replaceChildren(h('ol', { class: 'tier-list' }, tiers.map(tierCard)));
  }

  function tierCard(t) {
    const titleId = `tier-${t.id}-title`;
    const places = t.limit === null ? 'Unlimited' : t.sold_out ? 'Sold out' : `${count(t.places_left, 'place')} left`;
    const dataset = t.sold_out ? { tier: t.id, soldOut: 'true' } : { tier: t.id };
    return h('li', { class: 'tier', dataset, 'aria-labelledby': titleId },
      h('h3', { id: titleId, class: 'tier-title' }, t.title),
      h('p', { class: 'tier-amount' }, `${formatAmount(t.min_amount, campaign.token)} or more`),
      h('div', { class: 'tier-description' }, renderMarkdown(t.description, { headingLevel: 4 })),
      h('p', { class: 'tier-facts' },
        h('span', { class: `tier-places${t.sold_out ? ' sold-out' : ''}` }, places),
        ' · ', h('span', { class: 'tier-holders' }, t.holder_count ? `Held by ${count(t.holder_count, 'backer')}` : 'Nobody holds it yet'),
        t.in_line_count ? [' · ', h('span', { class: 'tier-line' }, `${count(t.in_line_count, 'backer')} in line`)] : null,
        t.delivery ? [' · ', h('span', { class: 'tier-delivery' }, `Delivery ${month(t.delivery)}`)] : null),
      campaign.state === 'active'
        ? h('button', { type: 'button', class: 'secondary choose', 'aria-describedby': titleId, onclick: () => choose(t) }, 'Choose')
        : null);
  }

  /** Fill the pledge form with what the chosen tier needs beyond the backer's pledge. */
  function choose(t) {
    chosen = t;
    fillChoice(true);
  }

  function fillChoice(focus) {
    if (!chosen || !campaign) return;
    const token = campaign.token;
    const input = actions.querySelector('#pledge-amount');
    const needs = formatAmount(chosen.min_amount, token);
    choice.hidden = false;
    if (!input) {
      // Not connected (or no wallet): the form appears once connected, filled then.
      choice.textContent = `“${chosen.title}” takes a pledge of ${needs} or more.`;
      if (focus) actions.querySelector('button')?.focus();
      return;
    }
    const held = wallet.account ? BigInt(standing?.pledge ?? '0') : 0n;
    const more = BigInt(chosen.min_amount) - held;
    if (more <= 0n) {
      choice.textContent = `Your pledge of ${formatAmount(held, token)} already reaches “${chosen.title}” (${needs}).`;
    } else {
      input.value = formatUnits(more, token.decimals).replaceAll(',', '');
      choice.textContent = held > 0n
        ? `“${chosen.title}” takes ${needs}: ${formatAmount(more, token)} more than your pledge.`
        : `“${chosen.title}” takes a pledge of ${needs} or more.`;
    }
    chosen = null;
    if (focus) input.focus();
  }

  function renderNumbers() {
    const c = campaign;
    const amount = (v) => formatAmount(v, c.token);
    const currency = c.token.symbol === 'ETH' && /^0x0+$/.test(c.token.address)
      ? 'ETH'
      : [`${c.token.symbol} (token `, h('code', { title: c.token.address }, shortAddress(c.token.address)), ')'];
    numbers.replaceChildren(
      progress(c),
      facts([
        ['Pledged', amount(c.pledged), 'pledged'],
        ['Goal', amount(c.goal), 'goal'],
        ['Cap', BigInt(c.cap) > 0n ? amount(c.cap) : 'No cap', 'cap'],
        ['Backers', backers(c.backer_count), 'backers'],
        ['State', stateWord(c.state), 'state'],
        ['Time left', timing(c, false), 'timing'],
        ['Opens', time(c.starts_at), 'opens'],
        ['Deadline', time(c.deadline), 'deadline'],
        ['Currency', currency, 'currency'],
        ['Creator', [h('code', { title: creatorOf(c) }, shortAddress(creatorOf(c))), c.milestones ? ', paid in tranches by the milestone vault' : null], 'creator'],
      ]),
      h('p', { class: 'muted small' }, `Figures as of block ${c.block.number}.`));
  }

  /** The schedule of a campaign paid through the milestone vault; hidden for any other. */
  function renderMilestones() {
    scheduleSection.hidden = !campaign.milestones;
    if (campaign.milestones) schedule.replaceChildren(...timeline(campaign));
  }

  function renderUpdates() {
    if (!campaign.updates.length) {
      updates.replaceChildren(h('p', { class: 'muted' }, 'No updates yet.'));
      return;
    }
    updates.replaceChildren(h('ol', { class: 'update-list', reversed: true }, [...campaign.updates].reverse().map(updateItem)),
      campaign.update_count > campaign.updates.length
        ? h('p', { class: 'muted small' }, `The newest ${campaign.updates.length} of ${campaign.update_count} updates.`)
        : '');
  }

  /** One update: its title, and when the gateway verified its document, its body and image
   * read from the gateway's own /content (the answer carries titles only). */
  function updateItem(u) {
    const verified = u.content_status === 'verified';
    const body = h('div', { class: 'update-body' });
    if (verified) {
      updateDocument(u.uri).then((doc) => {
        if (!doc) return;
        const picture = contentPath(doc.image);
        body.replaceChildren(
          picture ? h('div', { class: 'cover update-cover' }, h('img', { src: picture, alt: doc.title, loading: 'lazy', decoding: 'async', width: 640, height: 360 })) : '',
          renderMarkdown(doc.body, { headingLevel: 4 }));
      });
    }
    return h('li', { class: 'update', dataset: { status: u.content_status } },
      h('h3', { class: 'update-title' }, verified ? u.title : 'An update'),
      h('p', { class: 'muted small' }, 'Posted ', time(u.timestamp)),
      body,
      linkNote(u, u.uri, u.uri_truncated, u.content_status, true, UPDATE_NOT_SHOWN));
  }

  function updateDocument(uri) {
    if (!documents.has(uri)) {
      const path = contentPath(uri);
      documents.set(uri, path ? get(path).catch(() => null) : Promise.resolve(null));
    }
    return documents.get(uri);
  }

  function addHistory(page) {
    for (const entry of page.items) {
      const paidBy = entry.payer && !sameAddress(entry.payer, entry.backer) ? [' (paid by ', h('code', {}, shortAddress(entry.payer)), ')'] : null;
      history.append(h('tr', { dataset: { kind: entry.kind } },
        h('td', {}, time(entry.timestamp)),
        // A milestone campaign is claimed by its vault (the escrow's creator), not by the
        // real creator, who is paid tranche by tranche (the Milestones section).
        h('td', {}, entry.kind === 'claimed' && campaign.milestones ? 'Collected by the milestone vault' : (HISTORY_WORDS[entry.kind] ?? entry.kind), paidBy),
        h('td', {}, entry.backer ? h('code', { title: entry.backer }, shortAddress(entry.backer)) : '—'),
        h('td', { class: 'num' }, formatAmount(entry.amount, campaign.token)),
        h('td', {}, h('code', { title: entry.transaction_hash }, shortAddress(entry.transaction_hash)))));
    }
    historyShown += page.items.length;
    historyCursor = page.next_cursor;
    moreHistory.hidden = !historyCursor;
    if (!historyShown) history.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No pledges yet.')));
  }

  moreHistory.addEventListener('click', async () => {
    addHistory(await get(`/campaigns/${id}/pledges`, { limit: HISTORY_PAGE, cursor: historyCursor }));
  });

  // ------------------------------------------------------------------ actions

  function label() {
    return campaign?.title ? `“${campaign.title}”` : `campaign ${id}`;
  }

  async function act(what, ask) {
    setBusy(true);
    await transact(status, what, ask, () => refresh({ clear: true }));
    setBusy(false);
  }

  function setBusy(value) {
    busy = value;
    for (const control of actions.querySelectorAll('button, input')) control.disabled = busy;
  }

  const sender = () => ({ sender: wallet.account });

  /** Re-render the panel when what it shows has changed (or to `clear` it after a
   * transaction), keeping what the viewer typed and where the focus was. */
  function renderActions(clear = false) {
    if (!campaign) return;
    const c = campaign;
    const key = JSON.stringify([
      Boolean(wallet.provider), wallet.account, wallet.chainId, c.state, c.creator, c.token,
      BigInt(c.cap) > 0n ? c.pledged : null, // the room left under the cap is shown
      standing && [standing.pledge, standing.unpledge, standing.refund, standing.milestones, standing.tier, standing.in_line],
      c.milestones && [c.milestones.tranches?.map((t) => t.status), c.milestones.halted_at],
    ]);
    if (key === shownKey && !clear) return;
    shownKey = key;
    const typed = new Map([...actions.querySelectorAll('input')].map((i) => [i.id, i.value]));
    const focused = actions.contains(document.activeElement) ? document.activeElement.id || null : undefined;
    if (clear) {
      cancelAsked = false;
      choice.hidden = true; // what a chosen tier took is said; after the pledge, the panel says the reward
    }
    actions.replaceChildren();
    append(actions, panel());
    if (!clear) for (const input of actions.querySelectorAll('input')) input.value = typed.get(input.id) ?? input.value;
    // Focus stays on the same control, or, when that one is gone (the connect button once
    // connected), moves to the panel's first control rather than falling to the page's top.
    if (focused !== undefined) (document.getElementById(focused) ?? actions.querySelector('input, button'))?.focus();
    setBusy(busy);
    fillChoice(false);
  }

  function panel() {
    const c = campaign;
    const said = c.milestones ? MILESTONE_ENDINGS[milestoneEnding(c.milestones, c.state)] ?? ENDINGS[c.state] : ENDINGS[c.state];
    const ending = said ? h('p', { class: 'ending' }, said) : null;
    const opens = c.state === 'upcoming' ? h('p', {}, 'Pledges open ', time(c.starts_at), '.') : null;
    if (!wallet.provider) {
      return [ending, opens, h('p', { class: 'no-wallet' }, 'No wallet found in this browser. Everything here is readable without one; to pledge, install a wallet and reload this page.')];
    }
    if (!wallet.account) {
      return [ending, opens, h('p', {}, 'Connect your wallet to pledge or to see your pledge.'),
        h('button', { type: 'button', id: 'panel-connect', onclick: () => run(connect) }, 'Connect wallet')];
    }
    if (!onRightChain()) {
      return [ending, h('p', {}, `Your wallet is on chain ${wallet.chainId}; this escrow lives on chain ${wallet.expectedChainId}.`),
        h('button', { type: 'button', id: 'panel-switch', onclick: () => run(switchChain) }, `Switch to chain ${wallet.expectedChainId}`)];
    }
    const token = c.token;
    const held = BigInt(standing?.pledge ?? '0');
    const parts = [
      h('p', { class: 'you' }, 'Connected as ', h('code', { title: wallet.account }, shortAddress(wallet.account)), '. ',
        h('span', { id: 'your-pledge', dataset: { pledge: held.toString() } }, `Your pledge: ${formatAmount(held, token)}.`),
        // A vault refund leaves the pledge on record in the escrow: say what came back.
        standing?.milestones?.refunded
          ? h('span', { id: 'your-vault-refund' }, ` You took back ${formatAmount(standing.milestones.refund, token)} from the milestone vault.`)
          : null,
        standing?.tier ? h('span', { id: 'your-tier' }, ` Your reward: ${standing.tier.title}.`) : null,
        standing?.in_line?.length
          ? h('span', { id: 'your-line' }, standing.in_line.map((p) => ` You are ${ordinal(p.place)} in line for ${p.title}.`).join(''))
          : null),
      ending, opens,
    ];
    if (c.state === 'active') {
      const room = BigInt(c.cap) > 0n ? BigInt(c.cap) - BigInt(c.pledged) : null;
      parts.push(amountForm({
        name: 'pledge',
        label: held > 0n ? `Add to your pledge (${token.symbol})` : `Amount to pledge (${token.symbol})`,
        submit: held > 0n ? 'Pledge more' : 'Pledge',
        help: room !== null ? `Up to ${formatAmount(room > 0n ? room : 0n, token)} more fits under the cap.` : null,
        token,
        onAmount: (units) => act(`Pledge ${formatAmount(units, token)} to ${label()}`,
          () => post(`/campaigns/${id}/transactions/pledge`, { ...sender(), amount: units.toString() })),
      }));
      if (held > 0n && standing.unpledge.allowed) {
        parts.push(amountForm({
          name: 'unpledge',
          label: `Amount to take back (${token.symbol})`,
          submit: 'Take back',
          help: `You can take back up to ${formatAmount(standing.unpledge.amount, token)} now.`,
          token,
          onAmount: (units) => act(`Take ${formatAmount(units, token)} back from ${label()}`,
            () => post(`/campaigns/${id}/transactions/unpledge`, { ...sender(), amount: units.toString() })),
        }));
      } else if (held > 0n) {
        parts.push(h('p', { class: 'reason' }, `You cannot take your pledge back now: ${standing.unpledge.reason}.`));
      }
    }
    if (standing?.refund.allowed) {
      const amount = formatAmount(standing.refund.amount, token);
      parts.push(h('button', { type: 'button', id: 'refund', onclick: () => act(`Refund ${amount} from ${label()}`,
        () => post(`/campaigns/${id}/transactions/refund`, sender())) }, `Refund my ${amount}`));
    }
    if (c.milestones) parts.push(...milestoneTools(held));
    if (sameAddress(wallet.account, creatorOf(c))) parts.push(...creatorTools());
    return parts;
  }

  /** Releasing what is due (anyone may), and a backer's objection to the rest. */
  function milestoneTools(held) {
    const m = campaign.milestones;
    const mine = standing?.milestones;
    const tools = [];
    if (somethingDue(m)) {
      tools.push(h('div', { class: 'action' },
        h('button', { type: 'button', id: 'release', 'aria-describedby': 'release-help',
          onclick: () => act(`Release the due tranches of ${label()}`, () => post(`/campaigns/${id}/transactions/release`, sender())) },
        'Release due tranches'),
        h('p', { id: 'release-help', class: 'help' }, 'Anyone may send it: the vault pays the creator every tranche that has fallen due.')));
    }
    if (!mine || held === 0n) return tools;
    const weight = BigInt(mine.objection);
    if (weight > 0n) {
      tools.push(h('div', { class: 'action objection' },
        h('p', { id: 'your-objection', dataset: { objection: weight.toString() } },
          `You object to the rest of the schedule, with your pledge of ${formatAmount(weight, campaign.token)}.`),
        mine.withdraw_objection.allowed
          ? h('button', { type: 'button', id: 'withdraw-objection', class: 'secondary',
            onclick: () => act(`Withdraw your objection to ${label()}`, () => post(`/campaigns/${id}/transactions/withdraw-objection`, sender())) },
          'Withdraw my objection')
          : null));
    } else if (mine.object.allowed) {
      tools.push(h('div', { class: 'action objection' },
        h('button', { type: 'button', id: 'object', class: 'secondary', 'aria-describedby': 'object-help',
          onclick: () => act(`Object to the rest of the schedule of ${label()}`, () => post(`/campaigns/${id}/transactions/object`, sender())) },
        'Object to the rest of the schedule'),
        h('p', { id: 'object-help', class: 'help' }, OBJECTION_MEANS)));
    } else if (['succeeded', 'claimed'].includes(campaign.state) && stillToCome(m) && mine.object.reason) {
      // Before the end objecting is not yet a question; after it, the vault's rule says why not.
      tools.push(h('p', { class: 'reason' }, `You cannot object now: ${mine.object.reason}.`));
    }
    return tools;
  }

  function creatorTools() {
    const c = campaign;
    const tools = [h('h3', {}, 'You created this campaign')];
    if (c.state === 'succeeded' && !c.milestones) { // the vault claims a milestone campaign
      const amount = formatAmount(c.pledged, c.token);
      tools.push(h('button', { type: 'button', id: 'claim', onclick: () => act(`Claim ${amount} from ${label()}`,
        () => post(`/campaigns/${id}/transactions/claim`, sender())) }, `Claim ${amount}`));
    }
    if (c.state === 'upcoming' || c.state === 'active') tools.push(cancelTool());
    const uriId = 'update-uri';
    const uri = h('input', { id: uriId, name: 'uri', type: 'text', inputmode: 'url', autocomplete: 'off', required: true, 'aria-describedby': 'update-help' });
    tools.push(h('form', {
      class: 'action', dataset: { action: 'update' },
      onsubmit: (event) => {
        event.preventDefault();
        const value = uri.value.trim();
        if (!value) return uri.focus();
        act('Post the update', () => post(`/campaigns/${id}/transactions/update`, { ...sender(), uri: value }));
      },
    },
    h('label', { for: uriId }, 'Post an update: its link'),
    h('div', { class: 'field-row' }, uri, h('button', { type: 'submit' }, 'Post update')),
    h('p', { id: 'update-help', class: 'help' }, 'Publish the update anywhere (a web page, IPFS) and anchor its link on chain.')));
    return tools;
  }

  function cancelTool() {
    const confirmBox = h('div', { class: 'confirm', hidden: !cancelAsked, role: 'group', 'aria-labelledby': 'cancel-question' },
      h('p', { id: 'cancel-question' }, 'Cancel for good? Every backer will be able to take their pledge back, and it cannot be undone.'),
      h('button', { type: 'button', id: 'cancel-confirm', class: 'danger',
        onclick: () => act(`Cancel ${label()}`, () => post(`/campaigns/${id}/transactions/cancel`, sender())) }, 'Yes, cancel the campaign'),
      ' ',
      h('button', { type: 'button', id: 'cancel-keep', class: 'secondary',
        onclick: () => { cancelAsked = false; confirmBox.hidden = true; ask.focus(); } }, 'Keep it running'));
    const ask = h('button', { type: 'button', id: 'cancel', class: 'secondary', 'aria-expanded': String(cancelAsked),
      onclick: () => {
        cancelAsked = true;
        confirmBox.hidden = false;
        ask.setAttribute('aria-expanded', 'true');
        confirmBox.querySelector('#cancel-confirm').focus();
      } }, 'Cancel this campaign…');
    return h('div', { class: 'cancel-tool' }, ask, confirmBox);
  }

  async function run(step) {
    try {
      await step();
    } catch (error) {
      const problem = walletError(error);
      show(status, problem.kind === 'rejected' ? 'rejected' : 'failed', problem.message);
    }
  }

  // A burst of events (or of wallet changes) is one refresh.
  const refreshSoon = debounce(() => refresh());
  const unsubscribe = subscribe((kind, data) => {
    if (kind === 'reorg' || kind === 'refetch' || String(data?.campaign_id) === String(id)) refreshSoon();
  });
  const offWallet = onChange(refreshSoon);
  refresh();
  return {
    dispose() {
      gone = true;
      clearTimeout(clock);
      clearTimeout(describing);
      unsubscribe();
      offWallet();
    },
  };
}

const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** 1st, 2nd, 3rd, 4th, 11th, 21st: a place in a tier's line. */
export function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

const MONTH = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', timeZone: 'UTC' });

/** "2027-02" -> "February 2027": a month, the same in every time zone. */
function month(text) {
  const [year, number] = text.split('-').map(Number);
  return MONTH.format(new Date(Date.UTC(year, number - 1, 1)));
}

/** The gateway's own path for an ipfs:// link of the checked form, or null. */
function contentPath(uri) {
  const match = /^ipfs:\/\/(bafkrei[a-z2-7]+)$/.exec(uri ?? '');
  return match ? `/content/${match[1]}` : null;
}

/** A labelled amount field with its own error message; calls onAmount(base units). */
function amountForm({ name, label, submit, help, token, onAmount }) {
  const inputId = `${name}-amount`;
  const helpId = uid(`${name}-help`);
  const errorId = uid(`${name}-error`);
  const input = h('input', {
    id: inputId, name: 'amount', type: 'text', inputmode: 'decimal', autocomplete: 'off', required: true,
    'aria-describedby': [help ? helpId : null, errorId].filter(Boolean).join(' '),
  });
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const form = h('form', { class: 'action', dataset: { action: name }, novalidate: true },
    h('label', { for: inputId }, label),
    h('div', { class: 'field-row' }, input, h('button', { type: 'submit' }, submit)),
    help ? h('p', { id: helpId, class: 'help' }, help) : null,
    error);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let units;
    try {
      units = parseUnits(input.value, token.decimals);
      if (units === 0n) throw new AmountError('the amount must be above zero');
    } catch (problem) {
      error.textContent = `Check the amount: ${problem.message}.`;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    onAmount(units);
  });
  return form;
}
