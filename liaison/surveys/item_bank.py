"""The item bank, version 1: written for grades 5–12 in plain language, in English and Spanish.

Items and every word on the survey page are data. Adding a language means adding its wording to
these dictionaries in a new instrument version (or to the rows), never code. No item asks a student
about their own illegal or anti-social behaviour (PPRA).

The data migration 0002 loads this version; `item_bank_install` takes the model classes so that the
migration can pass its historical models.
"""

from __future__ import annotations

from typing import Any

KEY = "school-trust"
VERSION = 1
ALL = ["students", "families", "staff"]

TITLE = {"en": "Trust at our school", "es": "Confianza en nuestra escuela"}

UI = {
    "en": {
        "intro": "This survey is anonymous: we do not ask your name and cannot tell who answered. "
        "You can skip any question.",
        "page": "Page {page} of {pages}",
        "next": "Next",
        "back": "Back",
        "submit": "Send my answers",
        "code": "Code from your slip",
        "code_help": "The code lets each slip be used once. It is not saved with your answers.",
        "thanks": "Thank you. Your answers were sent.",
        "closed": "This survey is not open right now.",
        "bad_code": "That code is not valid or was already used.",
        "code_needed": "Please type the code from your slip. This survey needs one.",
        "form_expired": "This page was open too long or was already sent. Your answers are still here: "
        "please send them again.",
        "too_many": "Too many answers from here. Please try again later.",
        "language": "Language",
        "pages": {"1": "How things are", "2": "Police at school", "3": "Your school's officer", "4": "About you"},
    },
    "es": {
        "intro": "Esta encuesta es anónima: no preguntamos tu nombre y no podemos saber quién respondió. "
        "Puedes saltar cualquier pregunta.",
        "page": "Página {page} de {pages}",
        "next": "Siguiente",
        "back": "Atrás",
        "submit": "Enviar mis respuestas",
        "code": "Código de tu papelito",
        "code_help": "El código permite usar cada papelito una sola vez. No se guarda con tus respuestas.",
        "thanks": "Gracias. Tus respuestas fueron enviadas.",
        "closed": "Esta encuesta no está abierta ahora.",
        "bad_code": "Ese código no es válido o ya se usó.",
        "code_needed": "Escribe el código de tu papelito. Esta encuesta lo necesita.",
        "form_expired": "Esta página estuvo abierta demasiado tiempo o ya se envió. Tus respuestas siguen aquí: "
        "envíalas otra vez.",
        "too_many": "Demasiadas respuestas desde aquí. Inténtalo más tarde.",
        "language": "Idioma",
        "pages": {
            "1": "Cómo están las cosas",
            "2": "La policía en la escuela",
            "3": "El oficial de tu escuela",
            "4": "Sobre ti",
        },
    },
}


def _agree() -> list[dict[str, Any]]:
    labels = [
        ("Strongly disagree", "Muy en desacuerdo"),
        ("Disagree", "En desacuerdo"),
        ("Neither agree nor disagree", "Ni de acuerdo ni en desacuerdo"),
        ("Agree", "De acuerdo"),
        ("Strongly agree", "Muy de acuerdo"),
    ]
    return [{"value": i + 1, "label": {"en": en, "es": es}} for i, (en, es) in enumerate(labels)]


def _rating(low: tuple[str, str], high: tuple[str, str]) -> list[dict[str, Any]]:
    options = []
    for value in range(11):
        en, es = str(value), str(value)
        if value == 0:
            en, es = f"0 – {low[0]}", f"0 – {low[1]}"
        elif value == 10:
            en, es = f"10 – {high[0]}", f"10 – {high[1]}"
        options.append({"value": value, "label": {"en": en, "es": es}})
    return options


def _choices(*pairs: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [{"value": value, "label": {"en": en, "es": es}} for value, en, es in pairs]


PREFER_NOT = ("prefer_not", "Prefer not to say", "Prefiero no decirlo")


def _item(code: str, page: int, kind: str, scale: str, en: str, es: str, **extra: Any) -> dict[str, Any]:
    options = extra.pop("options", _agree() if kind == "agree" else [])
    return {
        "code": code,
        "page": page,
        "kind": kind,
        "scale": scale,
        "text": {"en": en, "es": es},
        "options": options,
        "reverse_scored": extra.pop("reverse_scored", False),
        "audiences": extra.pop("audiences", ALL),
    }


NOT_SAFE, VERY_SAFE = ("not safe at all", "nada seguro"), ("very safe", "muy seguro")
NOT_AT_ALL, COMPLETELY = ("not at all", "para nada"), ("completely", "totalmente")

ITEMS: list[dict[str, Any]] = [
    # --- the pulse: three 0–10 ratings ---
    _item(
        "pulse_safety",
        1,
        "rating",
        "pulse",
        "How safe do you feel at school?",
        "¿Qué tan seguro te sientes en la escuela?",
        options=_rating(NOT_SAFE, VERY_SAFE),
    ),
    _item(
        "pulse_respect",
        1,
        "rating",
        "pulse",
        "Do police at school treat people with respect?",
        "¿La policía en la escuela trata a las personas con respeto?",
        options=_rating(NOT_AT_ALL, COMPLETELY),
    ),
    _item(
        "pulse_listening",
        1,
        "rating",
        "pulse",
        "Do police at school listen to people's concerns and take them into account?",
        "¿La policía en la escuela escucha las preocupaciones de las personas y las toma en cuenta?",
        options=_rating(NOT_AT_ALL, COMPLETELY),
    ),
    # --- procedural justice: voice, neutrality, fairness, respect, legitimacy ---
    _item(
        "voice_listen",
        2,
        "agree",
        "voice",
        "Police at my school listen to students before they decide what to do.",
        "La policía de mi escuela escucha a los estudiantes antes de decidir qué hacer.",
    ),
    _item(
        "voice_no_say",
        2,
        "agree",
        "voice",
        "Police at my school do not let students tell their side of the story.",
        "La policía de mi escuela no deja que los estudiantes cuenten su versión.",
        reverse_scored=True,
    ),
    _item(
        "neutrality_facts",
        2,
        "agree",
        "neutrality",
        "Police at my school make decisions based on facts, not on who you are.",
        "La policía de mi escuela decide según los hechos, no según quién eres.",
    ),
    _item(
        "neutrality_explain",
        2,
        "agree",
        "neutrality",
        "Police at my school explain why they do things.",
        "La policía de mi escuela explica por qué hace las cosas.",
    ),
    _item(
        "fairness_groups",
        2,
        "agree",
        "fairness",
        "Police at my school treat some groups of students worse than others.",
        "La policía de mi escuela trata peor a algunos grupos de estudiantes que a otros.",
        reverse_scored=True,
    ),
    _item(
        "fairness_same",
        2,
        "agree",
        "fairness",
        "Police at my school treat students of every race and background the same.",
        "La policía de mi escuela trata igual a estudiantes de toda raza y origen.",
    ),
    _item(
        "respect_respect",
        2,
        "agree",
        "respect",
        "Police at my school treat students with respect.",
        "La policía de mi escuela trata a los estudiantes con respeto.",
    ),
    _item(
        "respect_rude",
        2,
        "agree",
        "respect",
        "Police at my school are rude to students.",
        "La policía de mi escuela es grosera con los estudiantes.",
        reverse_scored=True,
    ),
    _item(
        "legitimacy_trust",
        2,
        "agree",
        "legitimacy",
        "I trust the police at my school to do what is right.",
        "Confío en que la policía de mi escuela hace lo correcto.",
    ),
    _item(
        "legitimacy_values",
        2,
        "agree",
        "legitimacy",
        "The police at my school care about the same things I care about.",
        "A la policía de mi escuela le importan las mismas cosas que a mí.",
    ),
    _item(
        "legitimacy_follow",
        2,
        "agree",
        "legitimacy",
        "Students should do what police at school ask, even if they disagree.",
        "Los estudiantes deben hacer lo que pide la policía en la escuela, aunque no estén de acuerdo.",
    ),
    # --- the school's officer ---
    _item(
        "officer_knows",
        3,
        "choice",
        "officer",
        "Do you know who your school's officer is?",
        "¿Sabes quién es el oficial de tu escuela?",
        options=_choices(("yes", "Yes", "Sí"), ("no", "No", "No"), ("not_sure", "Not sure", "No estoy seguro")),
    ),
    _item(
        "officer_talk",
        3,
        "agree",
        "officer",
        "I would talk to the school's officer if I had a problem.",
        "Hablaría con el oficial de la escuela si tuviera un problema.",
    ),
    _item(
        "officer_fair",
        3,
        "agree",
        "officer",
        "The school's officer treats students fairly.",
        "El oficial de la escuela trata a los estudiantes de manera justa.",
    ),
    _item(
        "officer_safer",
        3,
        "agree",
        "officer",
        "I feel safer at school because the officer is there.",
        "Me siento más seguro en la escuela porque el oficial está ahí.",
    ),
    # --- about you: optional, always with "prefer not to say" ---
    _item(
        "about_grade",
        4,
        "choice",
        "about",
        "What grade are you in?",
        "¿En qué grado estás?",
        options=[
            *_choices(*((str(g), f"Grade {g}", f"Grado {g}") for g in range(5, 13))),
            {"value": PREFER_NOT[0], "label": {"en": PREFER_NOT[1], "es": PREFER_NOT[2]}},
        ],
        audiences=["students"],
    ),
    _item(
        "about_race",
        4,
        "choice",
        "about",
        "Which best describes you?",
        "¿Qué te describe mejor?",
        options=_choices(
            ("hispanic", "Hispanic or Latino", "Hispano o latino"),
            ("american_indian", "American Indian or Alaska Native", "Indígena americano o nativo de Alaska"),
            ("asian", "Asian", "Asiático"),
            (
                "pacific_islander",
                "Native Hawaiian or Other Pacific Islander",
                "Nativo de Hawái u otra isla del Pacífico",
            ),
            ("black", "Black or African American", "Negro o afroamericano"),
            ("white", "White", "Blanco"),
            ("two_or_more", "Two or more races", "Dos o más razas"),
            PREFER_NOT,
        ),
    ),
    _item(
        "about_sex",
        4,
        "choice",
        "about",
        "What is your sex?",
        "¿Cuál es tu sexo?",
        options=_choices(
            ("female", "Female", "Femenino"),
            ("male", "Male", "Masculino"),
            ("another", "Another way", "De otra forma"),
            PREFER_NOT,
        ),
    ),
    _item(
        "open_problem",
        4,
        "open",
        "open",
        "What is the one thing police and students at your school should work on? Please do not write names.",
        "¿Qué es lo más importante que la policía y los estudiantes de tu escuela deben mejorar? "
        "Por favor no escribas nombres.",
    ),
]

DEMOGRAPHIC_CODES = ("about_grade", "about_race", "about_sex")


def item_bank_install(instrument_model: Any, item_model: Any) -> Any:
    """Create version 1 of the instrument and its items, once."""
    instrument, created = instrument_model.objects.get_or_create(
        key=KEY, version=VERSION, defaults={"title": TITLE, "ui": UI, "languages": ["en", "es"]}
    )
    if created:
        item_model.objects.bulk_create(
            item_model(instrument=instrument, position=position, **item) for position, item in enumerate(ITEMS, 1)
        )
    else:
        _add_missing_words(instrument)
    return instrument


def _add_missing_words(instrument: Any) -> None:
    """Page words added since the instrument was installed (never an item's wording, which is fixed)."""
    merged = {lang: {**words, **instrument.ui.get(lang, {})} for lang, words in UI.items()}
    if merged != instrument.ui:
        instrument.ui = merged
        instrument.save(update_fields=["ui"])
