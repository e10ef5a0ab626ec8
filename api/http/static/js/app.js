// The backer page: boots against the gateway that served it, keeps the wallet bar in the
// header current, and shows one view per address (#/, #/campaigns/7, #/new).

import { get } from './api.js';
import { h } from './dom.js';
import { shortAddress } from './units.js';
import { campaignView } from './views/campaign.js';
import { createView } from './views/create.js';
import { listView } from './views/list.js';
import { connect, init, onChange, onRightChain, switchChain, wallet, walletError } from './wallet.js';

const ROUTES = [
  [/^\/$/, listView, 'campaigns'],
  [/^\/campaigns\/(\d+)$/, campaignView, 'campaigns'],
  [/^\/new$/, createView, 'new'],
];
const RETRY_MS = 3000;

const main = document.getElementById('main');
const walletBar = document.getElementById('wallet');
const walletStatus = document.getElementById('wallet-status');
const notice = document.getElementById('notice');
let current = null;
let chain = null;

function route(first = false) {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return; // an in-page anchor, not a view
  const [path, query = ''] = hash.slice(1).split('?');
  const found = ROUTES.map(([re, view, nav]) => [re.exec(path), view, nav]).find(([match]) => match);
  current?.dispose();
  current = null;
  document.title = 'crowdfund';
  for (const link of document.querySelectorAll('nav a')) {
    if (found && link.dataset.nav === found[2]) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (found) {
    const [match, view] = found;
    current = view(main, { match, params: new URLSearchParams(query), escrow: chain.escrow });
  } else {
    main.replaceChildren(h('h1', { id: 'view-title', tabindex: '-1' }, 'Nothing here'),
      h('p', {}, h('a', { href: '#/' }, 'See all campaigns')));
  }
  // After a navigation, focus goes to the new view's heading, as a page load would.
  if (!first) main.querySelector('#view-title')?.focus();
}

async function walletAction(step) {
  walletStatus.textContent = '';
  try {
    await step();
  } catch (error) {
    walletStatus.textContent = walletError(error).message;
  }
}

function renderWallet() {
  if (!wallet.provider) {
    walletBar.replaceChildren(h('span', { class: 'wallet-none' }, 'No wallet: read-only'));
  } else if (!wallet.account) {
    walletBar.replaceChildren(h('button', { type: 'button', id: 'connect', onclick: () => walletAction(connect) }, 'Connect wallet'));
  } else if (!onRightChain()) {
    walletBar.replaceChildren(
      h('code', { class: 'account', title: wallet.account }, shortAddress(wallet.account)),
      h('button', { type: 'button', id: 'switch-chain', onclick: () => walletAction(switchChain) }, `Switch to chain ${wallet.expectedChainId}`));
  } else {
    walletBar.replaceChildren(
      h('span', { class: 'connected' }, h('span', { class: 'visually-hidden' }, 'Connected as '),
        h('code', { class: 'account', id: 'account', title: wallet.account }, shortAddress(wallet.account))));
  }
}

/** The gateway's /health, retried while it cannot answer (node down, index catching up). */
async function health() {
  for (;;) {
    try {
      const answer = await get('/health');
      notice.hidden = true;
      return answer;
    } catch (error) {
      notice.textContent = `The gateway cannot read the chain right now (${error.message}). Trying again…`;
      notice.hidden = false;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

async function boot() {
  document.querySelector('.skip').addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  const answer = await health();
  chain = answer;
  document.getElementById('chain').replaceChildren(
    `Chain ${answer.chain_id} · escrow `, h('code', { title: answer.escrow }, answer.escrow));
  onChange(renderWallet);
  await init(answer.chain_id);
  window.addEventListener('hashchange', () => route(false));
  route(true);
}

boot();
