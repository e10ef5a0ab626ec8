// The create form's description of a campaign: title, summary, story, image and reward
// tiers, checked here by the rules of docs/metadata.schema.json (so that a mistake is named
// on its field before anything is sent), then published through the gateway's
// POST /content: the image first, then the document that names it by its ipfs:// link.

import { upload } from './api.js';
import { field, growingRows, h } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { AmountError, parseUnits } from './units.js';

// The schema's caps (docs/content.md), in characters as JSON Schema counts them.
const TITLE_CHARS = 120;
const SUMMARY_CHARS = 280;
const STORY_CHARS = 50_000;
const TIER_DESCRIPTION_CHARS = 2000;
const MAX_TIERS = 20;
const MAX_LIMIT = 1_000_000;
// The content store's caps, in bytes.
const IMAGE_BYTES = 2 * 1024 * 1024;
const DOCUMENT_BYTES = 256 * 1024;
// What the schema refuses in one-line text and in Markdown: control characters (Markdown
// keeps tabs and line breaks) and the bidirectional overrides that make text read in
// another order than it displays.
const NOT_IN_A_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const NOT_IN_MARKDOWN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
const MONTH = /^2\d{3}-(0[1-9]|1[0-2])$/;

const chars = (text) => [...text].length;

/** The image's type read from its first bytes, as the gateway reads it, or null. */
async function imageType(file) {
  const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const has = (bytes, at = 0) => bytes.every((b, i) => head[at + i] === b);
  if (has([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (has([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (has([0x52, 0x49, 0x46, 0x46]) && has([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

/** A tier's id from its title: lower-case letters, digits and hyphens, unique. */
function tierId(title, taken, n) {
  const base = title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 28) || `tier-${n}`;
  let id = base;
  for (let k = 2; taken.has(id); k += 1) id = `${base}-${k}`;
  taken.add(id);
  return id;
}

/** Rows of reward tiers, added and removed at the end, as the tranches are. */
function tierFields() {
  const { rows, buttons } = growingRows({
    max: MAX_TIERS,
    name: 'tier',
    words: { add: 'Add a reward tier', remove: 'Remove the last tier', full: `At most ${MAX_TIERS} tiers` },
    row: (n) => h('li', { class: 'tier-row' },
      field({ id: `tier-${n}-title`, label: `Tier ${n}: title`, type: 'text', maxlength: TITLE_CHARS }),
      field({ id: `tier-${n}-amount`, label: `Tier ${n}: least pledge`, type: 'text', inputmode: 'decimal',
        help: 'In the campaign’s currency, in whole units (like 0.5).' }),
      field({ id: `tier-${n}-description`, label: `Tier ${n}: what the backer gets`, tag: 'textarea', rows: 2 }),
      field({ id: `tier-${n}-limit`, label: `Tier ${n}: places (optional)`, type: 'text', inputmode: 'numeric',
        help: 'Leave empty for no limit.' }),
      field({ id: `tier-${n}-delivery`, label: `Tier ${n}: delivery (optional)`, type: 'month', placeholder: 'YYYY-MM' })),
  });
  const fieldset = h('fieldset', { class: 'tiers-fields', 'aria-describedby': 'tiers-help' },
    h('legend', {}, 'Reward tiers (optional)'),
    h('p', { id: 'tiers-help', class: 'help' },
      `Up to ${MAX_TIERS}. A backer holds the highest tier its pledge reaches that has a place left; places go in the order pledges reached the amount.`),
    rows, buttons);
  return { fieldset, rows };
}

/**
 * The description's fields, and `read(form, unit, problem)`: the document and image to
 * publish, or null once `problem(id, message)` has named what is wrong.
 */
export function descriptionFields() {
  const tiers = tierFields();
  const preview = h('section', { class: 'preview', 'aria-labelledby': 'preview-title', hidden: true });
  const fieldset = h('fieldset', { class: 'description' },
    h('legend', {}, 'What backers read'),
    field({ id: 'new-title', label: 'Title', type: 'text', maxlength: TITLE_CHARS,
      help: `One line, at most ${TITLE_CHARS} characters.` }),
    field({ id: 'new-summary', label: 'Summary (optional)', type: 'text', maxlength: SUMMARY_CHARS,
      help: `One line for the campaign’s card, at most ${SUMMARY_CHARS} characters.` }),
    field({ id: 'new-story', label: 'Story (optional)', tag: 'textarea', rows: 8,
      help: 'Markdown: # headings, *emphasis*, **strong**, `code`, lists, > quotes and [links](https://…). HTML is shown as written.' }),
    field({ id: 'new-image', label: 'Image (optional)', type: 'file', accept: 'image/png,image/jpeg,image/webp',
      help: 'PNG, JPEG or WebP, at most 2 MiB; shown 16:9 on the cards.' }),
    tiers.fieldset,
    h('div', { class: 'field-row' },
      h('button', { type: 'button', class: 'secondary', id: 'show-preview', onclick: (event) => showPreview(event.target.form) }, 'Preview')),
    preview);

  /** What backers will read, as the campaign's page shows it, before anything is sent. */
  async function showPreview(form) {
    const value = (id) => form.querySelector(`#${id}`).value;
    const file = form.querySelector('#new-image').files[0];
    // The creator's own file, read here (a data: image: the page loads images from nowhere else).
    const picture = file && file.size <= IMAGE_BYTES && (await imageType(file))
      ? await new Promise((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.onerror = () => resolve(null);
        reader.readAsDataURL(file);
      })
      : null;
    const rows = [...tiers.rows.children].map((_, k) => (part) => value(`tier-${k + 1}-${part}`).trim());
    preview.hidden = false;
    preview.replaceChildren(
      h('h2', { id: 'preview-title', tabindex: '-1' }, 'Preview'),
      h('div', { class: 'campaign-preview' },
        picture ? h('div', { class: 'cover campaign-cover' }, h('img', { src: picture, alt: value('new-title').trim() })) : null,
        h('p', { class: 'preview-title' }, value('new-title').trim() || '(no title yet)'),
        value('new-summary').trim() ? h('p', { class: 'lead summary' }, value('new-summary').trim()) : null,
        h('div', { class: 'story' }, renderMarkdown(value('new-story'), { headingLevel: 3 })),
        rows.length
          ? h('ol', { class: 'tier-list' }, rows.map((tier) => h('li', { class: 'tier' },
            h('h3', { class: 'tier-title' }, tier('title') || '(no title yet)'),
            h('p', { class: 'tier-amount' }, `${tier('amount') || '?'} or more`),
            h('div', { class: 'tier-description' }, renderMarkdown(tier('description'), { headingLevel: 4 })),
            h('p', { class: 'tier-facts' }, tier('limit') ? `${tier('limit')} places` : 'Unlimited',
              tier('delivery') ? ` · Delivery ${tier('delivery')}` : ''))))
          : null));
    preview.querySelector('#preview-title').focus();
  }

  async function read(form, unit, problem) {
    const value = (id) => form.querySelector(`#${id}`).value;
    const title = value('new-title').trim();
    if (!title) return problem('new-title', 'Give the campaign a title (or, below, the link to a description published elsewhere).');
    if (chars(title) > TITLE_CHARS) return problem('new-title', `At most ${TITLE_CHARS} characters; this is ${chars(title)}.`);
    if (NOT_IN_A_LINE.test(title)) return problem('new-title', 'One line of text: no line breaks, control characters or direction overrides.');
    const document = { title };
    const summary = value('new-summary').trim();
    if (summary) {
      if (chars(summary) > SUMMARY_CHARS) return problem('new-summary', `At most ${SUMMARY_CHARS} characters; this is ${chars(summary)}.`);
      if (NOT_IN_A_LINE.test(summary)) return problem('new-summary', 'One line of text: no line breaks, control characters or direction overrides.');
      document.summary = summary;
    }
    const story = value('new-story').replace(/\r\n?/g, '\n');
    if (story.trim()) {
      if (chars(story) > STORY_CHARS) return problem('new-story', `At most ${STORY_CHARS.toLocaleString('en')} characters; this is ${chars(story).toLocaleString('en')}.`);
      if (NOT_IN_MARKDOWN.test(story)) return problem('new-story', 'No control characters or direction overrides.');
      document.story = story;
    }
    let image = null;
    const file = form.querySelector('#new-image').files[0];
    if (file) {
      if (file.size > IMAGE_BYTES) return problem('new-image', `${file.name} is ${file.size.toLocaleString('en')} bytes; an image may have at most ${IMAGE_BYTES.toLocaleString('en')} (2 MiB).`);
      const type = await imageType(file);
      if (!type) return problem('new-image', `${file.name} is not a PNG, JPEG or WebP image (SVG is refused: it can carry scripts).`);
      image = { bytes: await file.arrayBuffer(), type };
    }
    const taken = new Set();
    const rows = [];
    for (let n = 1; n <= tiers.rows.children.length; n += 1) {
      const id = (part) => `tier-${n}-${part}`;
      const tierTitle = value(id('title')).trim();
      if (!tierTitle) return problem(id('title'), `Give tier ${n} a title.`);
      if (chars(tierTitle) > TITLE_CHARS || NOT_IN_A_LINE.test(tierTitle)) return problem(id('title'), `One line of at most ${TITLE_CHARS} characters.`);
      const description = value(id('description')).replace(/\r\n?/g, '\n');
      if (chars(description) > TIER_DESCRIPTION_CHARS) return problem(id('description'), `At most ${TIER_DESCRIPTION_CHARS.toLocaleString('en')} characters; this is ${chars(description).toLocaleString('en')}.`);
      if (NOT_IN_MARKDOWN.test(description)) return problem(id('description'), 'No control characters or direction overrides.');
      let least;
      try {
        least = parseUnits(value(id('amount')), unit.decimals);
        if (least === 0n) throw new AmountError('a tier’s least pledge must be above zero');
      } catch (error) {
        return problem(id('amount'), `Check the amount: ${error.message}.`);
      }
      const tier = { id: tierId(tierTitle, taken, n), title: tierTitle, description, min_amount: least.toString() };
      const limit = value(id('limit')).trim();
      if (limit) {
        if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) return problem(id('limit'), `A whole number of places from 1 to ${MAX_LIMIT.toLocaleString('en')}, or empty for no limit.`);
        tier.limit = Number(limit);
      }
      const delivery = value(id('delivery')).trim();
      if (delivery) {
        if (!MONTH.test(delivery)) return problem(id('delivery'), 'A month, as YYYY-MM (like 2027-05).');
        tier.delivery = delivery;
      }
      rows.push(tier);
    }
    if (rows.length) document.tiers = rows;
    const size = new TextEncoder().encode(JSON.stringify(document)).length;
    if (size > DOCUMENT_BYTES) return problem('new-story', `The description comes to ${size.toLocaleString('en')} bytes; at most ${DOCUMENT_BYTES.toLocaleString('en')} (256 KiB).`);
    return { document, image };
  }

  return { fieldset, read };
}

/** Publish the image, then the document naming it; the document's ipfs:// link. A gateway
 * that stores nothing (403), or refuses the content, throws its GatewayError. */
export async function publish({ document, image }) {
  const described = { ...document };
  if (image) described.image = (await upload('/content', image.bytes, image.type)).uri;
  const bytes = new TextEncoder().encode(JSON.stringify(described));
  return (await upload('/content', bytes, 'application/json')).uri;
}
