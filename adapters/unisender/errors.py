"""Unisender's error catalogue: every refusal becomes {"error": text, "code": code, "result": ""}.

Unisender answers API errors with HTTP 200 (its clients decide by the `error`/`code` keys and
several treat any other status as a transport failure), and its one published error example
carries `"result": ""` beside them.
"""
from __future__ import annotations

from core import errors as core_errors

# core error code -> Unisender code
CORE_CODES = {
    core_errors.UNAUTHORIZED: "invalid_api_key",
    core_errors.CONTACT_NOT_FOUND: "unspecified",
    core_errors.NOT_FOUND: "unspecified",
    core_errors.DUPLICATE_NAME: "invalid_arg",
    core_errors.UNKNOWN_LIST: "invalid_arg",
    core_errors.LIST_READ_ONLY: "invalid_arg",
    core_errors.UNKNOWN_FIELD: "invalid_arg",
    core_errors.UNKNOWN_TAG: "invalid_arg",
    core_errors.UNKNOWN_DATABASE: "invalid_arg",
    core_errors.INVALID_ARGUMENT: "invalid_arg",
    core_errors.INVALID_VALUE: "invalid_arg",
    core_errors.INVALID_DATE: "invalid_arg",
    core_errors.INVALID_EMAIL: "invalid_arg",
    core_errors.INVALID_PHONE: "invalid_arg",
    core_errors.TOO_MANY_ITEMS: "invalid_arg",
    core_errors.EMAIL_CONFLICT: "unspecified",
    core_errors.PHONE_CONFLICT: "unspecified",
    core_errors.RATE_LIMITED: "api_call_limit_exceeded_for_api_key",
}

# The vendor's texts of its standard codes, in the language of the path (/{lang}/api/…): English
# from its English "API Errors" page, Ukrainian verbatim from its Ukrainian page
# (selzy.com/ua/support/api/common/api-errors), Russian from its Russian code table as public clients
# copy it (django-unisender 0.1.6 and two others; the current 1200 figure and the sendEmail sentence
# follow the English and Ukrainian pages: docs/dialects/unisender.md, "Languages"). Every other
# message, and every text of a language without a page here (it), is the English one: no vendor
# translation of it is known.
# The rate-limit text is the same whichever limit was met, as the vendor's is fixed.
CODE_TEXTS = {
    "en": {
        "invalid_api_key": "The specified API access key is invalid",
        "unknown_method": "The specified method name is incorrect",
        "retry_later": "Temporary failure. Try again later.",
        "api_call_limit_exceeded_for_api_key": "The limit on API method calls per unit of time has been reached. "
                                               "At the moment it is 1200 calls per minute. For the sendEmail method, 60.",
    },
    "ru": {
        "invalid_api_key": "Указан неправильный ключ доступа к API",
        "unknown_method": "Указано неправильное имя метода",
        "retry_later": "Временный сбой. Попробуйте ещё раз позднее.",
        "api_call_limit_exceeded_for_api_key": "Сработало ограничение по вызову методов API в единицу времени. "
                                               "На данный момент это 1200 вызовов в минуту. Для метода sendEmail — 60.",
    },
    "ua": {
        "invalid_api_key": "Зазначено неправильний ключ доступу до АРІ",
        "unknown_method": "Зазначено помилкове ім’я методу",
        "retry_later": "Тимчасовий збій. Спробуйте ще раз пізніше.",
        "api_call_limit_exceeded_for_api_key": "Спрацювало обмеження за викликом методів АРІ на одиницю часу. "
                                               "Наразі це 1200 викликів на хвилину. Для методу sendEmail — 60.",
    },
}


def code_text(code: str, lang: str) -> str:
    """A standard code's text in the path's language, else in English."""
    return CODE_TEXTS.get(lang, {}).get(code) or CODE_TEXTS["en"][code]


def body(code: str, message: str) -> dict:
    return {"error": message, "code": code, "result": ""}


def from_dialect(error, lang: str = "en") -> dict:
    """An adapter's refusal; an unknown method is told in the path's language, naming the method."""
    if error.code == "unknown_method":
        return body(error.code, f'{code_text(error.code, lang)}: "{error.details.get("method", "")}"')
    return body(error.code, error.message)


def from_core(error, lang: str = "en") -> dict:
    code = CORE_CODES.get(error.code, "unspecified")
    if error.code in (core_errors.UNAUTHORIZED, core_errors.RATE_LIMITED):
        return body(code, code_text(code, lang))
    return body(code, error.message)


def from_problem(problem) -> dict:
    """Gateway-level refusals (size, encoding, malformed body) are invalid arguments to Unisender."""
    return body("invalid_arg", problem.message)


def unexpected(lang: str = "en") -> dict:
    return body("retry_later", code_text("retry_later", lang))
