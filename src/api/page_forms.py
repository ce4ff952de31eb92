"""Posted form fields -> the API's own request bodies, and errors -> a sentence per field.

Forms send text; the bodies are the JSON API's strict pydantic models, so a page accepts
exactly what the API accepts. What the models refuse, and the domain rules a command breaks,
come back as a sentence for the form field they concern (or for the form as a whole).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError

from api.schemas import EventIn
from journey.errors import DomainError, InvalidValue

__all__ = ["FormInvalid", "event_from_form", "field_of", "model_from_form"]

_EVENT = TypeAdapter(EventIn)
_MODELS: dict[str, type[BaseModel]] = {
    get_args(model.model_fields["type"].annotation)[0]: model
    for model in get_args(get_args(EventIn)[0])
}
_WHOLE_NUMBERS = frozenset({"session", "attempt", "score"})

# Which form field a broken rule is about (by its stable code); others concern the form.
_RULE_FIELDS = {
    "occurred-in-future": "occurred_on",
    "rule-violated": "occurred_on",
    "essay-format-not-allowed": "format",
    "attempt-sequence": "attempt",
    "component-already-submitted": "attempt",
    "wellbeing-out-of-range": "score",
    "already-enrolled": "cohort_id",
    "not-enrolled": "cohort_id",
    "session-invalid": "session",
}

M = TypeVar("M", bound=BaseModel)


class FormInvalid(Exception):
    """The form's fields, each with the sentence that says what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def _sentence(error: Mapping[str, Any]) -> str:
    if error.get("type") == "missing":
        return "Please fill this in."
    message = str(error.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _data(fields: Mapping[str, str], names: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in names:
        value = fields.get(name, "").strip()
        if not value:
            continue  # an empty optional field is left out; a required one is then missing
        if name in _WHOLE_NUMBERS:
            if not value.isdigit() or len(value) > 9:
                errors[name] = "Please give a whole number."
                continue
            data[name] = int(value)
        else:
            data[name] = value
    return data, errors


def _raise(exc: ValidationError, known: dict[str, str]) -> FormInvalid:
    errors = dict(known)
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if isinstance(part, str)]
        name = location[-1] if location else "form"
        errors.setdefault(name, _sentence(error))
    return FormInvalid(errors)


def model_from_form(model: type[M], fields: Mapping[str, str]) -> M:
    """``model`` from the form's fields of the same names; :class:`FormInvalid` if not."""
    data, errors = _data(fields, set(model.model_fields))
    try:
        built = model.model_validate(data)
    except ValidationError as exc:
        raise _raise(exc, errors) from None
    if errors:
        raise FormInvalid(errors)
    return built


def event_from_form(fields: Mapping[str, str]) -> Any:
    """The event body the form describes (its ``type`` field names the event)."""
    model = _MODELS.get(fields.get("type", ""))
    if model is None:
        raise FormInvalid({"type": "Please choose what to record."})
    data, errors = _data(fields, set(model.model_fields))
    try:
        body = _EVENT.validate_python(data)
    except ValidationError as exc:
        raise _raise(exc, errors) from None
    if errors:
        raise FormInvalid(errors)
    return body


def field_of(error: DomainError) -> str:
    """The form field a domain error is about (``form`` when it is about the whole form)."""
    if isinstance(error, InvalidValue):
        return error.field
    return _RULE_FIELDS.get(error.code, "form")
