// Building elements without innerHTML: every string from the chain, the gateway or a
// metadata document becomes a text node, so none of it can ever run as markup.

/** h('a', {href: '#/', class: 'brand'}, 'crowdfund'): attributes, `on*` listeners, children. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = value;
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append children (nodes, strings, numbers, nested arrays); null and false are skipped. */
export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A labelled form field with its help and its own error line (`#<id>-error`); `tag`:
 * 'textarea' for text of several lines. */
export function field({ id, label, help, tag = 'input', ...input }) {
  const helpId = help ? `${id}-help` : null;
  const errorId = `${id}-error`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h(tag, { id, name: id, autocomplete: 'off', 'aria-describedby': [helpId, errorId].filter(Boolean).join(' '), ...input }),
    help ? h('p', { id: helpId, class: 'help' }, help) : null,
    h('p', { id: errorId, class: 'field-error', hidden: true }));
}

/** Rows of fields added and removed at the end, at most `max` (a schedule's tranches, a
 * campaign's reward tiers). `row(n)` builds row n, counted from 1; a new row takes the
 * focus, and removing one gives it to the row before. `words`: {add, remove, full}. */
export function growingRows({ max, name, words, row }) {
  const rows = h('ol', { class: `${name}-rows` });
  const add = h('button', { type: 'button', class: 'secondary', id: `add-${name}` }, words.add);
  const remove = h('button', { type: 'button', class: 'secondary', id: `remove-${name}`, hidden: true }, words.remove);
  const count = () => rows.children.length;
  function refreshButtons() {
    add.disabled = count() >= max;
    add.textContent = count() >= max ? words.full : words.add;
    remove.hidden = count() === 0;
  }
  add.addEventListener('click', () => {
    const added = row(count() + 1);
    rows.append(added);
    refreshButtons();
    added.querySelector('input').focus();
  });
  remove.addEventListener('click', () => {
    rows.lastElementChild?.remove();
    refreshButtons();
    (count() ? rows.lastElementChild.querySelector('input') : add).focus();
  });
  return { rows, buttons: h('div', { class: 'field-row' }, add, remove) };
}

/** A definition list's rows: [['Goal', '10 ETH'], ...]; null rows are left out. */
export function facts(rows, className = 'facts') {
  return h('dl', { class: className },
    rows.filter(Boolean).map(([term, value, name]) =>
      h('div', { dataset: name ? { fact: name } : undefined }, h('dt', {}, term), h('dd', {}, value))));
}

/** Ids unique within the page, for label/aria wiring of repeated forms. */
let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
