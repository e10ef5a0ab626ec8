"""What the gateway answers, composed from the node and the index: one service per
question. Routes parse a request, call one service, and render what it returns (plain
frozen dataclasses) as JSON."""
