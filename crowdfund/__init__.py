"""crowdfund: all-or-nothing community crowdfunding on Ethereum."""

__version__ = "0.1.0"
