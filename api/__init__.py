"""The crowdfund gateway: campaign state read from an Ethereum node and its event index,
over HTTP. Installed as the package `crowdfund_api`; its layers are `http` (the edge),
`services` (one function per question), `node` and `index` (docs/architecture.md)."""
