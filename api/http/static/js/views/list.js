// The campaigns, newest first, filtered by state; the numbers follow the event stream.

import { get } from '../api.js';
import { debounce, subscribe } from '../events.js';
import { h } from '../dom.js';
import { trancheSummary } from '../milestones.js';
import {
  STATES, backers, cover, linkNote, progress, stateBadge, stateWord, timing, titleOf, untilClockChange, untilDescribed,
} from '../parts.js';

const PAGE = 12;

export function listView(main, { params }) {
  const state = STATES.includes(params.get('state')) ? params.get('state') : '';
  const list = h('ul', { class: 'cards', id: 'campaign-list', 'aria-busy': 'true' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more campaigns');
  const summary = h('p', { class: 'muted', id: 'list-summary', 'aria-live': 'polite' }, 'Loading campaigns…');
  const select = h('select', { id: 'state-filter', name: 'state' },
    h('option', { value: '' }, 'All campaigns'),
    STATES.map((s) => h('option', { value: s, selected: s === state }, stateWord(s))));
  select.addEventListener('change', () => {
    location.hash = select.value ? `#/?state=${select.value}` : '#/';
  });

  main.replaceChildren(
    h('h1', { id: 'view-title', tabindex: '-1' }, state ? `${stateWord(state)} campaigns` : 'Campaigns'),
    h('p', { class: 'lead' }, 'All-or-nothing: backers get their pledge back unless the campaign reaches its goal by its deadline.'),
    h('form', { class: 'filter', onsubmit: (e) => e.preventDefault() },
      h('label', { for: 'state-filter' }, 'Show'), select),
    summary, list, more);

  let cursor = null;
  let shown = 0;
  let clock = null; // the refresh due when a shown campaign opens or ends
  let describing = null; // the refresh due while the gateway fetches a description
  let tries = 0;
  const items = [];

  async function load(reset) {
    list.setAttribute('aria-busy', 'true');
    try {
      // A refresh reloads as many as are shown, so the list does not shrink under the reader.
      const limit = reset ? Math.min(100, Math.max(PAGE, shown)) : PAGE;
      const page = await get('/campaigns', { state, limit, cursor: reset ? null : cursor });
      if (reset) {
        list.replaceChildren();
        shown = 0;
        items.length = 0;
      }
      for (const c of page.items) list.append(card(c));
      items.push(...page.items);
      clearTimeout(clock);
      const wait = untilClockChange(items);
      if (wait !== null) clock = setTimeout(() => load(true), wait);
      clearTimeout(describing);
      const again = untilDescribed(items.map((c) => c.metadata_status), tries);
      tries = again === null ? 0 : tries + 1;
      if (again !== null) describing = setTimeout(() => load(true), again);
      shown += page.items.length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      summary.textContent = shown ? `${shown} campaign${shown === 1 ? '' : 's'}${cursor ? ' so far' : ''}, newest first.` : 'No campaigns here yet.';
    } catch (error) {
      summary.textContent = `The campaigns could not be loaded: ${error.message}`;
    } finally {
      list.setAttribute('aria-busy', 'false');
    }
  }

  more.addEventListener('click', () => load(false));
  const refresh = debounce(() => load(true));
  const unsubscribe = subscribe(() => refresh());
  load(true);
  return {
    dispose() {
      unsubscribe();
      clearTimeout(clock);
      clearTimeout(describing);
    },
  };
}

function card(c) {
  const titleId = `campaign-${c.id}-title`;
  return h('li', { class: 'card', dataset: { campaignId: c.id, status: c.metadata_status } },
    h('article', { 'aria-labelledby': titleId },
      cover(c, 'cover card-cover'),
      h('div', { class: 'card-top' }, stateBadge(c.state), h('span', { class: 'muted' }, `#${c.id}`)),
      h('h2', { id: titleId, class: 'card-title' }, h('a', { href: `#/campaigns/${c.id}` }, titleOf(c))),
      c.summary ? h('p', { class: 'summary' }, c.summary) : null,
      linkNote(c),
      progress(c, 4),
      c.milestones ? h('p', { class: 'card-facts card-tranches' }, trancheSummary(c.milestones)) : null,
      h('p', { class: 'card-facts' },
        h('span', { class: 'backers' }, backers(c.backer_count)), ' · ', h('span', { class: 'timing' }, timing(c)))));
}
