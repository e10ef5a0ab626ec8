"""`crowdfund audit`'s parts: fetching a contract's logs (cached), replaying them into the
books the events imply, reading the chain's view of the same at one block, and comparing."""
