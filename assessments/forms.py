"""Turn a posted attempt form into the answers shape of assessments/models.py.

Field names: `q-<question id>`, and `q-<question id>-<choice key>` for types with a field
per item (ordering: the item's position; matching: the option key); each question type
reads its own fields (`QuestionKind.from_post`). A field naming a question outside the
attempt is kept, so the service refuses it.
"""

from assessments import question_types


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
