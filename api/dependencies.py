"""FastAPI dependencies: the chain connection, as an Annotated alias."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.chain import Chain, ChainHolder


async def get_chain(request: Request) -> Chain:
    holder: ChainHolder = request.app.state.chain
    return await holder.get()


ChainDep = Annotated[Chain, Depends(get_chain)]
