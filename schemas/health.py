from pydantic import BaseModel, ConfigDict

from hindsight.schemas import examples


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.HEALTH]})

    status: str
    database: str
    index: str
    outbox_pending: int | None
