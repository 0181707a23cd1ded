"""Turn a posted attempt form into the answers shape of assessments/models.py; the admin
field of an answer's weight (`WeightFormField`).

Field names: `q-<question id>`, and `q-<question id>-<choice key>` for types with a field
per item (ordering: the item's position; matching: the option key); each question type
reads its own fields (`QuestionKind.from_post`). A field naming a question outside the
attempt is kept, so the service refuses it.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format

from assessments import question_types
from assessments.grading import weight_text, weight_value


def answers_from_post(frozen: dict, post) -> dict:
    entries = {str(e["id"]): e for e in frozen["questions"]}
    responses: dict[str, dict] = {}
    for name in post:
        if not name.startswith("q-"):
            continue
        qid = name[2:].split("-", 1)[0]
        if qid not in entries:
            responses[qid] = {"choice": post.get(name)}
    for qid, entry in entries.items():
        if not question_types.is_registered(entry["type"]):
            continue  # a type no longer installed: the service refuses its answers
        response = question_types.get(entry["type"]).from_post(entry, post, f"q-{qid}")
        if response is not None:
            responses[qid] = response
    return {"version": 1, "responses": responses}


class WeightFormField(forms.DecimalField):
    """An answer's weight (percent) as an editor types it: "33.33333", or the Vietnamese way
    "33,33333" (grading.weight_value, which reads the comma with the numerical type's
    `read_number`); shown without trailing zeros, with the page's decimal mark. A text
    input: a number input would refuse the comma in some browsers."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return weight_value(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return weight_text(value).replace(".", get_format("DECIMAL_SEPARATOR"))
        return value
