// One transaction from the page's point of view: the gateway builds and simulates it,
// the wallet signs and sends it, the chain mines it, the gateway indexes it. Each step is
// said in the status line (an aria-live region), and so is every way it can stop.

import { GatewayError, waitIndexed } from './api.js';
import { h } from './dom.js';
import { WalletError, ready, receipt, send, wallet, walletError } from './wallet.js';

const TITLES = {
  building: 'Checking',
  waiting: 'Waiting for your wallet',
  pending: 'Pending',
  confirmed: 'Confirmed',
  rejected: 'Rejected in your wallet',
  refused: 'Refused',
  failed: 'Failed',
};

/** A status line: an element whose text says where a transaction stands. */
export function statusLine() {
  return h('div', { class: 'tx-status', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', hidden: true });
}

let handedOver = null;

/** Keep the last status for the next view (a created campaign's page shows how it went). */
export function handOver(el) {
  handedOver = el.hidden ? null : el.cloneNode(true);
}

export function takeOver(el) {
  if (!handedOver) return;
  el.replaceChildren(...handedOver.childNodes);
  el.dataset.state = handedOver.dataset.state;
  el.hidden = false;
  handedOver = null;
}

export function show(el, state, message, hash = null) {
  el.hidden = false;
  el.dataset.state = state;
  el.replaceChildren(
    h('strong', { class: 'tx-title' }, `${TITLES[state]}: `),
    h('span', { class: 'tx-message' }, message),
  );
  if (hash) el.append(h('span', { class: 'tx-hash' }, ' Transaction ', h('code', {}, hash)));
}

/**
 * Run one user action through the wallet.
 *   label: what the viewer asked for, in words ("Pledge 1.5 ETH to Community garden")
 *   ask(): POSTs to the gateway's transaction builder; called again when an answer says
 *          `then` (a token approve, then the pledge itself)
 *   done(receipt): refreshes what the viewer sees once the gateway has indexed it
 * Returns the final receipt, or null when the action stopped (the status line says why).
 */
export async function transact(status, label, ask, done) {
  try {
    if (!wallet.account) show(status, 'waiting', 'Connect your wallet to go on.');
    await ready();
    show(status, 'building', `${label}: the gateway is checking it against the escrow's rules.`);
    let answer = await ask();
    let mined = null;
    for (;;) {
      const step = answer.action === 'approve' ? `Allow the escrow to take the amount (step 1 of 2, then ${label.toLowerCase()})` : label;
      show(status, 'waiting', `${step}: confirm it in your wallet.`);
      const hash = await send(answer.transaction);
      show(status, 'pending', `${step}: sent, waiting for it to be mined.`, hash);
      mined = await receipt(hash);
      if (BigInt(mined.status) !== 1n) {
        show(status, 'failed', `${step}: the transaction was mined but reverted; nothing changed.`, hash);
        return null;
      }
      if (!answer.then) break;
      show(status, 'building', `${label}: the allowance is in place; the gateway is checking the ${answer.then}.`);
      answer = await ask();
    }
    const block = Number(BigInt(mined.blockNumber));
    show(status, 'pending', `${label}: mined in block ${block}, updating the figures.`, mined.transactionHash);
    await waitIndexed(block);
    await done?.(mined);
    show(status, 'confirmed', `${label}: done in block ${block}.`, mined.transactionHash);
    return mined;
  } catch (error) {
    if (error instanceof GatewayError && error.status === 409) {
      show(status, 'refused', `the escrow would refuse this: ${error.message}.`);
    } else if (error instanceof GatewayError) {
      show(status, 'failed', error.message);
    } else {
      const problem = error instanceof WalletError ? error : walletError(error);
      show(status, problem.kind === 'rejected' ? 'rejected' : 'failed', problem.message);
    }
    return null;
  }
}
