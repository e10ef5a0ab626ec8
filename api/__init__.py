"""The crowdfund gateway: campaign state read from an Ethereum node, over HTTP."""
