// Start a campaign: the creator writes its description (title, summary, story, image,
// reward tiers), which the page publishes on the gateway by its hash (or gives the link to
// one published elsewhere), and signs the escrow's createCampaign with their own wallet
// (the milestone vault's, when the creator asks to be paid in tranches).

import { GatewayError, post } from '../api.js';
import { descriptionFields, publish } from '../describe.js';
import { append, field, growingRows, h } from '../dom.js';
import { share } from '../milestones.js';
import { handOver, show, statusLine, transact } from '../tx.js';
import { AmountError, fromLocalInput, parseUnits, toLocalInput } from '../units.js';
import { call, chainTime, ready, wallet, walletError } from '../wallet.js';

// keccak256("CampaignCreated(uint256,address,address,uint256,uint256,uint64,uint64,string)"),
// checked against the escrow's ABI by tests/page/test_create_and_claim.py.
export const CAMPAIGN_CREATED = '0x84674e631996a02da9444cb0ca1dd484abc1b056b62bee5f71d78d1226dc9f26';
const ETH = '0x0000000000000000000000000000000000000000';
const DECIMALS = '0x313ce567'; // decimals()
const SYMBOL = '0x95d89b41'; // symbol()
const DAY = 86400;
// MilestoneVault.MAX_TRANCHES and MAX_RELEASE_DELAY (five years of 365.25 days, rounded down).
const MAX_TRANCHES = 12;
const MAX_DAYS_AFTER = 1826;

/** The ABI string (or bytes32, for old tokens) in an eth_call answer. */
function decodeString(hex) {
  const bytes = hex.replace(/^0x/, '');
  let text = bytes.length === 64 ? bytes : bytes.slice(128, 128 + 2 * Number(BigInt(`0x${bytes.slice(64, 128) || '0'}`)));
  text = text.replace(/(00)+$/, '');
  return new TextDecoder().decode(new Uint8Array(text.match(/../g)?.map((b) => parseInt(b, 16)) ?? []));
}

/** The optional schedule: rows of a share and a number of days after the deadline. With
 * none, the campaign is the escrow's own and the creator claims it all at once. */
function scheduleFields() {
  const error = h('p', { id: 'schedule-error', class: 'field-error', hidden: true });
  const { rows, buttons } = growingRows({
    max: MAX_TRANCHES,
    name: 'tranche',
    words: { add: 'Add a tranche', remove: 'Remove the last tranche', full: `At most ${MAX_TRANCHES} tranches` },
    row: (n) => h('li', { class: 'tranche-row' },
      field({ id: `tranche-${n}-share`, label: `Tranche ${n}: share (%)`, type: 'text', inputmode: 'decimal', 'aria-describedby': `tranche-${n}-share-error schedule-error` }),
      field({ id: `tranche-${n}-days`, label: `Tranche ${n}: days after the deadline`, type: 'text', inputmode: 'numeric',
        value: n === 1 ? '0' : '', help: n === 1 ? '0: at the deadline.' : null })),
  });
  const fieldset = h('fieldset', { class: 'schedule', 'aria-describedby': 'schedule-help' },
    h('legend', {}, 'Pay me in tranches (optional)'),
    h('p', { id: 'schedule-help', class: 'help' },
      'Leave it empty to claim everything at once. With tranches, the milestone vault holds the funds and pays you each share once it falls due; backers holding more than half of the pledged total can stop the tranches still to come. The shares add up to 100%.'),
    rows, error, buttons);
  return { fieldset, rows, error };
}

export function createView(main, { escrow }) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const tranches = scheduleFields();
  const description = descriptionFields();
  const status = statusLine();
  const submit = h('button', { type: 'submit' }, 'Create campaign');
  const elsewhere = h('details', { class: 'elsewhere' },
    h('summary', {}, 'Already published? Give its link instead'),
    field({ id: 'new-uri', label: 'Link to the campaign’s description', type: 'text', inputmode: 'url',
      help: 'An ipfs:// link to a description published with crowdfund publish or your own IPFS node, which the gateway checks; any other link is shown as written. With a link, the fields above are not used.' }));
  const form = h('form', { class: 'create', novalidate: true },
    description.fieldset,
    elsewhere,
    field({ id: 'new-token', label: 'Token address (optional)', type: 'text', spellcheck: 'false',
      help: 'Leave empty to raise ETH, or give the address of an ERC-20 token.' }),
    field({ id: 'new-goal', label: 'Goal', type: 'text', inputmode: 'decimal', required: true,
      help: 'The least it must raise by the deadline, in whole units (like 2.5). Below it, every backer gets their pledge back.' }),
    field({ id: 'new-cap', label: 'Cap (optional)', type: 'text', inputmode: 'decimal',
      help: 'The most it accepts; leave empty for no cap.' }),
    field({ id: 'new-start', label: 'Pledges open (optional)', type: 'datetime-local',
      help: `Leave empty to open at once. Times are in your time zone (${zone}).` }),
    field({ id: 'new-deadline', label: 'Deadline', type: 'datetime-local', required: true,
      help: `Pledges close then (at most 366 days from the start). Your time zone: ${zone}.` }),
    tranches.fieldset,
    submit);
  main.replaceChildren();
  append(main, [
    h('h1', { id: 'view-title', tabindex: '-1' }, 'Start a campaign'),
    h('p', { class: 'lead' }, 'Set a goal and a deadline. If the goal is reached in time you claim it all, at once or in tranches; otherwise every backer takes their pledge back.'),
    wallet.provider ? null : h('p', { class: 'no-wallet' }, 'No wallet found in this browser: creating a campaign needs one to sign it.'),
    form, status]);

  const input = (id) => form.querySelector(`#${id}`);
  // The deadline a month ahead by the chain's own clock where the wallet can tell it.
  const defaultDeadline = (now) => { input('new-deadline').value ||= toLocalInput(now + 30 * DAY); };
  defaultDeadline(Math.floor(Date.now() / 1000));
  if (wallet.account) chainTime().then(defaultDeadline).catch(() => {});

  function problem(id, message) {
    const error = form.querySelector(`#${id}-error`);
    error.textContent = message;
    error.hidden = false;
    input(id).setAttribute('aria-invalid', 'true');
    input(id).focus();
    return null;
  }

  function clearProblems() {
    for (const error of form.querySelectorAll('.field-error')) error.hidden = true;
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  async function currency(token) {
    if (!token) return { address: ETH, decimals: 18, symbol: 'ETH' };
    if (!/^0x[0-9a-fA-F]{40}$/.test(token)) return problem('new-token', 'An address is 0x followed by 40 hexadecimal digits.');
    try {
      await ready();
      const decimals = Number(BigInt(await call(token, DECIMALS)));
      const symbol = decodeString(await call(token, SYMBOL)) || 'tokens';
      return { address: token, decimals, symbol };
    } catch (error) {
      if (error?.kind) throw error;
      return problem('new-token', `${token} does not answer as an ERC-20 token (no decimals()).`);
    }
  }

  /** The form's values as the gateway's create body, or null (a field says what is wrong). */
  async function body() {
    clearProblems();
    const uri = input('new-uri').value.trim();
    const unit = await currency(input('new-token').value.trim());
    if (!unit) return null;
    // Without a link, the description is written here and published before the campaign.
    const described = uri ? null : await description.read(form, unit, problem);
    if (!uri && !described) return null;
    const amount = (id, optional) => {
      const text = input(id).value.trim();
      if (!text && optional) return 0n;
      try {
        const units = parseUnits(text, unit.decimals);
        if (units === 0n && !optional) throw new AmountError('the goal must be above zero');
        return units;
      } catch (error) {
        return problem(id, `Check the amount: ${error.message}.`);
      }
    };
    const goal = amount('new-goal', false);
    if (goal === null) return null;
    const cap = amount('new-cap', true);
    if (cap === null) return null;
    if (cap > 0n && cap < goal) return problem('new-cap', 'The cap must be at least the goal.');
    const startsAt = fromLocalInput(input('new-start').value) ?? 0;
    const deadline = fromLocalInput(input('new-deadline').value);
    if (!deadline) return problem('new-deadline', 'Choose when pledges close.');
    if (startsAt && deadline <= startsAt) return problem('new-deadline', 'The deadline must come after the opening.');
    const request = {
      token: unit.address, goal: goal.toString(), cap: cap.toString(), starts_at: startsAt, deadline, metadata_uri: uri,
    };
    if (tranches.rows.children.length) {
      const schedule = scheduleOf(deadline);
      if (!schedule) return null;
      request.schedule = schedule;
    }
    return { unit, request, described, tranches: request.schedule?.length ?? 0 };
  }

  /** The rows as the gateway's schedule (the vault's rules checked in the rows' words), or
   * null (the row or the schedule says what is wrong). */
  function scheduleOf(deadline) {
    const schedule = [];
    let previous = null;
    for (let n = 1; n <= tranches.rows.children.length; n += 1) {
      let bps;
      try {
        bps = parseUnits(input(`tranche-${n}-share`).value.replace('%', ''), 2);
        if (bps === 0n) throw new AmountError('a tranche’s share must be above 0%');
      } catch (error) {
        return problem(`tranche-${n}-share`, `Check the share: ${error.message}.`);
      }
      const days = input(`tranche-${n}-days`).value.trim();
      if (!/^\d+$/.test(days)) return problem(`tranche-${n}-days`, 'Give a whole number of days after the deadline (0: at the deadline).');
      if (Number(days) > MAX_DAYS_AFTER) return problem(`tranche-${n}-days`, `At most ${MAX_DAYS_AFTER} days (five years) after the deadline.`);
      if (previous !== null && Number(days) <= previous) return problem(`tranche-${n}-days`, `Tranche ${n} must fall due after tranche ${n - 1} (${previous} days).`);
      previous = Number(days);
      schedule.push({ release_at: deadline + previous * DAY, share_bps: Number(bps) });
    }
    const total = schedule.reduce((sum, t) => sum + t.share_bps, 0);
    if (total !== 10000) {
      tranches.error.textContent = `The shares add up to ${share(total)}, not 100%.`;
      tranches.error.hidden = false;
      for (let n = 1; n <= schedule.length; n += 1) input(`tranche-${n}-share`).setAttribute('aria-invalid', 'true');
      input('tranche-1-share').focus();
      return null;
    }
    return schedule;
  }

  /** Publish the description on the gateway and put its link in the request; false (the
   * form or the status line says why) when the gateway does not take it. */
  async function published(values) {
    show(status, 'building', values.described.image
      ? 'Publishing the image, then the description, on the gateway.'
      : 'Publishing the description on the gateway.');
    try {
      values.request.metadata_uri = await publish(values.described);
      return true;
    } catch (error) {
      if (error instanceof GatewayError && error.status === 403) {
        // A read-only gateway: the creator publishes elsewhere and gives the link.
        status.hidden = true;
        elsewhere.open = true;
        problem('new-uri', 'This gateway does not store content (its uploads are switched off). Publish the description elsewhere (crowdfund publish on a gateway that stores it, or your own IPFS node) and give its link here.');
        return false;
      }
      show(status, 'failed', `The description could not be published: ${error.message}.`);
      return false;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const values = await body();
      if (!values) return;
      if (values.described && !(await published(values))) return;
      const paid = values.tranches ? `, paid in ${values.tranches === 1 ? '1 tranche' : `${values.tranches} tranches`}` : '';
      const receipt = await transact(status, `Create the campaign (${values.unit.symbol}${paid})`,
        () => post('/campaigns/transactions/create', { sender: wallet.account, ...values.request }));
      const log = receipt?.logs.find((l) => l.topics[0] === CAMPAIGN_CREATED && l.address.toLowerCase() === escrow.toLowerCase());
      if (log) {
        handOver(status);
        location.hash = `#/campaigns/${BigInt(log.topics[1])}`;
      }
    } catch (error) {
      const trouble = walletError(error);
      show(status, trouble.kind === 'rejected' ? 'rejected' : 'failed', trouble.message);
    } finally {
      submit.disabled = false;
    }
  });
  return { dispose() {} };
}
