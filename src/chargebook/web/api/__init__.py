"""`/api/v1`: bearer-token REST API. Each module has `router`; include it here."""

from __future__ import annotations

from fastapi import APIRouter

api_router = APIRouter()

__all__ = ["api_router"]
