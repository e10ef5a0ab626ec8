import time
import brownie
from brownie import CrowdfundEscrow, accounts, chain, web3

def test_probe():
    esc = CrowdfundEscrow.deploy({"from": accounts[0]})
    t0 = web3.eth.get_block("latest")["timestamp"]
    esc.createCampaign("0x" + "00"*20, 10, 0, 0, t0 + 100000, "x", {"from": accounts[0]})
    mk = web3.provider.make_request
    s = time.time()
    for i in range(50):
        mk("eth_blockNumber", [])
    print("blockNumber", (time.time()-s)/50)
    data = esc.postUpdate.encode_input(1, "u")
    s = time.time()
    for i in range(50):
        h = mk("eth_sendTransaction", [{"from": accounts[0].address, "to": esc.address, "data": data, "gas": hex(200000), "gasPrice": "0x0"}])
    print("send only", (time.time()-s)/50)
    s = time.time()
    for i in range(50):
        h = mk("eth_sendTransaction", [{"from": accounts[0].address, "to": esc.address, "data": data, "gas": hex(200000), "gasPrice": "0x0"}])["result"]
        r = mk("eth_getTransactionReceipt", [h])
    print("send+receipt", (time.time()-s)/50)
    s = time.time()
    for i in range(50):
        mk("eth_call", [{"to": esc.address, "data": esc.pledgeOf.encode_input(1, accounts[1].address)}, "latest"])
    print("raw call", (time.time()-s)/50)
    s = time.time()
    for i in range(20):
        esc.pledge(1, 1, {"from": accounts[1], "value": 1})
    print("brownie pledge", (time.time()-s)/20)
    s = time.time()
    for i in range(20):
        esc.pledge(1, 1, {"from": accounts[1], "value": 1, "gas": 200000, "gas_price": 0, "required_confs": 1})
    print("brownie pledge gas set", (time.time()-s)/20)
