"""Every Swedish text the web front end shows or returns, in one place.

Kept apart from the code so the wording can be reviewed (and translated) without
touching logic. Error codes are stable English identifiers for API clients.
"""

from __future__ import annotations

TITLE = "LSS-assistenten"
INTRO = (
    "Ställ en fråga om LSS – lagen om stöd och service till vissa funktionshindrade. "
    "Svaren bygger bara på ett urval dokument från kommuner, myndigheter och "
    "intresseorganisationer, och varje svar visar sina källor."
)
DISCLAIMER = (
    "Assistenten ersätter inte ett beslut eller besked från din kommun. "
    "Kontakta kommunen om du vill ansöka om insatser eller har frågor om ditt ärende."
)
PRIVACY = "Skriv inte personnummer, namn eller andra personuppgifter i frågan."

EXAMPLE_QUESTIONS = (
    "Vad gör en kontaktperson enligt LSS?",
    "Till vem ska kommunen rapportera beslut som inte har verkställts?",
    "Vilken kommun blev bästa LSS-kommun i Västmanland 2024?",
    "Vad visade Öppna jämförelser 2019 om kommunernas LSS-arbete?",
)

THINKING = "Söker i källorna …"
ALL_KOMMUNER = "Alla kommuner"
KOMMUN_LABEL = "Kommun (valfritt)"
KOMMUN_INFO = "Välj en kommun för att bara få svar från den kommunens källor och nationella källor."
STALE_SOURCE = "Äldre källa ({year})"
# For a source that summarises a law (metadata `law`): the quote is a summary, not the law's wording.
SUMMARY_OF_LAW = "Sammanfattning av {law}, inte lagtexten"
NO_SOURCES_YET = "Källorna till svaret visas här när du har ställt en fråga."
DECLINED_NO_SOURCES = (
    "Inga källor: assistenten hittade inget stöd i dokumenten för att svara på frågan, "
    "så den gissar inte."
)
# Beside a greeting, thanks or a hint on how to ask: nothing was looked up, so "no support found" would mislead.
GUIDANCE_NO_SOURCES = "Inga källor behövs här: det här är en hälsning eller ett tips om hur du kan fråga."
SOURCES_HEADING = "Källor för svaret"
FEEDBACK_THANKS = "Tack för din återkoppling!"
FEEDBACK_COMMENT_THANKS = "Tack! Din kommentar är sparad."
FEEDBACK_NOT_ANSWER = "Det går bara att ge återkoppling på assistentens svar."
FEEDBACK_FAILED = "Återkopplingen kunde inte sparas just nu. Försök gärna igen senare."
FEEDBACK_NEED_RATING = "Välj tumme upp eller tumme ned på ett svar först, sedan kan du skriva en kommentar."
FEEDBACK_EMPTY_COMMENT = "Skriv en kommentar först."

# Error code -> (HTTP status, Swedish message). Messages are shown to end users as they are.
ERRORS: dict[str, tuple[int, str]] = {
    "question_empty": (400, "Skriv en fråga först."),
    "question_too_long": (400, "Frågan är för lång. Korta ner den till högst {limit} tecken."),
    "question_not_string": (400, "Frågan måste vara text."),
    "question_missing": (400, "Frågan saknas. Skicka den i fältet \"question\"."),
    "history_invalid": (
        400,
        "Samtalshistoriken har fel format. Den ska vara en lista med "
        "{\"role\": \"user\" eller \"assistant\", \"content\": text}.",
    ),
    "history_too_long": (400, "Samtalet är för långt. Börja gärna om med en ny fråga."),
    "invalid_easy_read": (400, "Fältet \"easy_read\" måste vara true eller false."),
    "kommun_invalid": (400, "Fältet \"kommun\" måste vara text, högst 100 tecken."),
    "unknown_kommun": (400, "Det finns inga källor från den kommunen. Fråga utan kommun, eller välj en som finns i källorna."),
    "invalid_json": (400, "Förfrågan kunde inte läsas. Skicka giltig JSON."),
    "invalid_body": (400, "Förfrågan har fel format. Skicka ett JSON-objekt."),
    "invalid_feedback": (400, "Återkopplingen har fel format."),
    "not_found": (404, "Det finns ingen sådan adress i API:et. Se /docs."),
    "method_not_allowed": (405, "Den metoden går inte att använda här. Se /docs."),
    "body_too_large": (413, "Förfrågan är för stor."),
    "unsupported_media_type": (415, "Skicka förfrågan som JSON (Content-Type: application/json)."),
    "rate_limited": (
        429,
        "Du har ställt många frågor på kort tid. Vänta {retry_after} sekunder och försök igen.",
    ),
    "index_not_ready": (
        503,
        "Assistenten är inte redo än: dokumenten har inte lästs in. Försök igen om en stund.",
    ),
    "store_unavailable": (
        503,
        "Assistenten är tillfälligt otillgänglig: den kan inte nå sin dokumentdatabas just nu. "
        "Försök igen om en stund.",
    ),
    # Administration (/api/admin/*, only when LSS_ADMIN_TOKEN is set).
    "unauthorized": (401, "Administratörsnyckeln saknas eller är fel."),
    "reindex_running": (409, "En inläsning av korpusen pågår redan. Vänta tills den är klar och försök igen."),
    "reindex_failed": (409, "Korpusen kunde inte läsas in: {detail}"),
    "invalid_form": (400, "Uppladdningen kunde inte läsas. Skicka den som multipart/form-data med fältet \"file\"."),
    "upload_missing_file": (400, "Välj en fil att ladda upp (fältet \"file\")."),
    "upload_length_required": (411, "Uppladdningen måste ange sin storlek (Content-Length)."),
    "upload_too_large": (413, "Filen är för stor. Största tillåtna storlek är {limit} MB."),
    "upload_bad_type": (415, "Filtypen stöds inte. Tillåtna filtyper: {allowed}."),
    "upload_content_mismatch": (415, "Filens innehåll stämmer inte med filändelsen {ext}: {detail}."),
    "upload_bad_name": (400, "Filnamnet går inte att använda: {detail}."),
    "upload_unreadable": (400, "Filen går inte att läsa in: {detail}."),
    "upload_bad_metadata": (400, "Metadata är felaktig: {detail}."),
    "upload_exists": (
        409,
        "Det finns redan en fil som heter {name}. Välj \"Skriv över\" (overwrite) om du vill ersätta den.",
    ),
    "sources_invalid": (
        409,
        "sources.yaml i korpusmappen går inte att läsa, så metadata kan inte sparas (filen sparades inte). "
        "Rätta sources.yaml för hand eller ladda upp utan metadata.",
    ),
    "internal_error": (
        500,
        "Något gick fel hos assistenten. Försök igen, eller formulera frågan på ett annat sätt.",
    ),
}


def error_message(code: str, **params: object) -> str:
    """The Swedish message for an error code, with its {placeholders} filled in."""
    _status, template = ERRORS.get(code, ERRORS["internal_error"])
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def error_status(code: str) -> int:
    return ERRORS.get(code, ERRORS["internal_error"])[0]
