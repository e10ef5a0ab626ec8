"""crowdfund: all-or-nothing community crowdfunding on Ethereum."""

__version__ = "0.2.0"
