"""The challenge question: one of a fixed list, its answer normalised (case, spaces) and
hashed. Only ever an extra check in password recovery, never a way in on its own (OWASP ASVS
2.5.2): nothing here signs anybody in."""
from services.contracts.errors import InvalidInput
from services.identity.recovery import normalise_answer

QUESTIONS = {
    1: "What was the name of your first pet?",
    2: "In what city were your parents married?",
    3: "What was the make of your first car?",
    4: "What is the name of the street you grew up on?",
    5: "What was the name of your first employer?",
    6: "What is your oldest cousin's first name?",
}
MIN_ANSWER = 2
MAX_ANSWER = 200


def questions():
    return [{"id": number, "text": text} for number, text in QUESTIONS.items()]


def load(question_id, answer):
    """Returns ``(question_id, normalised answer)``; InvalidInput for a question not in the
    list or an answer too short or long."""
    found = {}
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        question_id = None
    if question_id not in QUESTIONS:
        found["question_id"] = ["Choose one of the listed questions."]
    normalised = normalise_answer(answer)
    if not isinstance(answer, str) or len(normalised) < MIN_ANSWER:
        found["answer"] = [f"Give an answer of at least {MIN_ANSWER} characters."]
    elif len(normalised) > MAX_ANSWER:
        found["answer"] = [f"Give an answer of at most {MAX_ANSWER} characters."]
    if found:
        raise InvalidInput(found)
    return question_id, normalised
