// A strict Markdown subset for the stories, tier descriptions and updates creators write:
// paragraphs, headings (#, ##, ###), emphasis and strong, inline code, code blocks, lists,
// blockquotes and https links. It builds DOM nodes with text nodes only and has no HTML at
// all: a tag, an entity or an image in the source is shown as the characters written, so
// nothing a creator writes can run, load or restyle the page.

import { h } from './dom.js';

// Nesting past these depths is shown as written: a hostile `>>>>…` or `**[*_…` cannot make
// the renderer recurse without bound.
const MAX_QUOTE_DEPTH = 4;
const MAX_INLINE_DEPTH = 6;
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}(#{1,3})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const BULLET = /^ {0,3}([-*+])[ \t]+(.*)$/;
const NUMBERED = /^ {0,3}(\d{1,9})[.)][ \t]+(.*)$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const BLANK = /^[ \t]*$/;
const ESCAPABLE = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

/** Markdown -> a DocumentFragment. `headingLevel`: the element a `#` heading becomes (2:
 * h2), so that a story fits under the page's own headings; deeper ones follow, to h6. */
export function renderMarkdown(source, { headingLevel = 2 } = {}) {
  const lines = String(source ?? '').replace(/\r\n?/g, '\n').split('\n');
  const fragment = document.createDocumentFragment();
  fragment.append(...blocks(lines, headingLevel, 0));
  return fragment;
}

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || BULLET.test(line)
    || NUMBERED.test(line) || RULE.test(line);
}

function blocks(lines, headingLevel, quoteDepth) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let match;
    if (BLANK.test(line)) {
      i += 1;
    } else if ((match = FENCE.exec(line))) {
      // A fenced code block runs to its closing fence (or the end): shown exactly as written.
      const fence = match[1];
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence)) body.push(lines[i++]);
      i += 1;
      out.push(h('pre', {}, h('code', {}, body.join('\n'))));
    } else if (RULE.test(line)) {
      out.push(h('hr'));
      i += 1;
    } else if ((match = HEADING.exec(line))) {
      const level = Math.min(6, headingLevel + match[1].length - 1);
      out.push(h(`h${level}`, {}, inline(match[2] ?? '', 0, false)));
      i += 1;
    } else if ((match = QUOTE.exec(line))) {
      const quoted = [];
      while (i < lines.length && (match = QUOTE.exec(lines[i]))) {
        quoted.push(match[1]);
        i += 1;
      }
      out.push(quoteDepth < MAX_QUOTE_DEPTH
        ? h('blockquote', {}, blocks(quoted, headingLevel, quoteDepth + 1))
        : h('blockquote', {}, h('p', {}, quoted.join('\n'))));
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const ordered = !BULLET.test(line);
      const pattern = ordered ? NUMBERED : BULLET;
      const items = [];
      const start = ordered ? Number(NUMBERED.exec(line)[1]) : null;
      while (i < lines.length) {
        const item = pattern.exec(lines[i]);
        if (item) {
          items.push([item[2]]);
        } else if (!BLANK.test(lines[i]) && /^[ \t]/.test(lines[i]) && items.length) {
          items[items.length - 1].push(lines[i].trim()); // an indented line continues its item
        } else if (BLANK.test(lines[i]) && i + 1 < lines.length && pattern.test(lines[i + 1])) {
          // a blank line between two items keeps the list going
        } else {
          break;
        }
        i += 1;
      }
      out.push(h(ordered ? 'ol' : 'ul', { start: ordered && start !== 1 ? start : null },
        items.map((parts) => h('li', {}, inline(parts.join('\n'), 0, false)))));
    } else {
      const paragraph = [];
      while (i < lines.length && !BLANK.test(lines[i]) && (paragraph.length === 0 || !startsBlock(lines[i]))) {
        paragraph.push(lines[i].trim());
        i += 1;
      }
      out.push(h('p', {}, inline(paragraph.join('\n'), 0, false)));
    }
  }
  return out;
}

/** The https address a link may lead to, or null: any other scheme (javascript:, data:,
 * http:, a relative path) is shown as written, not followed. */
export function httpsHref(url) {
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

const isWordChar = (ch) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
const isSpace = (ch) => ch === undefined || /\s/.test(ch);

/** The spans of one paragraph, heading or list item: text, code, em, strong and links. */
function inline(text, depth, inLink) {
  const out = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push(plain);
    plain = '';
  };
  // The next closing delimiter of each kind, remembered: a search starts again only once
  // the scan has passed the last one found, and none is made once none is left, so that a
  // 50 KB run of `[` or `*` takes one pass, not one per character.
  const found = new Map();
  const closer = (token, from) => {
    const known = found.get(token);
    if (known !== undefined && (known < 0 || known >= from)) return known;
    const at = text.indexOf(token, from);
    found.set(token, at);
    return at;
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\' && ESCAPABLE.test(text[i + 1] ?? '')) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === '`') {
      let run = 1;
      while (text[i + run] === '`') run += 1;
      const fence = '`'.repeat(run);
      const end = closer(fence, i + run);
      if (end >= 0) {
        flush();
        out.push(h('code', {}, text.slice(i + run, end).replace(/\n/g, ' ')));
        i = end + run;
      } else {
        plain += fence;
        i += run;
      }
      continue;
    }
    if (depth < MAX_INLINE_DEPTH && (ch === '*' || ch === '_')) {
      const double = text[i + 1] === ch;
      const token = double ? ch + ch : ch;
      const next = text[i + token.length];
      const opensWord = !isSpace(next) && next !== ch && (ch === '*' || !isWordChar(text[i - 1]));
      const end = opensWord ? closer(token, i + token.length + 1) : -1;
      const closesWord = end >= 0 && !isSpace(text[end - 1]) && (ch === '*' || !isWordChar(text[end + token.length]));
      if (closesWord) {
        flush();
        out.push(h(double ? 'strong' : 'em', {}, inline(text.slice(i + token.length, end), depth + 1, inLink)));
        i = end + token.length;
      } else {
        plain += token;
        i += token.length;
      }
      continue;
    }
    if (ch === '[' || (ch === '!' && text[i + 1] === '[')) {
      const image = ch === '!';
      const open = image ? i + 1 : i;
      const labelEnd = closer(']', open + 1);
      const target = labelEnd >= 0 && text[labelEnd + 1] === '(' ? closer(')', labelEnd + 2) : -1;
      if (target >= 0) {
        const whole = text.slice(i, target + 1);
        const label = text.slice(open + 1, labelEnd);
        const href = httpsHref(text.slice(labelEnd + 2, target));
        // An image would load from the creator's host: shown as written, like raw HTML.
        if (image || inLink || !href || depth >= MAX_INLINE_DEPTH || !label.trim()) {
          plain += whole;
        } else {
          flush();
          out.push(h('a', { href, rel: 'noopener noreferrer nofollow', target: '_blank' }, inline(label, depth + 1, true)));
        }
        i = target + 1;
        continue;
      }
    }
    plain += ch;
    i += 1;
  }
  flush();
  return out;
}
