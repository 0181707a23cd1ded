"""Turn a posted attempt form into the answers shape of assessments/models.py.

Field names: `q-<question id>` (single, true/false, multiple, short answer) and
`q-<question id>-<choice key>` (ordering: the item's position; matching: the option key).
A field naming a question outside the attempt is kept, so the service refuses it.
"""

from django.utils.translation import gettext as _

from assessments.grading import AttemptError


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
        field = f"q-{qid}"
        qtype = entry["type"]
        if qtype in ("single", "true_false"):
            if post.get(field):
                responses[qid] = {"choice": post.get(field)}
        elif qtype == "multiple":
            if post.getlist(field):
                responses[qid] = {"choices": post.getlist(field)}
        elif qtype == "short_answer":
            if post.get(field, "").strip():
                responses[qid] = {"text": post.get(field)}
        elif qtype == "ordering":
            positions = {}
            for key in entry["choices"]:
                raw = post.get(f"{field}-{key}", "")
                if raw:
                    try:
                        positions[key] = int(raw)
                    except ValueError:
                        raise AttemptError(
                            "bad_answer", _("An answer could not be read. Reload the page.")
                        ) from None
            if not positions:
                continue
            if len(positions) != len(entry["choices"]) or len(set(positions.values())) != len(
                positions
            ):
                raise AttemptError(
                    "bad_answer", _("Give every item of an ordering question its own place.")
                )
            responses[qid] = {"order": sorted(positions, key=positions.get)}
        elif qtype == "matching":
            pairs = {
                key: post.get(f"{field}-{key}")
                for key in entry["choices"]
                if post.get(f"{field}-{key}")
            }
            if pairs:
                responses[qid] = {"pairs": pairs}
    return {"version": 1, "responses": responses}
