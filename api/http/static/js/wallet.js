// The connection to the viewer's wallet: any EIP-1193 provider at window.ethereum. The
// wallet holds the key and signs; this page only hands it transactions the gateway built.

const USER_REJECTED = 4001; // EIP-1193: the user said no
const UNKNOWN_CHAIN = 4902; // EIP-3326: the wallet does not know the chain
const POLL_MS = 500;

export const wallet = {
  provider: null,
  account: null, // as the wallet reports it
  chainId: null, // a number
  expectedChainId: null, // the gateway's chain
};

const listeners = new Set();

/** fn() after every change of account or chain; returns the unsubscribe. */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function changed() {
  for (const fn of listeners) fn();
}

export class WalletError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind; // 'missing', 'rejected', 'chain', 'failed'
  }
}

/** What an error from the wallet means to the viewer. */
export function walletError(error) {
  if (error instanceof WalletError) return error;
  const code = error?.code ?? error?.data?.code;
  if (code === USER_REJECTED) return new WalletError('rejected', 'You rejected the request in your wallet; nothing was sent.');
  const message = error?.data?.message || error?.message || String(error);
  return new WalletError('failed', `The wallet answered: ${message}`);
}

async function request(method, params = []) {
  if (!wallet.provider) {
    throw new WalletError('missing', 'No wallet found in this browser: install one to pledge (everything stays readable without it).');
  }
  return wallet.provider.request({ method, params });
}

function setAccounts(accounts) {
  wallet.account = Array.isArray(accounts) && accounts.length ? accounts[0] : null;
  changed();
}

function setChain(chainId) {
  wallet.chainId = chainId == null ? null : Number(BigInt(chainId));
  changed();
}

/** Find the wallet and, when the viewer already allowed this site, its account; asks nothing. */
export async function init(expectedChainId) {
  wallet.expectedChainId = expectedChainId;
  wallet.provider = typeof window.ethereum?.request === 'function' ? window.ethereum : null;
  if (!wallet.provider) return changed();
  wallet.provider.on?.('accountsChanged', setAccounts);
  wallet.provider.on?.('chainChanged', setChain);
  try {
    const [accounts, chainId] = await Promise.all([request('eth_accounts'), request('eth_chainId')]);
    wallet.chainId = Number(BigInt(chainId));
    setAccounts(accounts);
  } catch {
    changed();
  }
}

/** Ask the wallet for an account (it shows its own prompt). */
export async function connect() {
  try {
    const accounts = await request('eth_requestAccounts');
    wallet.chainId = Number(BigInt(await request('eth_chainId')));
    setAccounts(accounts);
  } catch (error) {
    throw walletError(error);
  }
}

export const onRightChain = () => wallet.chainId === wallet.expectedChainId;

/** Ask the wallet to switch to the gateway's chain. */
export async function switchChain() {
  const chainId = `0x${wallet.expectedChainId.toString(16)}`;
  try {
    await request('wallet_switchEthereumChain', [{ chainId }]);
    setChain(await request('eth_chainId'));
  } catch (error) {
    if (error?.code === UNKNOWN_CHAIN) {
      throw new WalletError('chain', `Your wallet does not know chain ${wallet.expectedChainId}: add that network to the wallet, then switch to it.`);
    }
    throw walletError(error);
  }
}

/** Connected, on the right chain, or a WalletError that says what is missing. */
export async function ready() {
  if (!wallet.account) await connect();
  if (!onRightChain()) await switchChain();
  if (!onRightChain()) {
    throw new WalletError('chain', `Your wallet is on chain ${wallet.chainId}; switch it to chain ${wallet.expectedChainId}.`);
  }
}

const hex = (decimal) => `0x${BigInt(decimal).toString(16)}`;

/** Hand a gateway-built transaction to the wallet; returns its hash once signed and sent. */
export async function send(tx) {
  try {
    return await request('eth_sendTransaction', [{
      from: tx.from,
      to: tx.to,
      data: tx.data,
      value: hex(tx.value),
      gas: hex(tx.gas),
      chainId: hex(tx.chain_id),
    }]);
  } catch (error) {
    throw walletError(error);
  }
}

/** The receipt of a sent transaction, once it is mined (asked through the wallet's own node). */
export async function receipt(hash) {
  for (;;) {
    const found = await request('eth_getTransactionReceipt', [hash]).catch(() => null);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Read-only contract call through the wallet's node (eth_call), returning the raw hex. */
export function call(to, data) {
  return request('eth_call', [{ to, data }, 'latest']);
}

/** The chain's own clock (the latest block's time), which a local chain may have moved. */
export async function chainTime() {
  const block = await request('eth_getBlockByNumber', ['latest', false]);
  return Number(BigInt(block.timestamp));
}

export const sameAddress = (a, b) => Boolean(a && b) && a.toLowerCase() === b.toLowerCase();
