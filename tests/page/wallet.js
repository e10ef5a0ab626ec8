// A small EIP-1193 wallet for the page tests, injected before the page's own scripts.
// It forwards to anvil, whose dev accounts are unlocked, so eth_sendTransaction is signed
// there; the page never sees a key. Tests steer it through window.testWallet.
(() => {
  const config = window.__testWalletConfig;
  if (!config) return;
  const REMEMBERED = 'test-wallet-connected'; // a real wallet remembers the sites it allowed
  const listeners = new Map();
  const state = {
    account: config.account,
    chainId: config.walletChainId ?? config.chainId,
    knownChains: config.knownChains ?? [config.chainId, config.walletChainId ?? config.chainId],
    connected: sessionStorage.getItem(REMEMBERED) === '1',
    rejectNext: false,
    holding: false,
    release: null,
    requests: [],
  };

  const hex = (n) => `0x${n.toString(16)}`;
  const emit = (event, value) => (listeners.get(event) ?? []).forEach((fn) => fn(value));
  const fail = (code, message) => Object.assign(new Error(message), { code });

  function userSaysNo() {
    if (!state.rejectNext) return false;
    state.rejectNext = false;
    return true;
  }

  async function node(method, params) {
    const response = await fetch(config.rpcUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const body = await response.json();
    if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
    return body.result;
  }

  async function request({ method, params = [] }) {
    state.requests.push(method);
    switch (method) {
      case 'eth_requestAccounts':
        if (userSaysNo()) throw fail(4001, 'User rejected the request.');
        state.connected = true;
        sessionStorage.setItem(REMEMBERED, '1');
        emit('accountsChanged', [state.account]);
        return [state.account];
      case 'eth_accounts':
        return state.connected ? [state.account] : [];
      case 'eth_chainId':
        return hex(state.chainId);
      case 'wallet_switchEthereumChain': {
        const wanted = Number(BigInt(params[0].chainId));
        if (userSaysNo()) throw fail(4001, 'User rejected the request.');
        if (!state.knownChains.includes(wanted)) throw fail(4902, `Unrecognized chain ID "${params[0].chainId}".`);
        state.chainId = wanted;
        emit('chainChanged', hex(wanted));
        return null;
      }
      case 'eth_sendTransaction': {
        const [tx] = params;
        if (!state.connected || tx.from.toLowerCase() !== state.account.toLowerCase()) throw fail(4100, 'Unauthorized');
        if (tx.chainId && Number(BigInt(tx.chainId)) !== state.chainId) throw fail(-32602, 'chainId does not match the wallet');
        if (state.holding) {
          // The user has not decided yet: the wallet's prompt stays open until release().
          await new Promise((resolve) => { state.release = resolve; });
          state.holding = false;
        }
        if (userSaysNo()) throw fail(4001, 'User rejected the request.');
        return node(method, params);
      }
      default:
        return node(method, params);
    }
  }

  window.ethereum = {
    isTestWallet: true,
    request,
    on(event, fn) {
      listeners.set(event, [...(listeners.get(event) ?? []), fn]);
    },
    removeListener(event, fn) {
      listeners.set(event, (listeners.get(event) ?? []).filter((f) => f !== fn));
    },
  };
  window.testWallet = {
    state,
    rejectNext() {
      state.rejectNext = true;
    },
    holdNext() {
      state.holding = true;
    },
    release() {
      state.release?.();
    },
  };
})();
