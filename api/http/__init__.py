"""The gateway's HTTP layer: the app factory, routes, request and response schemas (the
only place pydantic is used), errors as HTTP answers, the backer page and the API docs."""
