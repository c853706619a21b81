from pydantic import BaseModel


class Health(BaseModel):
    status: str
    database: str
    index: str
    outbox_pending: int | None
