"""What every domain operation needs to know about the request it serves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reporting_api.access import Principal
from reporting_api.runtime import Runtime
from reporting_api.settings import Settings
from reporting_api.store import audit


@dataclass(frozen=True)
class Ctx:
    principal: Principal
    client_address: str | None
    now: datetime
    settings: Settings
    runtime: Runtime | None = None
    """The sealer and the verifier pool (None only in tests of code that needs neither)."""

    @property
    def rt(self) -> Runtime:
        if self.runtime is None:
            raise RuntimeError("this operation needs the service runtime (sealer, verifier)")
        return self.runtime

    async def audit(
        self,
        action: str,
        entity: str,
        entity_id: int | str | None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await audit.record(
            actor_id=self.principal.id,
            actor_username=self.principal.username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            at=self.now,
            client_address=self.client_address,
            detail=detail,
        )
