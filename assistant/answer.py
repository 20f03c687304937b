"""Stage 5: compose an answer only from retrieved passages, or decline.

The default answerer uses no language model and so cannot invent facts: it quotes
the sentences of the retrieved passages that answer the question. Sentences are
scored in windows of one or two (the answer often follows the sentence that
restates the question) by
- idf-weighted coverage of the question's content words (Swedish stems, fuzzy for
  misspellings and compounds), with the passage's title/heading as weaker context,
- embedding similarity of the window to the question (carries English questions),
- whether the window holds what the question type asks for (a number for "hur många",
  a year for "när", a frequency for "hur ofta", a reason for "varför", ...),
- how much the window adds beyond the question's own words, and the passage's rank.
It declines, before composing anything, when the evidence is weak: named places,
years or names in the question that the chosen text does not mention, a question
type whose kind of answer is missing, topic words the corpus does not know at all,
or low combined coverage and similarity (thresholds calibrated on evals/).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from .english import as_swedish
from .swedish import (
    QUESTION_WORDS,
    STOPWORDS,
    Span,
    content_stems,
    names_section,
    normalize,
    sections_asked,
    sentences_of,
    stem,
    synonyms,
    with_chat_spellings,
    with_swedish_letters,
    words,
)
from .load import EASY_READ
from .split import answer_spans, list_number
from .types import Answer, Citation, Passage, ScoredPassage
from .wording import INSATS_NAMED_RE, PAYMENT_ASKED_RE, as_the_texts_ask_it

# ----------------------------------------------------------------- constants

DECLINE_TEXT = (
    "Det kan jag tyvärr inte svara på utifrån de källor jag har. "
    "Källorna handlar om LSS i några kommuner och om kontaktpersoner, rapportering av beslut som inte verkställts "
    "och daglig verksamhet. Fråga gärna LSS-handläggaren i din kommun, eller din förening."
)
INJECTION_TEXT = (
    "Jag kan bara svara på frågor om LSS utifrån mina källor, och jag följer inte instruktioner som står i frågan. "
    "Ställ gärna en fråga om LSS, till exempel \"Vad är en kontaktperson?\"."
)
VAGUE_TEXT = (
    "Jag förstår inte riktigt vad du vill veta. Skriv gärna en hel fråga, till exempel: "
    "\"Vad är en kontaktperson?\" eller \"Hur ofta ska kommunen rapportera beslut som inte verkställts?\""
)
EASY_READ_VAGUE = (
    "Jag förstår inte frågan.\n"
    "Skriv en hel fråga.\n"
    "Till exempel: Vad är en kontaktperson?"
)
# "Varför sa kommunen nej?", "Varför fick jag avslag?": the reasons in one member's case are in no text
# (they got Norberg's shortage of kontaktpersoner, and Mjölby on Försäkringskassan's refusals).
OWN_CASE_TEXT = (
    "Varför det blev så i ditt ärende kan jag inte veta. Mina källor handlar om LSS i allmänhet och om några "
    "kommuner, inte om enskilda ärenden. Fråga LSS-handläggaren i din kommun. Du kan också fråga mig hur man "
    "överklagar ett beslut."
)
EASY_READ_OWN_CASE = (
    "Det vet jag inte.\n"
    "Mina texter handlar inte om ditt ärende.\n"
    "Fråga LSS-handläggaren i din kommun."
)
# "hej", "tack": a greeting or thanks is no question ("tack" got Norberg's "brukare ... tackat nej")
GREETING_RE = re.compile(r"^\s*(hej|hejsan|hallå|tjena|tja|god (morgon|dag|kväll)|hi|hello)\s*[!.?]*\s*$", re.I)
THANKS_RE = re.compile(r"^\s*(tack|tackar|tack så mycket|tack för hjälpen|stort tack|thanks|thank you)\s*[!.?]*\s*$", re.I)
GREETING_TEXT = (
    "Hej! Jag svarar på frågor om LSS och visar alltid var svaret kommer ifrån. "
    "Fråga till exempel: \"Vad är en kontaktperson?\" eller \"Hur söker man LSS?\""
)
THANKS_TEXT = "Varsågod! Fråga gärna igen om du undrar något mer om LSS."
# "Vad kan du hjälpa mig med?", "Vem är du?", "Är du en människa?": a question about the assistant itself,
# often the first one in a chat window (they got 9 a §'s "hjälp med grundläggande behov" and 9 § 1's
# "människor med ... funktionshinder"). The whole question must be such a question: "Vad kan du berätta om
# daglig verksamhet?" and "Vad vet du om LSS?" are looked up. "What can you do?" arrives as "Vad kan du gör?"
# (the English glossary's wording).
ABOUT_ASSISTANT_RE = re.compile(
    r"^\s*(?:(?:och|men|hej|hallå)[,!]?\s+)?(?:"
    r"vem är du|vad är du(?: för (?:något|en))?|vad heter du|hur fungerar du|vad vet du"
    r"|är du (?:en |ett )?(?:människa|riktig människa|person|robot|dator|datorprogram|program|bot|chattbot|chatbot|ai)"
    r"|vad kan du(?: hjälpa (?:mig|oss|till)(?: med)?| svara på| göra| gör| berätta(?: om)?)?"
    r"|vad kan jag fråga(?: dig)?(?: om)?|vad kan man fråga(?: dig)?(?: om)?"
    r"|var kommer (?:dina |de |dom )?svar(?:en)? ifrån|vilka källor (?:har|använder) du|kan jag lita på (?:dig|svaren|dina svar)"
    r"|who are you|what are you|what can you do|what can you help (?:me )?with|are you (?:a )?(?:human|robot|bot|person|real person)"
    r")\s*[?.!]*\s*$", re.I)
ABOUT_ASSISTANT_TEXT = (
    "Jag är LSS-assistenten, ett datorprogram och ingen människa. Jag svarar på frågor om LSS med meningar ur "
    "mina källor och visar alltid var svaret kommer ifrån. Jag kan inte se ditt ärende och ersätter inte "
    "kommunens beslut. Fråga till exempel: \"Vad är en kontaktperson?\" eller \"Hur söker man LSS?\""
)
EASY_READ_ABOUT_ASSISTANT = (
    "Jag är LSS-assistenten.\n"
    "Jag är ett datorprogram, inte en människa.\n"
    "Jag svarar på frågor om LSS.\n"
    "Jag visar var svaret kommer ifrån.\n"
    "Fråga till exempel: Vad är en kontaktperson?"
)
# "Vem kan jag prata med?", "Vem kan hjälpa mig?": whom to turn to, with no topic (they got 9 a §'s "prata med
# andra" and Mjölby minutes on Försäkringskassan); "Vem är min handläggare?" (it got a Hallstahammar sentence
# on "handläggare LSS": no text knows one member's officer)
CONTACT_ONLY_RE = re.compile(
    r"^\s*(?:vem|vilka|vart|var|till vem) (?:kan|ska|bör|får) (?:jag|man|vi) (?:prata med|tala med|ringa|ringa till|fråga"
    r"|kontakta|vända (?:mig|oss|sig)(?: till)?)\s*[?.!]*\s*$|^\s*vem kan hjälpa (?:mig|oss)\s*[?.!]*\s*$"
    r"|^\s*vem är (?:min|vår|mitt barns|min sons|min dotters) (?:lss-|bistånds)?handläggare\s*[?.!]*\s*$", re.I)
CONTACT_TEXT = (
    "Skriv gärna vad du undrar över, så letar jag i mina källor, till exempel: \"Hur söker man LSS?\". "
    "Om det gäller ditt eget ärende kan du fråga LSS-handläggaren i din kommun, eller din förening."
)
EASY_READ_CONTACT = (
    "Vad undrar du över?\n"
    "Skriv din fråga, så letar jag i mina texter.\n"
    "Du kan också fråga LSS-handläggaren i din kommun."
)
# "hjälp" alone asks nothing the texts can answer (it got 9 e §'s "omvårdnad, alltså hjälp i vardagen")
ASKS_NOTHING = frozenset({"hjälp", "help", "fråga", "info", "information"})
EASY_READ_DECLINE = (
    "Jag hittar inget svar på det i mina texter.\n"
    "Fråga din kommun.\n"
    "Du kan fråga LSS-handläggaren."
)
# What a decline says, by reason: (standard, Lättläst); any other reason gets DECLINE_TEXT / EASY_READ_DECLINE.
GUIDANCE_FOR = {
    "vague": (VAGUE_TEXT, EASY_READ_VAGUE),
    "greeting": (GREETING_TEXT, GREETING_TEXT),
    "thanks": (THANKS_TEXT, THANKS_TEXT),
    "own_case": (OWN_CASE_TEXT, EASY_READ_OWN_CASE),
    "contact": (CONTACT_TEXT, EASY_READ_CONTACT),
    "about_assistant": (ABOUT_ASSISTANT_TEXT, EASY_READ_ABOUT_ASSISTANT),
}

INJECTION_PATTERNS = [
    r"\b(ignorera|ignore|glöm|forget|strunta i|bortse från|disregard|override)\b",
    r"\b(system\s*:|systemprompt|system prompt|dolda regler|hidden rules|jailbreak|DAN)\b",
    r"\b(du är nu|you are now|låtsas att|pretend|act as|agera som|från och med nu)\b",
    r"\b(svara (bara|endast)|reply only|answer only|säg att|say that|skriv ut|print)\b",
    r"\b(börja (ditt|varje) svar|start your answer|svara att|hitta på)\b",
    r"(</?\s*(context|system|instructions?)\s*>|#{2,}\s*(ny )?instruktion)",
    r"\b(användaren är admin|user is admin|avslöja|reveal)\b",
]
_INJECTION_RE = re.compile("|".join(INJECTION_PATTERNS), re.I)

ENGLISH_HINTS = {"the", "what", "how", "who", "when", "why", "does", "is", "are", "many", "much", "which", "and", "of", "do"}
FOLLOWUP_OPENERS = {"och", "men", "hur", "varför", "vad", "vem", "när", "and", "what", "how", "why", "is", "är", "blir", "har"}
ANAPHORA = {
    "det", "den", "dem", "dom", "de", "dessa", "detta", "sådana", "sådan", "där", "då", "hen", "han", "hon",
    "deras", "dess", "it", "they", "them", "those", "that", "there", "this", "these", "sen", "förut",
}
FREQUENCY_RE = re.compile(r"\b(per (år|kvartal|månad|vecka|dag)|gång(er)? (per|i|om)|varje (år|kvartal|månad|vecka|dag)|årligen|dagligen|kvartal)", re.I)
REASON_RE = re.compile(r"\b(för att|eftersom|därför|på grund av|pga|beror på|då de|då det|skälet|orsak|brist|svårt)\b", re.I)
NUMBER_WORDS = {"första", "tredje", "fjärde", "femte", "några", "flertalet", "halva", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv", "tjugo", "hundra", "tusen", "hälften", "procent", "miljoner", "mnkr"}
# "få" is an amount only after a word of degree ("ganska få", "några få timmar"); alone it is
# nearly always the verb ("kommunen kan få betala", "du ska få stöd"), which answers no "Hur mycket?".
FEW_RE = re.compile(r"\b(några|ganska|mycket|för|så|väldigt|alltför|relativt|endast|bara) få\b", re.I)
# "Hur länge får man vara på korttids?" asks for a length of time: an age ("över 12 år", the
# korttidstillsyn item) is a number but no answer: a length of time has its unit.
DURATION_ASKED_RE = re.compile(r"\bhur (länge|lång tid)\b|\bhow long\b", re.I)
DURATION_RE = re.compile(
    r"\b(\d+|en|ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|några|flera)\s*-?\s*(dag|dagar|dygn|veck|vecka|veckor|veckors"
    r"|månad|månader|månaders|år|års|timme|timmar|timmars|minuter)\b", re.I)
AGE_RE = re.compile(r"\b(över|under|från|fyllt|fyller|upp till|mellan)\s+\d+(\s*(och|-|–)\s*\d+)?\s*år\b", re.I)
# "(8 § LSS)", "9 § 10", "28 f §", "4 kap. 1 § SoL", "1–3 §§": where the law says it, not an amount.
# (A law's own number, "(1993:387)", stays: "Vilket nummer har LSS-lagen?" asks for it.)
LAW_REFERENCE_RE = re.compile(r"\d+\s*kap\.|\d+(?:\s*[a-h])?\s*§+(?:\s*\d+)?(?:\s*[–-]\s*\d+)?|\d+\s*[–-]\s*\d+\s*§+")
# "(9 § 9 LSS)", "(Socialstyrelsen om 9 § 9 LSS)": a source in brackets is not what a sentence says
REFERENCE_BRACKET_RE = re.compile(r"\([^()]*§[^()]*\)")
LIST_MARKER_RE = re.compile(r"^\s*\d{1,2}\.\s", re.M)
YEAR_RE = re.compile(r"\b(19|20)\d\d\b")
DATE_RE = re.compile(r"\b((19|20)\d\d-\d\d(-\d\d)?|\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december)|kvartal \d|(vår|höst|vinter|sommar)(en|as)?|årsskiftet|i oktober|vintras)\b", re.I)
DIGIT_RE = re.compile(r"\d")
NUMBER_RE = re.compile(r"\d+")
# Question types whose answer has a recognisable form; without it a quote is declined (FORM_REQUIRED),
# and choose() prefers a close quote that has it (KIND_PREFERRED).
FORM_REQUIRED = ("number", "date", "frequency", "cost", "section")
# "Vilken paragraf reglerar rapporteringsskyldigheten?" asks for a section of a law: a quote that names none
# (Norberg's "Motsvarande rapporteringsskyldighet gäller även ...", the compound's exact match) does not answer.
SECTION_KIND_ASKED_RE = re.compile(r"\b(vilken|vilka|vilket) (paragraf\w*|§|lagrum\w*)|\bvar i lagen\b|\bwhich section\b", re.I)
KIND_PREFERRED = FORM_REQUIRED + ("where", "purpose")
# "Vad betyder 9 § 10?" asks for one numbered item of a section, not the whole section
SECTION_ITEM_ASKED_RE = re.compile(r"§\s*\d")
# "Måste jag betala för daglig verksamhet?", "Kostar det något att ha en kontaktperson?": asked
# whether something is paid for, a quote that speaks of no payment does not answer (it was
# answered with what daglig verksamhet is). PAYMENT_ASKED_RE (from .wording) finds the question.
PAYMENT_RE = re.compile(r"\b(betal\w*|kosta\w*|kostnad\w*|avgift\w*|gratis|kostnadsfri\w*|kr|kronor|mnkr|tkr)\b", re.I)
# "Kan kommunen ta bort min insats?", "Kan LSS tas bort?": whether something can be taken away is
# answered only by a quote that speaks of taking it away or of keeping it (they got 16 § on moving and
# 4 §'s "LSS tar inte bort rättigheter ...", matched by "kommun", "insats", "LSS"; "Förlorar jag min
# assistans när jag fyller 66?" is answered by 9 b §: "Assistans som du fick före riktåldern kan
# fortsätta efter den").
WITHDRAWAL_RE = re.compile(
    r"\b(ta[rs]? bort|tagits bort|ta[rs]? (?:\w+ ){0,2}tillbaka|tagits tillbaka|dra[rs]? in|dragits in|dra[rs]? tillbaka|bli[r]? av med|förlora\w*|mista\w*"
    r"|upphör\w*|avslutas?|säg(?:a|er|s)? upp|sagt upp)\b", re.I)
KEEPING_RE = re.compile(r"\b(fortsätt\w*|behåll\w*|kvar|omfattar tiden efter|än (du|han|hon|den enskilde) (har|hade))\b", re.I)
# "Vart vänder jag mig om jag inte är nöjd med min assistans?", "Kan jag klaga på min gruppbostad?": a
# complaint is answered only by a quote on complaining, appealing or supervision (they got 9 b § on
# assistance after the riktålder, and what a gruppbostad is).
# Being treated badly is a complaint too ("Jag blir illa behandlad på gruppbostaden", "Vad gör jag om
# personalen är dum mot mig?" got what a gruppbostad is and a Mjölby minute). "tillsyn" counts as IVO's
# supervision, not as a resident's need of it ("stort behov av tillsyn och omvårdnad").
COMPLAINT_ASKED_RE = re.compile(r"\bklaga[rd]?\b|\bklagomål\w*|\b(?:inte|ej) (?:är |vara )?nöjd\b|\bmissnöjd\w*"
                                r"|\b(?:inte|ej) trivs\b|\btrivs (?:inte|ej)\b|\billa behandla\w*|\bbehandla\w* (?:mig|oss|honom|henne|hen) illa\b"
                                r"|\b(?:dum|dumma|elak|elaka|taskig|taskiga|otrevlig|otrevliga) mot\b|\bkränk\w*", re.I)
COMPLAINT_RE = re.compile(r"klag|nöjd|\btillsyn(?:en)? (?:över|innebär)|utövar tillsyn|\bIVO\b|granska", re.I)
# "Kan kommunen tvinga mig att flytta?": whether the member can be made to do something is answered only by
# a quote on coercion or on insatser being asked for (8 §); it got 16 § on moving to another kommun.
COERCION_ASKED_RE = re.compile(r"\btvinga\w*|\btvång\w*", re.I)
COERCION_RE = re.compile(r"tvång|tvinga|begär|frivillig", re.I)
# "Får man ersättning som kontaktperson?", "Får man lön som ledsagare?": the pay of one who holds a role is
# answered only by a quote on pay (it got Norberg's "Insatsen kontaktperson kan sökas av ...").
PAY_FOR_ROLE_ASKED_RE = re.compile(r"\b(?:ersättning|lön|arvode|betalt)\b(?:\s+\w+)?\s+som\b", re.I)
PAY_RE = re.compile(r"\b(?:ersättning\w*|lön\w*|arvode\w*|betal\w*|kr|kronor)\b", re.I)
# "Vad händer om jag inte har fått beslut än?", "Hur lång tid tar det att få ett beslut?": the time to decide
# on an application is answered only by a quote on handling it (they got 28 a § and 28 g-h §§, which are
# about carrying a decision out); not "fått beslut men ... inte", a decision not carried out.
DECISION_TIME_ASKED_RE = re.compile(
    r"\b(?:inte|ej) (?:har |hade )?fått (?:ett |något |mitt |vårt |sitt )?beslut|\bhur lång tid tar det att få (?:ett )?beslut"
    r"|\bnär får (?:jag|man|vi) (?:ett |mitt |vårt )?beslut|\bhandläggningstid", re.I)
DECISION_TIME_RE = re.compile(r"handlägg|utred|fatta\w* beslut|beslut fattas", re.I)
# "Kan kommunen ändra mitt beslut?", "Kan beslutet ändras?": changing a decision is answered only by a quote on
# reviewing or appealing one (they got Norberg's "genom en ändring i socialtjänstlagen ...", a change of the law).
CHANGE_ASKED_RE = re.compile(r"\bändra[rst]?\b.*\bbeslut|\bbeslut\w*\b.*\bändra(?:s|t|d|de)?\b", re.I | re.S)
CHANGE_RE = re.compile(r"ompröv\w*|överklag\w*|prövar? (?:\w+ )?(?:beslut\w* )?på nytt|titta på beslutet igen"
                       r"|ändra\w* (?:ett |sitt |mitt |ditt )?beslut", re.I)
# "Hur länge gäller ett LSS-beslut?", "Gäller mitt beslut för alltid?": how long a decision holds is answered
# only by a quote on its validity, which no text has (they got 28 f §'s "inom tre månader", which is about
# reporting a decision not carried out).
VALIDITY_ASKED_RE = re.compile(r"^(?=.*\bbeslut).*?(?:\bhur länge gäller\b|\bgäller\b.*\bför alltid\b|\bgiltig\w*|\btidsbegräns\w*)",
                               re.I | re.S)
VALIDITY_RE = re.compile(r"\bgiltig\w*|\btidsbegräns\w*|\bgäller (?:\w+ ){0,3}(?:tills|till och med|i \d+ (?:år|månader))", re.I)
# (reason, asked in the question, what a quote must then speak of)
TOPICS_A_QUOTE_MUST_SPEAK_OF = (
    ("payment_missing", PAYMENT_ASKED_RE, (PAYMENT_RE,)),
    ("withdrawal_missing", WITHDRAWAL_RE, (WITHDRAWAL_RE, KEEPING_RE)),
    ("complaint_missing", COMPLAINT_ASKED_RE, (COMPLAINT_RE,)),
    ("coercion_missing", COERCION_ASKED_RE, (COERCION_RE,)),
    ("pay_missing", PAY_FOR_ROLE_ASKED_RE, (PAY_RE,)),
    ("decision_time_missing", DECISION_TIME_ASKED_RE, (DECISION_TIME_RE,)),
    ("change_missing", CHANGE_ASKED_RE, (CHANGE_RE,)),
    ("validity_missing", VALIDITY_ASKED_RE, (VALIDITY_RE,)),
)
FEE_SECTION_RE = re.compile(r"\b(18|19|20|21)(\s*[–-]\s*(19|20|21))?\s*§")
# The särskild avgift a kommun pays for an insats not given in time (28 a-c §§), and the words that ask
# about it or about the delay it is for.
SANCTION_RE = re.compile(r"särskild\w* avgift\w*|åläggas att betala", re.I)
SANCTION_ASKED_RE = re.compile(r"särskild\w* avgift|\bböter|bötfäll|\bsen\b|\bsent\b|\bförsen\w*|dröj\w*|verkställ\w*"
                               r"|\bi tid\b|skälig|\binte (?:ger|gett|ge|får|fått)\b|\b(?:kommunen|regionen|nämnden) (?:\w+ )?betala"
                               r"|sanktion\w*|straff\w*", re.I)
FEE_SECTIONS = {18, 19, 20, 21}
SECTION_NUMBER_RE = re.compile(r"\b(\d{1,2})\s*[a-h]?\s*§")
# Words that ask about money in any way (a fee, a price, an income, what one keeps): a question without
# them is not answered by the rules on fees.
FEE_WORDS_ASKED_RE = re.compile(PAYMENT_ASKED_RE.pattern + r"|\b(?:pengar\w*|hyr\w*|pension\w*|ersättning\w*|inkomst\w*|kr)\b",
                                re.I)
# "Måste jag betala för gruppbostad?": a home is the one insats the kommun may charge for (19 §, "avgifter för
# bostad"); it got 21 §'s "Utom för bostad, fritid och kultur behöver du inte betala ...", which a member
# reads as "free".
HOUSING_INSATS_RE = re.compile(r"\b(gruppbostad\w*|servicebostad\w*|bostad\w* med särskild service|hyra|hyran)\b", re.I)
HOUSING_FEE_RE = re.compile(r"\b19\s*§")
# The insatser as members name them (INSATS_NAMED_RE, from .wording): what the law says of the fees for
# "insatser" (21 §: none beyond 18-20 §§) holds for each of them, so "Måste jag betala för daglig verksamhet?"
# is answered by that rule even though it does not name daglig verksamhet.
# "Kan jag ha både daglig verksamhet och kontaktperson?" asks whether two insatser go together: a quote
# on one of them alone (what daglig verksamhet is) does not answer it.
# "Kan jag få ledsagarservice om jag har personlig assistans?" asks the same (it got the two items of 9 §).
# "Kan man ha kontaktperson och personlig assistans?" asks the same without "både", and "Kan jag ha
# kontaktperson om jag bor i gruppbostad?" with the other insats as where one lives (it got what a
# gruppbostad is).
BOTH_ASKED_RE = re.compile(r"\bbåde\b|\bsamtidigt\b|\bom (?:jag|man|vi|han|hon|hen) (?:redan )?(?:har|bor i|bor på|går på|går i)\b"
                           r"|^\s*(?:kan|får) (?:jag|man|vi|en|ett) (?:ha|få) (?:\w+ ){1,3}och\b", re.I)
# "Kan min mamma vara min personliga assistent?", "Får en anhörig vara kontaktperson?", "Måste ansökan vara
# skriftlig?": whether someone may hold a role, or something must be so, is answered only by a quote that
# names both (they got what personlig assistans is, and Socialstyrelsen's "skriftligt material" to films).
# A pronoun ("Kan jag vara kontaktperson?") asks what the role takes instead; "vara med och ..." is taking part.
ROLE_HOLDER_ASKED_RE = re.compile(
    r"^\s*(?:kan|får|ska|bör|måste|brukar) (?:min|mina|mitt|vår|våra|vårt|en|ett|någon i|ingen i)?\s*"
    r"(?P<holder>(?!(?:jag|du|man|vi|ni|han|hon|hen|de|dom|den|det|någon|ingen|alla)\b)\w+) "
    r"(?:\w+ )?(?:vara|bli|jobba som|arbeta som) (?!med\b)(?:min|mina|mitt|hans|hennes|en|ett|den|de)?\s*"
    r"(?P<role>\w+(?:[ -]\w+){0,2})\s*\??\s*$",
    re.I)
DIFFERENCE_ASKED_RE = re.compile(r"\bskillnad\w*", re.I)
# "Varför fick jag avslag?", "Varför sa kommunen nej?": why it went so in the member's own case
OWN_CASE_WHY_RE = re.compile(
    r"^\s*(?:(?:men|och)\s+)?varför\b(?=.*\b(?:jag|mig|vi|oss|min|mitt|mina|vår|vårt|våra|nej|avslag)\b)", re.I | re.S)
# "Kan jag få assistans på natten?", "Får jag ha husdjur i gruppbostaden?": a member asks whether
# something is allowed or possible. The answer turns on the condition ("natten", "husdjur"): when the
# texts never mention it, no quote can say yes or no.
_MODAL_START = r"^\s*(kan|får|måste|behöver|ska)\s+"
_FIRST_PERSON = "jag|vi|mitt|min|mina"
# "Har jag rätt till LSS om jag har ADHD?", "Omfattas man av LSS om ...?" ask the same as "Kan jag få LSS
# om ...?" (which was declined while they got 7 §'s "Du har rätt till stöd om du tillhör en av grupperna").
PERMISSION_ASKED_RE = re.compile(
    rf"(?:{_MODAL_START}|^\s*(?:har|omfattas)\s+)({_FIRST_PERSON}|man|en|ett|familjen|barnet|barn)\b", re.I)
# The member asking for themselves ("Kan jag få bo i gruppbostad?"), not about a rule in general
# ("Måste man redovisa ...?", which a kommun's own report may answer).
FIRST_PERSON_ASKED_RE = re.compile(_MODAL_START + rf"({_FIRST_PERSON})\b", re.I)
# "Vad kan jag göra med min kontaktperson?", "Vad ska en kontaktperson göra?" ask what the rules allow as
# "Kan jag ...?" does
WHAT_CAN_I_DO_RE = re.compile(r"^\s*vad (?:kan|får|ska|gör|brukar) (?:(?:jag|vi|man)\b(?=.*\b(?:min|mitt|mina|en|ett)\b)|en|ett)\b",
                              re.I)
# "Kan jag klaga på min gruppbostad?", "Får jag välja min assistent?": the verb after the modal is what
# is asked about. Everyday verbs ("få", "ha", "söka") say little; any other must be in a quote.
# The member's own action, or the kommun's, nämnd's or region's ("Ska kommunen informera om LSS?" got 28 f §'s
# reporting); not "man": "Måste man redovisa ...?" (q009) is answered by "rapportera", and "Kan man
# tillhöra personkretsen ...?" (q153) by the group's description.
ASKED_ACTION_RE = re.compile(_MODAL_START + r"(?:jag|vi|kommunen|nämnden|regionen)\s+(?:inte\s+)?(?P<verb>[a-zåäö]+)\b", re.I)
# "Ska beslut om bostad med särskild service rapporteras?": a passive verb at the end is what is asked
# (it got what a bostad med särskild service is).
PASSIVE_ACTION_RE = re.compile(_MODAL_START + r".*\b(?P<verb>[a-zåäö]{4,}as)\s*[?.!]*\s*$", re.I | re.S)
# "Hur gör jag för att byta kontaktperson?": the same action asked as how to do it (it got Norberg's
# "Bli kontaktperson" page).
# "Hur kontaktar jag IVO?" too (it got what IVO is): a verb in the present tense right after "hur".
HOW_ACTION_RE = re.compile(r"^\s*hur (?:(?:gör|ska|kan) (?:jag|vi) (?:göra )?för att (?P<verb>[a-zåäö]+)\b"
                           r"|(?P<present>[a-zåäö]+[aeo]r) (?:jag|vi|man)\b)", re.I)
EVERYDAY_VERBS = frozenset("få ha söka ansöka bo vara bli gå ta göra gör får har söker ansöker bor går tar vet".split())
# "Får jag behålla min kontaktperson om jag flyttar?": the om-clause is the condition the answer turns
# on; a quote that speaks of none of its words does not answer it (it got MFD's "behålla kontaktpersoner").
# An age ("om jag fyller 67", "om jag är 20 år") is answered by a quote on age ("riktåldern", "vuxen").
CONDITION_CLAUSE_RE = re.compile(
    r"\bom (?:jag|man|vi|han|hon|hen|(?:min|mitt|vår|vårt) \w+|barnet) (?P<clause>[^?.,;!]+)", re.I)
AGE_CLAUSE_RE = re.compile(r"\d|\bgammal\b|\bår\b", re.I)
AGE_RE_IN_QUOTE = re.compile(r"ålder|\bår\b|\d|vuxen|vuxna|barn|ungdom|pension", re.I)
# "Kan barn få personlig assistans?": the age group asked about is what the answer turns on, but "barn"
# weighs little (an everyday word); a close quote that speaks of age ("både barn och vuxna kan få
# insatser") is preferred to the definition of the insats. Only a preference: the insats's own
# description still answers when no quote on age is close.
AGE_GROUP_ASKED_RE = re.compile(
    _MODAL_START + r"(?:ett |mitt |vårt |våra |mina )?(barn|barnet|ungdomar|unga|vuxna|äldre|pensionärer|tonåringar)\b", re.I)
# "Kan man få LSS om man är 70 år?" asks whether LSS as a whole has an age limit (it has none, 1 §): 8 §'s
# "om du är under 15 år" (who applies for someone) matched "år" and was quoted. When the question names
# nothing but LSS and support in general, a quote whose every age limit leaves the asked age out is
# passed over for a close one that does not. Not for a named insats: "över 12 år" answers "Kan jag få
# korttidstillsyn om jag är 10?" (with no).
ASKED_AGE_RE = re.compile(r"\b(?:är|blir|fyller|fyllt)\s+(\d{1,3})\b(?!\s*(?:§|kap|kr|kronor|timmar|dagar|procent|%))", re.I)
AGE_LIMIT_IN_QUOTE_RE = re.compile(r"\b(under|över)\s+(\d{1,3})\s*år\b", re.I)
LSS_AT_AN_AGE_WORDS = {stem(w) for w in ("lss", "stöd", "insats", "insatser", "hjälp", "lagen", "år", "gammal")}
# "ålder", "åldern", "åldersgränsen", "riktåldern", "yrkesverksam ålder"; not 19 §'s "ålderspension"
AGE_WORD_RE = re.compile(r"\b(?:\w*ålder|\w*åldern|åldersgräns\w*)\b", re.I)
# "Vem ansöker om särskild avgift?": what the asked-for actor does is the verb; a close quote that holds it
# ("Frågan prövas av förvaltningsrätten efter ansökan av IVO") is preferred to one on the same topic that
# names another actor ("En kommun ... ska åläggas att betala en särskild avgift"). Only a preference.
# Verbs of general Swedish ("ge", "göra", weighing under CONDITION_MIN_WEIGHT) say too little: "vem ska ge mig
# stödet" is answered by "Kommunen ansvarar för ...".
WHO_ACTION_RE = re.compile(r"^\s*vem (?:(?:kan|ska|får|måste|brukar) )?(?P<verb>[a-zåäö]+)\b", re.I)
# Not any digit, as for an age in an om-clause: "Covid -19" is no age.
# Whole words: "vuxensidan" (Norberg's adult services) says nothing on whether adults may get the insats.
AGE_GROUP_IN_QUOTE = re.compile(r"ålder|\b(år|vuxen|vuxna|barn|barnet|barnets|ungdom\w*|pension\w*|äldre)\b", re.I)
# Children and adults, as a question or a quote names them (age_group_contradicted).
AGE_GROUPS = {
    "children": re.compile(r"\b(barn|barnet|barnen|ungdom\w*|unga|skolungdom\w*)\b", re.I),
    "adults": re.compile(r"\b(vuxen|vuxna|vuxnas)\b", re.I),
}
# The group as what the thing asked about is for, at the end: "... bostad med särskild service för barn?"
# (not "Vem kan ansöka om insatser för ett barn?", where the child is whom one applies for).
FOR_AGE_GROUP_RE = re.compile(r"\bför (?:barn|ungdomar|unga|vuxna)(?: och (?:ungdomar|unga|vuxna))?\s*[?.!]*\s*$", re.I)
CONDITION_MIN_WEIGHT = 1.8  # below it: frame words of general Swedish ("tar", "ge", "vill")
# Whom a member asks for is no condition: "Kan vi få hjälp med vår son som har autism?" turns on autism.
ASKED_FOR_STEMS = {stem(w) for w in (
    "son söner dotter döttrar barn barnet pojke flicka mamma pappa förälder föräldrar bror syster "
    "make maka fru sambo familj anhörig"
).split()}
# "Vad kan en kontaktperson hjälpa mig med?", "Vad är daglig verksamhet till för?": what a thing is for.
PURPOSE_ASKED_RE = re.compile(r"\b(hjälpa (mig|dig|oss|en|till) med|till för|syftet med|what is .* for)\b", re.I)
PURPOSE_RE = re.compile(r"\b(för att|finns till för|är till för|syftar till|syftet|ska kunna|möjlighet att|möjlighet till)\b", re.I)
# "Vilka insatser kan man få?" asks for the items of a list (not "Vilka år ...?", a date question)
LIST_ASKED_RE = re.compile(r"^\s*(och\s+)?(vilka|which|what are)\b(?!\s+år\b)", re.I)
MAX_LIST_ITEMS = 20
MAX_LIST_PASSAGES = 4  # "De tio insatserna" of the standard guidance runs over four passages
# "Verkställa betyder att ...", "Ett beslut där du får ja kallas ett gynnande beslut.": a definition
DEFINITION_RE = re.compile(r"\b(betyder|kallas|innebär|menas med)\b", re.I)
# "Vad är en kontaktperson enligt LSS?", "Vad betyder personkrets?", "vad menas med verkställa"
DEFINITION_QUESTION_RE = re.compile(
    r"^(?:och\s+)?(?:vad\s+(?:är|betyder|innebär)|vad\s+menas\s+med)\s+(?:en\s+|ett\s+)?(?P<term>.+?)"
    r"(?:\s+för\s+(?:något|nåt|någonting))?(?:\s+(?:enligt|i|inom)\s+lss)?\s*[?.!]*$"
)
# "Kontaktperson enligt LSS är en insats ...", "IVO betyder ...": a sentence that explains its first words
DEFINING_VERBS = frozenset("är betyder innebär kallas menas avses".split())
DEFINITION_ASKED_RE = re.compile(r"\b(vad (är|betyder|menas|innebär)|what (is|are|does))\b", re.I)
YEARS_ASKED_RE = re.compile(r"\b(vilka|vilket) år\b|\b(which|what) years?\b", re.I)
# "Hur många gånger ...?": "för tredje gången", "två gånger", "3 gånger"
TIMES_RE = re.compile(
    r"\b(första|andra|tredje|fjärde|femte|sjätte|\d+:?e) gången\b|\b(två|tre|fyra|fem|sex|flera|\d+) gånger\b", re.I
)
# Two capitalised words, found overlapping ("Sedan Liane Blom" holds "Liane Blom")
PERSON_RE = re.compile(r"(?=\b([A-ZÅÄÖ][a-zåäöé]+) [A-ZÅÄÖ][a-zåäöé]+\b)")
ROLE_RE = re.compile(r"(sekreterare|ordförande|chef|handläggare|konsulent|styrelse|myndighet|IVO|revisor|fullmäktige|nämnd|förvaltning|kommunen|staten|Försäkringskassan|Socialstyrelsen|\(S\)|\(M\)|\(L\)|\(C\)|\(V\)|\(MP\)|\(KD\)|\(SD\))")
# "Vem kan få / har rätt till ...?" asks which people qualify: a description of them answers it
ELIGIBILITY_ASKED_RE = re.compile(r"\bvem (?:(?:kan|ska|får) (?:få|söka|ansöka|ha rätt)|har rätt|omfattas)\b", re.I)
ELIGIBLE_RE = re.compile(r"\b(den|de|du|dig|en person|personer|barn|vuxna|alla) som\b|\bpersoner med\b|\bpersonkrets|\bgrupp [123]\b"
                         r"|\bom (du|man|den enskilde)\b|\btillhör\b", re.I)
SPLIT_WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+")
CAPITAL_RE = re.compile(r"\b[A-ZÅÄÖ][a-zåäöé]+(?:[A-ZÅÄÖ][a-zåäö]+)?\b")


# ------------------------------------------------------------- question parsing

# Words this long or longer are corrected to the texts' spelling when one typing error away (shorter ones are
# too often another word: "hund" / "hand").
MIN_SPELLED_LEN = 6


def insatser_named(text: str) -> set[str]:
    """The insatser a text names, each by the first letters of its last word: "ledsagare" and
    "ledsagarservice" are one, and so are "personlig assistans" and "assistans"."""
    return {m.group(1).split()[-1].lower()[:5] for m in INSATS_NAMED_RE.finditer(text)}


def named_together_nowhere(insatser: set[str], chosen: list[Window]) -> bool:
    """Whether no quote names every one of ``insatser`` (one asked about, or two asked together)."""
    return not any(insatser <= insatser_named(w.quote) for w in chosen)


@dataclass
class Question:
    raw: str
    text: str  # the question with injected instructions removed
    retrieval_query: str
    stems: list[str]  # content stems of this question
    context_stems: list[str]  # content stems carried over from earlier turns
    qtype: str
    english: bool
    followup: bool
    injection: bool
    anchors: list[str] = field(default_factory=list)  # names, places and years that must appear
    sections: list[str] = field(default_factory=list)  # sections of LSS asked about: "9", "28 f"
    weights: dict[str, float] = field(default_factory=dict)  # stem -> weight (context terms discounted)
    previous_answer: set[str] = field(default_factory=set)  # content stems of the last assistant turn


def zipf_sv(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "sv")


# "What's LSS?": the word split at the apostrophe leaves "s", as common in Swedish as in English
CONTRACTION_RE = re.compile(r"(\w)['’](s|t|ll|re|ve|d|m)\b", re.I)


def is_english(text: str) -> bool:
    from wordfreq import zipf_frequency

    ws = [w for w in words(CONTRACTION_RE.sub(r"\1\2", text)) if not w.isdigit()]
    if not ws:
        return False
    english = sum(zipf_frequency(w, "en") > zipf_frequency(w, "sv") + 0.5 for w in ws)
    return english / len(ws) >= 0.5


def term_weight(word: str) -> float:
    """How much a question word says about the topic: rare words a lot, everyday words little.

    Information content from Swedish word frequencies (wordfreq's Zipf scale, 7 = "och");
    words it does not know (misspellings, compounds, names) weigh the most.
    """
    z = zipf_sv(word)
    if z == 0 and len(word) <= 4:
        return 1.5  # an unknown short word is more likely a typo ("mång") than a rare term
    return float(min(6.0, max(0.3, 7.0 - z)))


def weighted_terms(text: str) -> dict[str, float]:
    """Content stems of ``text`` with their weights (the largest weight of any surface form)."""
    out: dict[str, float] = {}
    for token in words(text):
        # "LSS-utjämningssystemet" is looked up as its parts, like the corpus spells them apart
        for w in token.split("-") if "-" in token else [token]:
            if w in STOPWORDS or w in QUESTION_WORDS or (len(w) < 2 and not w.isdigit()):
                continue
            s = stem(w)
            # "ofta", "länge", "antal" say what kind of answer is wanted (the question type),
            # not what it is about: they must not decide which sentence is quoted.
            weight = min(term_weight(w), 0.5) if s in QUANTITY_STEMS else term_weight(w)
            out[s] = max(out.get(s, 0.0), weight)
    return out


def question_type(text: str) -> str:
    """The kind of answer asked for, from the start of the question's sentences (last first):
    "Vem följer med ... när man provar" asks "who", "Min dotter ... Vilket år ...?" asks "date"."""
    if SECTION_KIND_ASKED_RE.search(text):
        return "section"  # "Var i lagen står det om överklagande?" asks for a section, not a place
    for span in reversed(sentences_of(text.replace("\n", " ")) or [Span(0, 0, text)]):
        ws = words(span.text)
        if ws and ws[0] in ("och", "men", "and", "but", "så"):
            ws = ws[1:]
        kind = _question_type_of(" " + with_swedish_letters(" ".join(ws[:3])) + " ")
        if kind == "number" and PAY_ASKED_RE.search(span.text):
            kind = "cost"
        if kind != "what":
            return kind
    if PURPOSE_ASKED_RE.search(text):
        return "purpose"  # "Vad kan insatsen kontaktperson hjälpa mig med i vardagen?"
    if defined_term(text):
        return "definition"
    return "what"


@lru_cache(maxsize=256)  # asked again for every candidate quote of the question (_type_signal)
def defined_term(text: str) -> str:
    """The term a "Vad är X?" / "Vad betyder X?" question asks to have explained ("en kontaktperson"
    -> "kontaktperson"); "" for other questions. Only short terms of content words: "Vad är det
    som gäller?" or "Vad är bra med daglig verksamhet?" ask something else."""
    last = (sentences_of(text.replace("\n", " ")) or [Span(0, 0, text)])[-1].text
    m = DEFINITION_QUESTION_RE.match(with_swedish_letters(last).strip())
    if not m:
        return ""
    term = words(m.group("term"))
    if not term or len(term) > 4 or any(w in STOPWORDS or w in QUESTION_WORDS for w in term):
        return ""
    return " ".join(term)


# "Hur mycket tjänar en kontaktperson?", "Hur mycket får en personlig assistent i lön?": an amount of money
# is asked for, which only a sum in kronor answers (they got Norberg's "1 juli 2006" and 9 a §'s "ett
# begränsat antal personer").
PAY_ASKED_RE = re.compile(r"\b(tjänar|tjäna|betalar|betalas|lön|lönen|arvode|arvodet|betalt)\b", re.I)


def _question_type_of(t: str) -> str:
    if re.search(r"\b(vad kostar|hur mycket kostar|hur dyr|what does .* cost|how much does)\b", t):
        return "cost"
    if re.search(r"\bhur (ofta|många gånger)\b|\bhow often\b", t):
        return "frequency"
    if re.search(r"\bhur (många|mycket|stor|länge|lång tid|dyr)\b|\bhow (many|much|long)\b|\bantal\b|\bandel\b|\bvilket nummer\b|\bvad kostar\b", t):
        return "number"
    if re.search(r"\bnär (har|får|kan) (man|jag|du|en|vi)\b", t):
        return "what"  # "När har man rätt till ...": asks for conditions, not a date
    if re.search(r"^ (vad|hur) \w+ när\b", t):
        return "what"  # "Vad händer när beslutet har verkställts?" asks what follows, not a date
    if re.search(r"\b(när|sedan när|vilket år|vilka år|vilket datum|what year|when|which year|since when)\b", t):
        return "date"
    if re.search(r"\b(varför|why|vad beror)\b", t):
        return "why"
    if re.search(r"\b(vem|who|vems)\b", t):
        return "who"
    if re.search(r"^ (var|where) ", t):
        return "where"
    return "what"


# How many words may come before the term a "Vad är X?" asks about in a sentence that speaks of it as
# its subject ("3. Ledsagarservice", "Att ta ett uppdrag som kontaktperson handlar om ...").
TERM_LEAD_WORDS = 5
# A sentence that names what something is called ("Ett beslut där du får ja kallas ett gynnande beslut").
NAMING_RE = re.compile(r"\b(kallas|kallad|kallade|benämns|avses|menas|betyder|innebär)\b", re.I)
# ... or explains it by examples right after it ("grundläggande behov, till exempel andning, ..."), or in the
# next sentence ("... grundläggande behov (9 a § LSS). Det kan till exempel vara att andas, äta, ...").
EXAMPLES_RE = re.compile(r",? \(?(?:till exempel|t\.ex\.|såsom|alltså) \w", re.I)
EXAMPLES_NEXT_RE = re.compile(r"\s*(?:det|detta|de) (?:kan (?:till exempel )?vara|är till exempel|betyder|innebär)\b", re.I)
TERM_WORD_RE = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+")
# "Det finns i dagsläget 8 stödpedagoger ..." says that there are some, not what they are ("Vad är en stödpedagog?").
EXISTENTIAL_RE = re.compile(r"\s*(?:\d+\.\s*)?det finns\b", re.I)


def defines(term: str, text: str) -> bool:
    """Does ``text`` open by explaining ``term``: the term among its first words (not "Personkrets
    1 är ...", a part of it), then a defining verb ("Kontaktperson enligt LSS ... är en insats")?"""
    ws = words(with_swedish_letters(text))
    wanted = set(content_stems(term))
    if not wanted:
        return False
    lead = len(words(term)) + 2  # room for "En", "Att" or an adjective before the term
    found = [i for i, w in enumerate(ws[:lead]) if stem(w) in wanted]
    if {stem(ws[i]) for i in found} != wanted:
        return False
    after = found[-1] + 1
    if after < len(ws) and ws[after].isdigit():
        return False
    return any(w in DEFINING_VERBS for w in ws[after:])


def strip_injection(text: str) -> tuple[str, bool]:
    """Drop the sentences of the question that try to give the assistant instructions."""
    spans = sentences_of(text.replace("\n", " "))
    kept, injected = [], False
    for span in spans:
        # "Ignorera X. Men hur mycket ...?" - a clause after "men" can still be a real question.
        parts = re.split(r"(?<=[.!])\s+|\s+(?=(?:Men|men|But|but) )", span.text)
        for part in parts:
            if _INJECTION_RE.search(part):
                injected = True
                tail = re.split(r"\b(?:men|but)\b", part, maxsplit=1, flags=re.I)
                if len(tail) == 2 and "?" in tail[1] and not _INJECTION_RE.search(tail[1]):
                    kept.append(tail[1].strip())
            else:
                kept.append(part.strip())
    return " ".join(k for k in kept if k), injected


def is_followup(text: str, history: list[dict]) -> bool:
    if not any(h.get("role") == "user" for h in history):
        return False
    ws = words(text)
    if len(ws) <= 4:
        return True
    content = [w for w in ws if w not in STOPWORDS and w not in QUESTION_WORDS]
    return (ws[0] in FOLLOWUP_OPENERS and len(content) <= 3) or (any(w in ANAPHORA for w in ws) and len(content) <= 3)


QUANTITY_STEMS = {stem(w) for w in (
    "ofta länge nummer antal andel mycket många stor stora gång gånger kostar kostnad summa siffra siffran procent "
    "paragraf paragrafen paragrafer lagrum lagrummet"  # "Vilken paragraf ...?" asks for a section, of any topic
).split()}
# The product's own name, which the guidance names as its writer and publisher: "Kan min mamma vara
# min assistent?" was answered with "LSS-assistenten har skrivit den här texten", "assistent" being
# taken for a part of it.
OWN_NAME_STEMS = {"lss-assistent"}
GENERIC_NAMES = {"lss", "sol", "kommun", "kommunen", "kommunerna", "lagen", "svar", "ja", "nej"}
GENERIC_STEMS = {stem(w) for w in GENERIC_NAMES}


def find_anchors(text: str, known_places: set[str], vocabulary: dict[str, float]) -> list[str]:
    """Names, places and years in the question that a valid answer must mention.

    A capitalised word counts when the corpus knows it (an unknown one is caught as an
    unknown term instead); the first word of the question only when it is a place.
    """
    anchors = []
    for m in CAPITAL_RE.finditer(text):
        lw = m.group(0).lower()
        st = stem(lw)
        if lw in GENERIC_NAMES or lw in STOPWORDS or lw in QUESTION_WORDS or lw in ENGLISH_HINTS:
            continue
        is_place = st in known_places or lw.rstrip("s") in known_places
        if (m.start() > 0 or is_place) and (st in vocabulary or is_place):
            anchors.append(lw)
    anchors += [m.group(0) for m in YEAR_RE.finditer(text)]
    return anchors


RESTATE_SHARE = 0.75  # a second quote whose words are this much in the first only restates it
RERANK_FUSED_WEIGHT = 8.0  # fused RRF scores are ~0.05-0.1; this makes them a tie-breaker, not a driver

# Hand-set starting weights; evals/calibrate.py fits them on the question set and writes
# assistant/window_weights.json, which wins when present.
DEFAULT_WINDOW_WEIGHTS = {
    "cov": 0.5, "cov_en": 0.15, "sim": 0.35, "sim_en": 0.35, "fused": 0.1, "top_passage": 0.0,
    "novelty": 0.08, "type_hit": 0.12, "type_miss": -0.15, "pair": -0.06, "pair_gain": 0.0,
    "pair_second_novel": 0.0, "short": -0.1, "question_mark": -0.3, "length": 0.0, "sim_gap": 0.0,
    "cov_gap": 0.0, "counted_hit": 0.8, "bigram": 0.3, "sim_second_gap": 0.0, "sim_best_part_gap": 0.0, "repeats_previous": -0.5, "section_ref": 0.0,
    "cov_local": 0.0, "cov_local_gap": 0.0, "passage_cov": 0.0,
}
WEIGHTS_FILE = Path(__file__).with_name("window_weights.json")


def load_window_weights() -> dict[str, float]:
    try:
        data = json.loads(WEIGHTS_FILE.read_text())
        return {**DEFAULT_WINDOW_WEIGHTS, **data["weights"]}
    except (OSError, ValueError, KeyError):
        return dict(DEFAULT_WINDOW_WEIGHTS)


# ------------------------------------------------------------- the answerer


@dataclass
class Window:
    passage_rank: int
    scored: ScoredPassage
    spans: list[Span]
    score: float = 0.0
    coverage: float = 0.0
    similarity: float = 0.0
    type_ok: bool = True
    features: dict = field(default_factory=dict)
    is_list: bool = False  # a numbered list (or part of one): shown one item per line

    @property
    def quote(self) -> str:
        text = self.scored.passage.text
        return text[self.spans[0].start : self.spans[-1].end]

    def key(self) -> tuple[str, int, int]:
        return (self.scored.passage.passage_id, self.spans[0].start, self.spans[-1].end)


@dataclass
class Thresholds:
    """Calibrated on evals/questions.jsonl (see evals/README.md); change them only with the eval run."""

    min_coverage_sv: float = 0.30  # below this, too few of the question's words are in the quote
    weak_coverage_sv: float = 0.45  # between the two, the quote must also be close in meaning ...
    min_similarity_sv: float = 0.855  # ... (cosine of question and quote)
    min_similarity_en: float = 0.81  # English questions have no lexical overlap with Swedish text
    second_window_margin: float = 2.0  # a second quote is added when it scores this close to the best
    kind_margin: float = 3.0  # how far below the best a quote with the asked-for kind of answer may score
    easy_read_margin: float = 2.0  # Lättläst mode: how far below the best a quote from an easy-read text may score


class ExtractiveAnswerer:
    def __init__(self, embedder, vocabulary: dict[str, float], places: set[str], max_sentences: int = 3,
                 stale_years: int = 3, passages: list[Passage] | None = None):
        self.embedder = embedder
        self.stale_years = stale_years  # cited sources older than this get a note (0 = never)
        self.idf = vocabulary  # stem -> idf over the passages
        self.places = places  # stems of the places the corpus talks about (kommun, län, towns)
        self.max_sentences = max_sentences
        self.thresholds = Thresholds()
        self.weights = load_window_weights()
        self._max_idf = max(vocabulary.values()) if vocabulary else 1.0
        # A list that runs on into the document's next passage is completed from there.
        self._by_position = {(p.doc_id, p.position): p for p in passages or []}
        # the texts' words by length, for spelled_as_the_texts; a word used once may be the texts' own typo
        # ("Dagligveksamhet" in FUB's text)
        counts = Counter(w for p in passages or [] for w in words(p.text) if len(w) >= MIN_SPELLED_LEN - 1)
        self._spellings: dict[int, list[tuple[int, str]]] = {}
        for w, n in counts.items():
            if n >= 2:
                self._spellings.setdefault(len(w), []).append((n, w))

    # -- question ------------------------------------------------------------------
    def parse(self, raw: str, history: list[dict]) -> Question:
        text, injected = strip_injection(normalize(raw).strip())
        text = self.join_split_compounds(with_chat_spellings(text))
        english = is_english(text)
        if english and (swedish := as_swedish(text, lambda w: stem(w) in self.idf)):
            # Every word known: answered like a Swedish question, with the lexical rules that need Swedish words.
            text, english = swedish, False
        if not english:
            text = self.spelled_as_the_texts(text)
        followup = bool(text) and is_followup(text, history)
        context_stems: list[str] = []
        asked = as_the_texts_ask_it(text)
        retrieval_query = asked
        weights = weighted_terms(asked)
        if followup:
            previous = [h["content"] for h in history if h.get("role") == "user"][-2:]
            if self._names_place(text):
                # "Och Mjölby?" after a question about Hallstahammar: the same question, another place.
                previous = [self._without_places(p) for p in previous]
            context_stems = [s for p in previous for s in content_stems(p)]
            retrieval_query = " ".join(previous[-1:] + [retrieval_query])
            for st, wt in weighted_terms(" ".join(previous[-1:])).items():
                weights.setdefault(st, 0.7 * wt)
        return Question(
            raw=raw,
            text=text,
            retrieval_query=retrieval_query,
            stems=content_stems(text),
            context_stems=context_stems,
            # the kind of answer the texts' wording asks for: "Har jag rätt till kontaktperson?" is asked
            # as "Vem har rätt till kontaktperson?", answered by a description of who qualifies
            qtype=question_type(asked),
            english=english,
            followup=followup,
            injection=injected,
            weights=weights,
            previous_answer=set(content_stems(next(
                (h["content"] for h in reversed(history) if h.get("role") == "assistant"), ""
            ))) if followup else set(),
            anchors=find_anchors(text, self.places, self.idf),
            sections=sections_asked(text),
        )

    def spelled_as_the_texts(self, text: str) -> str:
        """A word no text has in any form, one typing error from a word of the texts, is written as that word
        ("kan jag få asistans" found 9 b § on assistance after the pension age: the misspelled word was
        lost to BM25 and weighed as an unknown term). Only a word Swedish does not have (wordfreq), only to
        a word the texts use more than once, the most frequent such word; short words are left alone
        ("hund" is one letter from "hand")."""
        def corrected(m: re.Match) -> str:
            w = m.group(0)
            low = w.lower()
            if len(low) < MIN_SPELLED_LEN or low in STOPWORDS or stem(low) in self.idf or zipf_sv(low) > 0:
                return w  # a word of the texts, or of Swedish ("klagar" is no typo of the texts' "lagar")
            near = [(n, v) for size in (len(low) - 1, len(low), len(low) + 1) for n, v in self._spellings.get(size, ())
                    if v != low and self._fuzzy_equal(low, v) and not self._same_word(low, v)]
            return max(near)[1] if near else w
        return SPLIT_WORD_RE.sub(corrected, text)

    def join_split_compounds(self, text: str) -> str:
        """Members often write a compound as two words (särskrivning: "kontakt person", "grupp bostad"):
        two adjacent content words are joined when the compound is a word of the texts. The joined
        stem must be longer than the first word by more than an ending: "igång igen" stems to
        "igång" and is no compound."""
        ws = list(SPLIT_WORD_RE.finditer(text))
        out, last, i = [], 0, 0
        while i < len(ws) - 1:
            a, b = ws[i], ws[i + 1]
            la, lb = a.group(0).lower(), b.group(0).lower()
            if (text[a.end() : b.start()] == " " and b.group(0) == lb and la not in STOPWORDS and lb not in STOPWORDS
                    and la not in QUESTION_WORDS and min(len(la), len(lb)) >= 3):
                s = stem(la + lb)
                if s in self.idf and len(s) >= len(la) + 3:
                    out += [text[last : a.end()], lb]
                    last, i = b.end(), i + 2
                    continue
            i += 1
        return "".join(out) + text[last:]

    def _names_place(self, text: str) -> bool:
        return any(stem(w) in self.places for w in words(text))

    def _without_places(self, text: str) -> str:
        return " ".join(t for t in text.split() if not (ws := words(t)) or stem(ws[0]) not in self.places)

    # -- lexical matching --------------------------------------------------------
    def idf_of(self, s: str) -> float:
        return self.idf.get(s, self._max_idf)

    def known(self, s: str, typos: bool = True) -> bool:
        """Whether the corpus holds ``s`` in some form: inflected, clipped, compounded, as a synonym
        or (with ``typos``) misspelt by one letter."""
        if s in self.idf or s.isdigit():
            return True
        same = self._fuzzy_equal if typos else self._same_word
        if any(same(s, v) for v in self._candidates(s)):
            return True
        if any(v in self.idf for v in synonyms().get(s, ())):
            return True  # "ledsagning": the texts say "ledsagarservice"
        if len(s) <= 6:  # "dröjt" / "dröjsmålet": short inflected forms share a 4-letter root
            return any(v.startswith(s[:4]) for v in self.idf)
        if any(v.startswith(s) for v in self.idf):
            return True  # a clipped compound: "korttids" for "korttidsvistelse"
        # a compound of two corpus words: "samverkansmöte" = "samverkans" + "möte"
        for i in range(5, len(s) - 2):
            head, tail = s[:i], s[i:]
            if any(v.startswith(head) for v in self.idf) and any(v.startswith(tail) for v in self.idf if len(tail) >= 3):
                return True
        return False

    def _candidates(self, s: str):
        if len(s) < 5:
            return ()
        return (v for v in self.idf if v[:2] == s[:2] and abs(len(v) - len(s)) <= 2)

    @staticmethod
    def _same_word(a: str, b: str) -> bool:
        """One word, maybe cut differently by the stemmer ("interpellationssv" / "-svar")."""
        return a == b or (abs(len(a) - len(b)) <= 2 and (a.startswith(b) or b.startswith(a)) and min(len(a), len(b)) >= 6)

    @classmethod
    def _fuzzy_equal(cls, a: str, b: str) -> bool:
        if a == b:
            return True
        if min(len(a), len(b)) < 5:
            return False
        if cls._same_word(a, b):
            return True
        if abs(len(a) - len(b)) > 1:
            return False
        # one edit (substitution, insertion or deletion): typing errors in member questions
        i = 0
        while i < min(len(a), len(b)) and a[i] == b[i]:
            i += 1
        return a[i + 1 :] == b[i + 1 :] or a[i + 1 :] == b[i:] or a[i:] == b[i + 1 :]

    def _match(self, q: str, tokens: set[str], last_part: bool = False) -> float:
        """1 for an exact stem, 0.8 for a typo or another inflection, 0.7 for a compound part or
        a synonym, else 0. With ``last_part`` a compound counts only when it ends with ``q``: a verb
        asked about is in "överklaga" ("klaga") but not in "kontaktperson" ("kontakta")."""
        if q in tokens:
            return 1.0
        # The best match over all tokens, never the first one found: a set's order changes with
        # each process's string hashing, and "rapport" is both a typo-near "rapporter" (0.8) and
        # a part of "statistikrapport" (0.7).
        best = 0.0
        for t in tokens:
            if self._fuzzy_equal(q, t):
                return 0.8
            if len(q) >= 4 and len(t) > len(q) and (t.endswith(q) if last_part else q in t and t not in OWN_NAME_STEMS):
                best = 0.7  # "kontakt" in "kontaktperson"; never the reverse: a compound is more specific
        if best:
            return best
        if not synonyms().get(q, frozenset()).isdisjoint(tokens):
            return 0.7  # "kolla" / "granska": the member's word for the document's
        return 0.0

    def coverage(self, weights: dict[str, float], tokens: set[str], weak_tokens: set[str]) -> float:
        if not weights:
            return 0.0
        total = got = 0.0
        for s, w in weights.items():
            total += w
            m = self._match(s, tokens)
            if m == 0:
                m = 0.5 * self._match(s, weak_tokens)
            got += w * m
        return got / total if total else 0.0

    # -- windows -----------------------------------------------------------------
    def windows(self, passages: list[ScoredPassage], limit: int | None = None) -> list[Window]:
        return [
            Window(rank, sp, unit)
            for rank, sp in enumerate(passages[:limit])
            for unit in answer_spans(sp.passage)
        ]

    def rerank(self, question: Question, candidates: list[ScoredPassage], qvec: np.ndarray, k: int):
        """Order the candidate passages by the best-scoring quote each holds, with their
        fused retrieval score as a tie-breaker; keep ``k``. Returns (passages, their windows).

        Sentence-level evidence is a sharper signal than whole-passage similarity: on the
        question set it lifts MRR@10 well above fusion alone (see evals/reports)."""
        windows = self.windows(candidates)
        if windows:
            self.score_windows(question, windows, qvec)
        best: dict[str, Window] = {}
        for w in windows:
            pid = w.scored.passage.passage_id
            if pid not in best or w.score > best[pid].score:
                best[pid] = w
        floor = min((w.score for w in best.values()), default=0.0) - 1.0
        ranked = sorted(
            (
                ((best[sp.passage.passage_id].score if sp.passage.passage_id in best else floor)
                 + RERANK_FUSED_WEIGHT * sp.score, sp)
                for sp in candidates
            ),
            key=lambda x: -x[0],
        )
        ranked = demote_repeats(ranked, best)
        passages = [replace(sp, score=score) for score, sp in ranked[:k]]
        keep = {sp.passage.passage_id for sp in passages}
        return passages, [w for w in windows if w.scored.passage.passage_id in keep]

    def _type_signal(self, qtype: str, text: str, question_text: str) -> bool:
        new_digits = numbers_in(text) - numbers_in(question_text)
        if qtype == "number" and DURATION_ASKED_RE.search(question_text):
            return bool(DURATION_RE.search(AGE_RE.sub(" ", text)))
        if qtype == "number":
            # a year is not an amount: "Hur många lägenheter" is not answered by "2026/2027";
            # nor is a reference to a section of the law: "(8 § LSS)", "(9 § 10 LSS)", "4 kap. 1 § SoL"
            # nor is a list item's number ("2. Personlig assistans ...")
            text = LIST_MARKER_RE.sub(" ", text)
            amounts = {d for d in numbers_in(LAW_REFERENCE_RE.sub(" ", text)) - numbers_in(question_text)
                       if not YEAR_RE.fullmatch(d)}
            return bool(amounts) or any(w in NUMBER_WORDS for w in words(text)) or bool(FEW_RE.search(text))
        if qtype == "cost":
            return bool(re.search(r"\d[\d ]*\s*(kr|kronor|mnkr|miljoner|tkr)\b|\bkostnadsfri", text, re.I))
        if qtype == "date":
            new_year = any(YEAR_RE.fullmatch(d) for d in new_digits)
            if YEARS_ASKED_RE.search(question_text):
                return new_year  # "Vilka år ...?" is answered by years, not by "4 december"
            return bool(DATE_RE.search(text)) or new_year
        if qtype == "frequency":
            return bool(FREQUENCY_RE.search(text) or TIMES_RE.search(text))
        if qtype == "why":
            return bool(REASON_RE.search(text))
        if qtype == "purpose":
            return bool(PURPOSE_RE.search(text))
        if qtype == "who":
            text = REFERENCE_BRACKET_RE.sub(" ", text)  # the reference names Socialstyrelsen, not the actor
            if ELIGIBILITY_ASKED_RE.search(question_text):
                # "Vem har rätt till kontaktperson?" asks who qualifies: the official who investigates
                # the need ("Familjehemssekreterare ... utreder behovet") does not answer it
                return bool(ELIGIBLE_RE.search(text))
            return names_a_person(text) or bool(ROLE_RE.search(text))
        if qtype == "definition":
            return defines(defined_term(question_text), text)
        if qtype == "section":
            return bool(LAW_REFERENCE_RE.search(text))
        if qtype == "where":
            # "i Mjölby", "på Kunskapsguiden", "hos kommunen"; not "i LSS" (an abbreviation is no place)
            return bool(re.search(
                r"\b(webbplats|hemsida|på [A-ZÅÄÖ][a-zåäöé]\w*|i [A-ZÅÄÖ][a-zåäöé]\w*|kontor|adress|finns (på|hos|i)"
                r"|hos (kommunen|regionen|nämnden|Försäkringskassan|[A-ZÅÄÖ][a-zåäöé]\w*))", text))
        return True

    def _frequency_on_topic(self, question: Question, w: Window) -> bool:
        """A frequency answers "Hur ofta ...?" only in a sentence about the question's subject, or one
        that continues the sentence before ("Den ska ses över ..."): "Hur ofta träffar man sin
        kontaktperson?" is not answered by a kontaktperson sentence followed by "... som varje kvartal
        rapporteras"."""
        return self._kind_on_topic(question, w, "frequency")

    def _kind_on_topic(self, question: Question, w: Window, kind: str) -> bool:
        """Whether a sentence of ``w`` has the ``kind`` of answer and is about the question's subject (or
        continues the sentence before). A section likewise: "Vilken paragraf handlar om kontaktperson?" is
        not answered by a kontaktperson sentence followed by one that names "4 kap. 1 § SoL"."""
        topic = [s for s in question.weights if s not in GENERIC_STEMS and (kind != "section" or s not in QUANTITY_STEMS)]
        for sp in w.spans:
            if not self._type_signal(kind, sp.text, question.retrieval_query):
                continue
            ws = words(sp.text)
            if ws and ws[0] in ANAPHORA:
                return True
            tokens = set(content_stems(sp.text))
            if any(self._match(s, tokens) for s in topic):
                return True
        return False

    def window_features(self, question: Question, w: Window, tokens: set[str], sim: float, top_fused: float) -> dict[str, float]:
        """The signals a window is scored on (names match WINDOW_WEIGHTS); ``tokens`` are its
        ``_window_tokens``."""
        text = w.quote
        stems_seq = content_stems(text)
        p = w.scored.passage
        weak = set(content_stems(" ".join([p.title, p.heading, p.publisher])))
        cov = self.coverage(question.weights, tokens, weak)
        q_bigrams = set(zip(question.stems, question.stems[1:]))
        bigram = len(q_bigrams & set(zip(stems_seq, stems_seq[1:]))) / len(q_bigrams) if q_bigrams else 0.0
        q_set = set(question.weights)
        novelty = min(1.0, len([t for t in tokens if t not in q_set]) / 6.0)
        # A follow-up's own words include the earlier question's: its years are not an answer.
        type_ok = self._type_signal(question.qtype, text, question.retrieval_query)
        if type_ok and question.qtype == "frequency" and not question.followup:
            type_ok = self._frequency_on_topic(question, w)
        if type_ok and question.qtype == "section" and not question.followup:
            type_ok = self._kind_on_topic(question, w, "section")
        sim_n = float(np.clip((sim - 0.72) / 0.2, 0.0, 1.0))
        pair = len(w.spans) == 2
        first_cov = self.coverage(question.weights, set(content_stems(w.spans[0].text)), weak) if pair else cov
        second_tokens = set(content_stems(w.spans[-1].text)) if pair else set()
        second_novel = min(1.0, len([t for t in second_tokens if t not in q_set]) / 6.0) if pair else 0.0
        return {
            "cov": cov if not question.english else 0.0,
            "cov_en": cov if question.english else 0.0,
            "sim": sim_n if not question.english else 0.0,
            "sim_en": sim_n if question.english else 0.0,
            "fused": w.scored.score / top_fused,
            "top_passage": 1.0 if w.passage_rank == 0 else 0.0,
            "novelty": novelty,
            "type_hit": 1.0 if type_ok and question.qtype != "what" else 0.0,
            "type_miss": 0.0 if type_ok else 1.0,
            "pair": 1.0 if pair else 0.0,
            "pair_gain": (cov - first_cov) if pair else 0.0,
            "pair_second_novel": second_novel,
            "short": 1.0 if len(text) < 40 else 0.0,
            "question_mark": float(sum(1 for sp in w.spans if sp.text.rstrip().endswith("?"))),
            "length": min(len(text) / 300.0, 1.0),
            "counted_hit": 1.0 if (counted := self.counted_noun(question)) and self._counted_in(counted, text) else 0.0,
            "bigram": bigram,
            "section_ref": 1.0 if "§" in text else 0.0,  # a quote that names its section of the law
            # A follow-up asks for something new: a quote that repeats the last answer is a poor one.
            "repeats_previous": (len(tokens & question.previous_answer) / len(tokens)) if question.previous_answer and tokens else 0.0,
        }

    def score_windows(self, question: Question, windows: list[Window], qvec: np.ndarray) -> None:
        texts = [w.quote for w in windows]
        vecs = self.embedder.embed_many(texts, "document") if texts else np.zeros((0, len(qvec)))
        sims = vecs @ qvec if len(texts) else np.zeros(0)
        top_fused = max((w.scored.score for w in windows), default=1.0) or 1.0
        token_sets = [self._window_tokens(w) for w in windows]
        all_feats = [
            self.window_features(question, w, tokens, float(sim), top_fused)
            for w, tokens, sim in zip(windows, token_sets, sims)
        ]
        # Relative signals: how far a window is from the best candidate of this question.
        best_sim = float(sims.max()) if len(texts) else 0.0
        best_cov = max((f["cov"] + f["cov_en"] for f in all_feats), default=0.0)
        single_sim = {(w.scored.passage.passage_id, w.spans[0].start): float(sim) for w, sim in zip(windows, sims) if len(w.spans) == 1}
        local = self.local_weights(question, token_sets)
        passage_cov: dict[str, float] = {}
        for w, tokens, feats in zip(windows, token_sets, all_feats):
            feats["cov_local"] = self.coverage(local, tokens, set())
            pid = w.scored.passage.passage_id
            if pid not in passage_cov:
                passage_cov[pid] = self.coverage(question.weights, self._passage_tokens(w), set())
            feats["passage_cov"] = passage_cov[pid]
        best_local = max((f["cov_local"] for f in all_feats), default=0.0)
        for w, sim, feats in zip(windows, sims, all_feats):
            feats["cov_local_gap"] = feats["cov_local"] - best_local
            parts = [single_sim.get((w.scored.passage.passage_id, sp.start), float(sim)) for sp in w.spans]
            # For a pair: is the answer in its second sentence (the first restating the question)?
            feats["sim_second_gap"] = (parts[-1] - best_sim) / 0.05 if len(parts) == 2 else 0.0
            feats["sim_best_part_gap"] = (max(parts) - best_sim) / 0.05
            feats["sim_gap"] = (float(sim) - best_sim) / 0.05
            feats["cov_gap"] = (feats["cov"] + feats["cov_en"]) - best_cov
            w.features = feats
            w.score = sum(self.weights.get(k, 0.0) * v for k, v in feats.items())
            w.coverage = feats["cov"] + feats["cov_en"]
            w.similarity = float(sim)
            w.type_ok = feats["type_miss"] == 0.0

    def _window_tokens(self, w: Window) -> set[str]:
        """The quote's stems. The document's own place counts as said in every sentence of it:
        naming "Norberg" must not make one Norberg sentence look better than another."""
        p = w.scored.passage
        return set(content_stems(w.quote)) | set(content_stems(" ".join([p.kommun, p.lan])))

    def _quotes_tokens(self, chosen: list[Window]) -> set[str]:
        """The stems of all the quotes together (``_window_tokens`` of each)."""
        return set().union(*(self._window_tokens(w) for w in chosen))

    def local_weights(self, question: Question, token_sets: list[set[str]]) -> dict[str, float]:
        """The question's words weighted by how few of this question's candidate windows (given
        as their token sets) hold them.

        Every candidate already shares the question's topic ("kontaktperson i Norberg"); what
        tells the answer apart is the rest of the question ("utreder behovet"), which only a few
        candidates contain."""
        if not token_sets:
            return dict(question.weights)
        n = len(token_sets)
        out = {}
        for s, wt in question.weights.items():
            df = sum(1 for t in token_sets if self._match(s, t))
            out[s] = wt * math.log(1.0 + n / (1.0 + df))
        return out

    # -- decisions -----------------------------------------------------------------
    def unknown_topic_terms(self, question: Question) -> list[str]:
        """Specific words (rare in Swedish) that the corpus does not contain in any form."""
        if question.english:
            return []
        return [s for s, w in question.weights.items() if w >= 3.4 and not self.known(s)]

    @staticmethod
    def sections_missing(question: Question, chosen: list[Window]) -> bool:
        """Whether the question names sections of LSS and no quote names one of them."""
        return bool(question.sections) and not any(names_section(s, w.quote) for s in question.sections for w in chosen)

    @staticmethod
    def names_whole_section(question: Question, w: Window) -> bool:
        return any(names_section(s, w.quote, whole=True) for s in question.sections)

    @staticmethod
    def only_a_section_asked(question: Question) -> bool:
        """"Vad säger 12 §?": the section is all the question is about (its other words are generic, or
        frame words of general Swedish: "står", "säger")."""
        return bool(question.sections) and all(
            s.isdigit() or s in GENERIC_STEMS or wt < CONDITION_MIN_WEIGHT for s, wt in question.weights.items())

    def anchors_missing(self, question: Question, chosen: list[Window]) -> list[str]:
        haystack = " ".join(
            " ".join([w.quote, w.scored.passage.title, w.scored.passage.kommun, w.scored.passage.lan]) for w in chosen
        ).lower()
        hay_stems = set(content_stems(haystack))
        return [a for a in question.anchors if a not in haystack and stem(a) not in hay_stems]

    @staticmethod
    def question_only_reason(question: Question) -> str:
        """Why a question gets guidance instead of a quote, from its own words: a greeting or thanks, a
        question about the assistant itself, nothing asked ("hjälp", "Hur ofta?"), whom to turn to with no
        topic, only an instruction, or why it went so in the member's own case. "" for a question to look up."""
        if GREETING_RE.match(question.text):
            return "greeting"
        if THANKS_RE.match(question.text):
            return "thanks"
        if not question.followup and ABOUT_ASSISTANT_RE.match(question.text):
            return "about_assistant"
        if not question.followup and words(question.text) and set(words(question.text)) <= ASKS_NOTHING:
            return "vague"
        if not question.followup and CONTACT_ONLY_RE.match(question.text):
            return "contact"
        if not question.text or not question.weights and not question.english:
            return "injection" if question.injection else "empty"
        if not question.followup and not question.english and set(question.weights) <= QUANTITY_STEMS:
            return "vague"  # "Hur ofta?" with nothing before it: no topic to look for
        if OWN_CASE_WHY_RE.search(question.text):
            return "own_case"
        return ""

    def decline_reason(self, question: Question, chosen: list[Window]) -> str:
        t = self.thresholds
        if reason := self.question_only_reason(question):
            return reason
        if not chosen:
            return "no_passages"
        best = chosen[0]
        unknown = self.unknown_topic_terms(question)
        if unknown:
            share = sum(question.weights[u] for u in unknown) / sum(question.weights.values())
            if share >= 0.3:
                return "unknown_terms:" + ",".join(unknown)
        missing = self.anchors_missing(question, chosen)
        if missing:
            return "anchor_missing:" + ",".join(missing)
        if self.only_a_section_asked(question) and self.sections_missing(question, chosen):
            return "section_missing"
        if question.qtype in FORM_REQUIRED and not any(w.type_ok for w in chosen):
            return "answer_type_missing"
        counted = self.counted_noun(question)
        if counted and not self._counted_in(counted, best.quote):
            # the first quote is the answer: "Hur många dygn korttids kan man få?" got korttidstillsyn "över 12 år",
            # and a second quote on a Mjölby "dygnsrytm" does not make it one
            return "counted_thing_missing:" + counted
        if (question.qtype == "definition" and not question.followup and not question.english
                and not self.term_explained(question, best)):
            return "definition_missing"
        if not question.followup and not question.english:
            for reason, asked, spoken in TOPICS_A_QUOTE_MUST_SPEAK_OF:
                if asked.search(question.text) and not any(r.search(w.quote) for w in chosen for r in spoken):
                    return reason
            both = insatser_named(question.text) if BOTH_ASKED_RE.search(question.text) else set()
            if len(both) >= 2 and named_together_nowhere(both, chosen):
                return "combination_missing"
            if self.other_insats_answers(question, chosen):
                return "insats_missing"
            if self.role_holder_unnamed(question, chosen):
                return "holder_and_role_missing"
            if self.sanction_unasked(question, chosen):
                return "sanction_not_asked"
        if question.qtype in ("number", "cost") and not question.followup:
            # An amount answers only a question about its own subject ("timmar personlig assistans"
            # is not answered by "några få timmar i veckan" about daglig verksamhet).
            key = self.key_term(question)
            if not key and question.qtype == "cost":
                # "Hur mycket kostar LSS?": nothing says whose price is asked for, and the amount
                # of something else (the särskild avgift) would be a confident wrong answer.
                return "no_subject"
            if key:
                # The amount must come from a document whose quotes name it: "Hur många timmar ledsagning
                # ...?" got the ledsagarservice item and Mjölby's "några få timmar i veckan" (daglig verksamhet).
                naming = {w.scored.passage.doc_id for w in chosen if self._passage_names(key, w)}
                if not any(w.type_ok and w.scored.passage.doc_id in naming for w in chosen):
                    return "key_term_missing:" + key
        if not question.english and not question.followup and (
            self.only_generic_asked(question) or self.only_generic_matched(question, chosen)
        ):
            return "only_generic"
        unmentioned = self.unmentioned_conditions(question, chosen)
        if unmentioned:
            return "condition_unknown:" + ",".join(unmentioned)
        action = self.action_unanswered(question, chosen)
        if action:
            return "action_missing:" + action
        if self.condition_clause_unanswered(question, chosen):
            return "condition_unanswered"
        if self.only_local_for_general(question, chosen):
            return "only_local"
        if question.english:
            if best.similarity < t.min_similarity_en:
                return "low_similarity"
        else:
            cov = max(best.coverage, self.followup_coverage(question, best))
            low = cov < t.min_coverage_sv or (
                cov < t.weak_coverage_sv and best.similarity < t.min_similarity_sv and not self.kind_answered(question, best)
            )
            # The fee rule holds few of the question's words; the insats quote beside it holds the rest.
            if low and not self.payment_rule_answers(question, chosen):
                return "low_coverage"
        return ""

    @staticmethod
    def other_insats_answers(question: Question, chosen: list[Window]) -> bool:
        """One insats asked about, and the first quote speaks of another one while no quote names the one
        asked: "Kan kontaktpersonen följa med på bio?" got the ledsagarservice line ("En ledsagare följer
        med dig ut, till exempel ... på bio"). A quote naming no insats (a rule on all of them, such as
        21 §'s fees) is left to the other checks."""
        asked = insatser_named(question.text)
        return len(asked) == 1 and bool(insatser_named(chosen[0].quote) - asked) and named_together_nowhere(asked, chosen)

    def term_explained(self, question: Question, best: Window) -> bool:
        """Does the first quote speak of the term a "Vad är X?" asks about as its subject: X among the
        first words of one of its sentences ("3. Ledsagarservice (9 § 3 LSS).", "Daglig verksamhet är
        för dig som ..."), or named by it ("... kallas ett gynnande beslut")? "Vad är en brukare?" got
        "2021-05-16 är det två brukare på vuxensidan som ...", which uses the word and says nothing of
        what it is; nor does "Det finns ... 8 stödpedagoger" (that there are some) or a gloss line that names
        the term and nothing more ("IF intellektuell funktionsnedsättning"). Only the term's words the texts
        have in some form count (a typo is left to the other rules; "utjämning" counts, the texts have
        "utjämningsystemet"), and
        a section asked for ("Vad är 28 f §?") is no term. Only a question asked so in Swedish: an English
        one reaches here in the glossary's words ("What is the purpose of ...?" as "Vad är syfte ...")."""
        term = defined_term(with_chat_spellings(question.raw))
        wanted = [s for s in content_stems(term.replace("-", " ")) if self.known(s, typos=False)]
        if not wanted or sections_asked(question.text):
            return True
        spans = sentences_of(best.quote)
        for n, span in enumerate(spans):
            # sentence by sentence: a gloss line run into the next sentence is no definition
            if defines(term, span.text):
                return True
            ws = words(span.text.replace("-", " "))
            lead = {stem(w) for w in ws[: len(wanted) + TERM_LEAD_WORDS]}
            # a gloss line ("IF intellektuell funktionsnedsättning") names the term and says nothing of it
            says_more = len(ws) >= len(wanted) + 3 or "§" in span.text
            if all(self._term_word_in(s, lead) for s in wanted) and says_more and not EXISTENTIAL_RE.match(span.text):
                return True
            named = all(self._term_word_in(s, {stem(w) for w in ws}) for s in wanted)
            following = spans[n + 1].text if n + 1 < len(spans) else ""
            if named and (NAMING_RE.search(span.text) or EXAMPLES_NEXT_RE.match(following)
                          or self._examples_follow(wanted, span.text)):
                return True
        return False

    def _examples_follow(self, wanted: list[str], text: str) -> bool:
        """Examples right after the term (after its last word): "grundläggande behov, till exempel andning";
        not a sentence where the term is itself an example ("till exempel ... hos en stödfamilj")."""
        ends = [m.end() for m in TERM_WORD_RE.finditer(text) if self._term_word_in(wanted[-1], {stem(m.group(0).lower())})]
        return any(EXAMPLES_RE.match(text, end) for end in ends)

    def _term_word_in(self, s: str, stems: set[str]) -> bool:
        """A word of the asked term among ``stems``: as for coverage, or as a longer form of it
        ("verkställighet" is spoken of by "Verkställa betyder ...")."""
        return self._match(s, stems) > 0 or any(len(t) >= 6 and s.startswith(t) for t in stems)

    @staticmethod
    def only_generic_asked(question: Question) -> bool:
        """A question whose only words are generic names (LSS, lagen, kommunen), which asks something
        other than what they are: "Kan man bli av med sin LSS?" ("bli av med" are all function words)
        was answered with the kontaktperson item, as every guidance sentence names LSS. ("Kan jag få
        LSS?" and "Hur får man LSS?" are asked in other words first, see ``parse``.)"""
        if not question.weights or not set(question.weights) <= GENERIC_STEMS or question.qtype == "definition":
            return False
        return not all(w in GENERIC_NAMES for w in words(question.text))  # "LSS?" alone asks what it is

    def only_generic_matched(self, question: Question, chosen: list[Window]) -> bool:
        """Whether the quotes share only a generic name (LSS, kommun) with a question that asks about
        something more: every guidance sentence names LSS in its reference, so "LSS" alone matches
        them all ("Kan jag få både LSS och hemtjänst?" was answered with who may apply for someone)."""
        # A place or year asked about is generic here too: a Mjölby sentence names Mjölby whatever it
        # says ("Jag bor i Mjölby, vart vänder jag mig?" got a sentence about daglig verksamhet).
        named = {stem(a) for a in question.anchors}
        specific = {s: wt for s, wt in question.weights.items() if s not in GENERIC_STEMS and s not in named}
        generic = sum(question.weights.values()) - sum(specific.values())
        if not generic or sum(specific.values()) < generic:
            return False  # mostly about LSS itself: "Vilket nummer har LSS-lagen?"
        return not any(self.coverage(specific, self._window_tokens(w), set()) for w in chosen)

    def unmentioned_conditions(self, question: Question, chosen: list[Window]) -> list[str]:
        """For "Kan jag / Får jag ...?": the question's words that no text of the corpus holds in any
        form and the quotes do not answer for ("natt" in "Kan jag få assistans på natten?"). The
        rest of such a question ("assistans") matches well, so coverage alone let a quote about
        something else through."""
        if question.english or question.followup or not PERMISSION_ASKED_RE.search(question.text):
            return []
        tokens = self._quotes_tokens(chosen)
        unknown = sorted(
            s for s, wt in question.weights.items()
            if wt >= CONDITION_MIN_WEIGHT and s not in GENERIC_STEMS and s not in ASKED_FOR_STEMS and not s.isdigit()
            # No typo tolerance here: "blind" is one letter from the texts' "bland", and a condition
            # taken for a typo of another word is answered as if the texts spoke of it.
            and not self.known(s, typos=False) and not self._match(s, tokens)
        )
        # "Får jag träffa min kontaktperson varje vecka?" asks about the frequency: a quote on
        # what a kontaktperson is, with no frequency, does not answer it.
        frequency = FREQUENCY_RE.search(question.text)
        if frequency and not any(self._frequency_on_topic(question, w) for w in chosen):
            unknown.append(frequency.group(0).lower())
        return unknown

    def action_unanswered(self, question: Question, chosen: list[Window]) -> str:
        """For "Kan jag / Får jag VERB ...?": the verb's stem when no quote holds it in any form.
        "Kan jag klaga på min gruppbostad?" was answered with what a gruppbostad is, the noun
        carrying the coverage; "klaga" is a word of the texts (as a synonym of "överklaga"), so
        ``unmentioned_conditions`` let it through."""
        if question.english or question.followup:
            return ""
        m = ASKED_ACTION_RE.search(question.text) or HOW_ACTION_RE.search(question.text) or PASSIVE_ACTION_RE.search(question.text)
        asked = m and (m.group("verb") or m.groupdict().get("present") or "").lower()
        if not asked or asked in EVERYDAY_VERBS:
            return ""
        verb = stem(asked)
        if verb not in question.weights or verb in GENERIC_STEMS:
            return ""
        # the verb as the last part of a compound only: "Hur kontaktar jag IVO?" got a Norberg sentence on kontaktpersoner
        return "" if self._match(verb, self._quotes_tokens(chosen), last_part=True) else verb

    def age_group_unspoken(self, question: Question, chosen: list[Window]) -> bool:
        """For "Kan barn / Får äldre ...?": whether no quote speaks of age."""
        if question.english or question.followup or not AGE_GROUP_ASKED_RE.search(question.text):
            return False
        return not any(AGE_GROUP_IN_QUOTE.search(w.quote) for w in chosen)

    def who_action_unspoken(self, question: Question, chosen: list[Window]) -> bool:
        """For "Vem VERB ...?": whether no quote holds the verb in any form."""
        if question.english or question.followup or question.qtype != "who":
            return False
        m = WHO_ACTION_RE.search(question.text)
        if not m:
            return False
        verb = stem(m.group("verb").lower())
        return (question.weights.get(verb, 0.0) >= CONDITION_MIN_WEIGHT
                and not self._match(verb, self._quotes_tokens(chosen), last_part=True))

    def fee_rule_unasked(self, question: Question, chosen: list[Window]) -> bool:
        """Whether the quotes open with the law's rules on fees (18-21 §§) for a question that asks nothing
        about paying: "Kan jag få stöd på fritiden?" got 21 §'s "Utom för bostad, fritid och kultur behöver
        du inte betala ..." (matched by "fritid") while 9 § 4's kontaktperson for one's spare time came close."""
        if (question.english or question.followup or question.sections
                or FEE_WORDS_ASKED_RE.search(question.text)):
            return False
        return bool(chosen) and self.states_fee_section(chosen[0])

    @staticmethod
    def sanction_unasked(question: Question, chosen: list[Window]) -> bool:
        """Whether a question on paying that is not about the särskild avgift (nor a decision carried out
        late) gets a quote on it first: "Vem betalar om jag flyttar?" got "Då kan kommunen få betala en
        särskild avgift (28 a § LSS)", which a member reads as the answer to who pays for their insatser."""
        if question.english or question.followup or question.sections or not PAYMENT_ASKED_RE.search(question.text):
            return False
        return bool(chosen) and not SANCTION_ASKED_RE.search(question.text) and bool(SANCTION_RE.search(chosen[0].quote))

    @staticmethod
    def states_fee_section(w: Window) -> bool:
        """A sentence of the law's rules on fees (18-21 §§) as a guidance text states it: it speaks of
        paying, or cites those sections only ("Det gäller om du har hel sjukersättning ... (19 § LSS)")."""
        if w.scored.passage.kommun or not FEE_SECTION_RE.search(w.quote):
            return False
        cited = {int(n) for n in SECTION_NUMBER_RE.findall(w.quote)}
        return bool(PAYMENT_RE.search(w.quote)) or cited <= FEE_SECTIONS

    @staticmethod
    def age_group_contradicted(question: Question, chosen: list[Window]) -> bool:
        """Whether the question asks about something for children or adults and the quotes do not name
        that group: "Vad är bostad med särskild service för barn?" got "Du som är vuxen kan söka en bostad
        med särskild service (9 § 9 LSS)" while 9 § 8 (for children) came close."""
        if question.english or question.followup:
            return False
        m = FOR_AGE_GROUP_RE.search(question.text)
        asked = {group for group, pattern in AGE_GROUPS.items() if m and pattern.search(m.group(0))}
        if len(asked) != 1:
            return False
        said = {group for group, pattern in AGE_GROUPS.items() for w in chosen if pattern.search(w.quote)}
        return not asked <= said

    @staticmethod
    def age_asked_of_lss(question: Question) -> int | None:
        """The age in a question on LSS as a whole at an age ("Kan man få LSS om man är 70 år?" -> 70)."""
        m = ASKED_AGE_RE.search(question.text)
        if question.english or question.followup or not m or INSATS_NAMED_RE.search(question.text):
            return None
        return int(m.group(1)) if set(question.weights) <= LSS_AT_AN_AGE_WORDS | {m.group(1)} else None

    @staticmethod
    def age_limits_taking_in(age: int, w: Window) -> tuple[int, int]:
        """(how many age limits ``w`` states, how many of them take ``age`` in): "under 15 år" leaves 70 out."""
        limits = [(side.lower(), int(n)) for side, n in AGE_LIMIT_IN_QUOTE_RE.findall(w.quote)]
        return len(limits), sum(1 for side, n in limits if (age < n if side == "under" else age > n))

    def leaves_out_age(self, age: int, w: Window) -> bool:
        """Whether ``w`` states age limits and every one of them leaves ``age`` out ("under 15 år" for 70)."""
        stated, taking_in = self.age_limits_taking_in(age, w)
        return stated > 0 and taking_in == 0

    def asked_age_left_out(self, question: Question, chosen: list[Window]) -> bool:
        """For a question on LSS as a whole at an age: whether no quote speaks of age ("ålder",
        "åldersgräns") or states a limit that takes the asked age in."""
        age = self.age_asked_of_lss(question)
        if age is None:
            return False
        return not any(AGE_WORD_RE.search(w.quote) or self.age_limits_taking_in(age, w)[1] for w in chosen)

    def preference_unmet(self, question: Question, chosen: list[Window]) -> bool:
        """What a close quote is preferred for, never a reason to decline in itself: the age group, the age or
        the actor's verb asked about, and no rule on fees or on the särskild avgift where none is asked about
        (the latter is also a reason to decline when no close quote is free of it)."""
        return (self.age_group_unspoken(question, chosen) or self.age_group_contradicted(question, chosen)
                or self.asked_age_left_out(question, chosen) or self.who_action_unspoken(question, chosen)
                or self.fee_rule_unasked(question, chosen) or self.sanction_unasked(question, chosen))

    def turn_unanswered(self, question: Question, chosen: list[Window]) -> bool:
        """Whether the quotes miss what a "Kan jag ...?" question turns on: its verb or its om-clause, or
        for "Kan min mamma vara min assistent?" the person and the role together."""
        return (bool(self.action_unanswered(question, chosen)) or self.condition_clause_unanswered(question, chosen)
                or self.role_holder_unnamed(question, chosen))

    def role_holder_unnamed(self, question: Question, chosen: list[Window]) -> bool:
        """For "Kan min mamma vara min assistent?": whether no quote names both the person and the role."""
        if question.english or question.followup:
            return False
        m = ROLE_HOLDER_ASKED_RE.search(question.text)
        if not m:
            return False
        holder = stem(m.group("holder").lower())
        role = [stem(w) for w in words(m.group("role")) if w not in STOPWORDS]
        if not role:
            return False
        return not any(self._match(holder, tokens) and any(self._match(r, tokens) for r in role)
                       for tokens in (self._window_tokens(w) for w in chosen))

    def condition_clause_unanswered(self, question: Question, chosen: list[Window]) -> bool:
        """For "Kan jag / Får jag ... om jag Y?": whether no quote speaks of Y, by any of its words (not
        all: "om jag har en psykisk sjukdom" is answered by "Funktionshindret kan vara ... psykiskt")."""
        if question.english or question.followup or not PERMISSION_ASKED_RE.search(question.text):
            return False
        m = CONDITION_CLAUSE_RE.search(question.text)
        if not m:
            return False
        clause = m.group("clause")
        if AGE_CLAUSE_RE.search(clause):
            return not any(AGE_RE_IN_QUOTE.search(LAW_REFERENCE_RE.sub(" ", w.quote)) for w in chosen)
        # words of some weight: "om jag inte håller med" asks nothing the quote must speak of
        wanted = [s for w in words(clause) if w not in STOPWORDS and term_weight(w) >= CONDITION_MIN_WEIGHT
                  and (s := stem(w)) not in GENERIC_STEMS and s not in ASKED_FOR_STEMS]
        if not wanted:
            return False
        tokens = self._quotes_tokens(chosen)
        return not any(self._match(s, tokens) for s in wanted)

    @staticmethod
    def payment_asked_for_insats(question: Question) -> bool:
        """ "Måste jag betala för ledsagare?", "Kostar daglig verksamhet något?" (not an amount asked
        for: "Vad kostar ...?" wants a price, which the rule on fees does not give)."""
        return (not question.followup and not question.english and question.qtype != "cost"
                and bool(PAYMENT_ASKED_RE.search(question.text)) and bool(INSATS_NAMED_RE.search(question.text)))

    def candidates_wanted(self, question: Question, usual: int) -> int:
        """How many retrieved passages the rerank chooses from. A question on paying for a named insats
        is answered by two quotes together, the fee rule and the insats's item of 9 §: for "Måste jag
        betala för kontaktperson?" (no article) the item came 11th, outside the usual ten."""
        return 2 * usual if self.payment_asked_for_insats(question) else usual

    def payment_rule_wanted(self, question: Question, best: Window) -> bool:
        return self.payment_asked_for_insats(question) and not PAYMENT_RE.search(best.quote)

    def states_payment_rule(self, w: Window) -> bool:
        """A sentence of the law's rules on fees for insatser in general (18-21 §§): it speaks of paying,
        names insatser and one of those sections, and is no one kommun's own text. The särskild avgift a
        kommun pays (28 a §) is not such a rule."""
        return (not w.scored.passage.kommun and bool(FEE_SECTION_RE.search(w.quote)) and bool(PAYMENT_RE.search(w.quote))
                and any(t.startswith("insat") for t in content_stems(w.quote)))

    def states_housing_fee_rule(self, w: Window) -> bool:
        """The law's rule that the kommun may charge for a home (19 §), as a guidance text states it, in the
        quote's first sentence (not after 18 §'s exception for assistansersättning)."""
        first = w.spans[0].text
        return (not w.scored.passage.kommun and bool(HOUSING_FEE_RE.search(first)) and bool(PAYMENT_RE.search(first))
                and bool(re.search(r"\bbostad\b", first, re.I)))

    def fee_rule(self, question: Question, w: Window) -> bool:
        """Whether ``w`` states the fee rule for the insats asked about: 19 § for a home, else 18-21 §§."""
        if HOUSING_INSATS_RE.search(question.text):
            return self.states_housing_fee_rule(w)
        return self.states_payment_rule(w)

    def names_insats_of_9(self, question: Question, w: Window) -> bool:
        """A quote that shows the insats the question names is one of 9 § ("10. Daglig verksamhet ...
        (9 § 10 LSS)"): it names the insats and the section."""
        m = INSATS_NAMED_RE.search(question.text)
        if not m or not re.search(r"\b9 §", w.quote):
            return False
        tokens = set(content_stems(w.quote))
        return all(self._match(s, tokens) for s in content_stems(m.group(0)))

    def payment_rule_with_insats(self, question: Question, ranked: list[Window], easy_read: bool) -> list[Window]:
        """ "Måste jag betala för daglig verksamhet?" is answered by two quotes together: the rule that
        no fees are taken for insatser beyond 18-20 §§ (21 §), and the quote that shows daglig
        verksamhet is an insats of 9 §. Neither alone answers; [] when either is missing."""
        def preferred(ws: list[Window]) -> list[Window]:
            easy = [w for w in ws if w.scored.passage.register == EASY_READ]
            return (easy or ws) if easy_read else ws
        rules = preferred([w for w in ranked if self.fee_rule(question, w)])
        members = preferred([w for w in ranked if self.names_insats_of_9(question, w)])
        if not rules or not members or self._overlaps(rules[0], members[0]):
            return []
        return [rules[0], members[0]]

    def payment_rule_answers(self, question: Question, chosen: list[Window]) -> bool:
        return (self.payment_asked_for_insats(question) and len(chosen) == 2
                and self.fee_rule(question, chosen[0]) and self.names_insats_of_9(question, chosen[1]))

    def only_local_for_general(self, question: Question, chosen: list[Window]) -> bool:
        """A member's "Kan jag / Får jag ...?" that names no place asks what the rules allow; what one
        kommun wrote about itself does not answer it ("Kan jag få bo i gruppbostad?" was answered
        with Mjölby's building plans)."""
        if question.english or question.followup or question.anchors:
            return False
        # "Kan barn få kontaktperson?" asks the rules too (it got Norberg's "Bli kontaktperson" page), and
        # so do "Vad kan jag göra med min kontaktperson?" and "Vad ska en kontaktperson göra?" (they got
        # Norberg's wish to market the role better)
        if not (FIRST_PERSON_ASKED_RE.search(question.text) or AGE_GROUP_ASKED_RE.search(question.text)
                or WHAT_CAN_I_DO_RE.search(question.text)):
            return False
        return all(w.scored.passage.kommun for w in chosen)

    def about_key_term(self, question: Question, w: Window, windows: list[Window]) -> bool:
        """Whether the quote's passage, or a neighbouring passage of its document among the
        candidates, names the subject of an amount question: Mjölby's "några få timmar i veckan"
        (about daglig verksamhet) does not answer "Hur många timmar personlig assistans ...?".
        Neighbours count because a passage border can cut a sentence off from its subject ("... för
        samordnat stöd till barn" | "rutiner ... saknas i fler än hälften av landets kommuner")."""
        if question.qtype not in ("number", "cost") or question.followup:
            return True
        key = self.key_term(question)
        if not key:
            return True
        p = w.scored.passage
        near = {
            o.scored.passage.passage_id: o for o in windows
            if o.scored.passage.doc_id == p.doc_id and abs(o.scored.passage.position - p.position) <= 1
        }
        return any(self._passage_names(key, o) for o in near.values())

    def _counted_in(self, counted: str, text: str) -> bool:
        tokens = set(content_stems(text))
        prefix = counted[:3] if len(counted) <= 5 else counted[:4]
        return bool(self._match(counted, tokens)) or any(t.startswith(prefix) for t in tokens)

    def _passage_names(self, term: str, w: Window) -> bool:
        """Whether the quote's passage (with its title, heading and place) holds ``term``."""
        return self._counted_in(term, " ".join(self._passage_tokens(w)))

    @staticmethod
    def _passage_tokens(w: Window) -> set[str]:
        p = w.scored.passage
        return set(content_stems(" ".join([p.text, p.title, p.heading, p.publisher, p.kommun, p.lan])))

    def key_term(self, question: Question) -> str:
        """The most specific word of the question itself (not a place, not carried from history,
        not a generic name such as LSS or kommun: every guidance sentence names LSS in its reference)."""
        skip = {stem(a) for a in question.anchors} | QUANTITY_STEMS | GENERIC_STEMS
        own = [s for s in question.stems if s not in skip and not s.isdigit()]
        own = [s for s in own if s in question.weights]
        return max(own, key=lambda s: question.weights[s], default="")

    @staticmethod
    def counted_noun(question: Question) -> str:
        """The stem of X in "hur många X": what is counted must be what the answer counts."""
        m = re.search(r"\bhur många (?:olika |sorters |slags )?([a-zåäöé]+)", with_swedish_letters(question.text))
        if not m or m.group(1) in STOPWORDS:
            return ""
        return stem(m.group(1))

    # -- composing ---------------------------------------------------------------
    def choose(self, question: Question, windows: list[Window], easy_read: bool = False) -> list[Window]:
        ranked = sorted(windows, key=lambda w: -w.score)
        if not ranked:
            return []
        best = ranked[0]
        if question.anchors and self.anchors_missing(question, [best]):
            # Prefer a close candidate that names every place/year asked about.
            complete = [w for w in ranked[1:] if w.score >= 0.5 * best.score and not self.anchors_missing(question, [w])]
            if complete and len(question.anchors) == 1:
                best = complete[0]
        only_section = self.only_a_section_asked(question)
        if self.sections_missing(question, [best]):
            # "Vad är 28 f §?" got 28 c § (the number alone matched): a close quote naming the section beats it;
            # when the section is all that is asked ("Vad säger 9 a §?"), any quote naming it does.
            naming = [w for w in ranked[1:] if (only_section or w.score >= 0.5 * best.score) and not self.sections_missing(question, [w])]
            if naming:
                best = naming[0]
        if only_section and not self.names_whole_section(question, best) and not SECTION_ITEM_ASKED_RE.search(question.text):
            # "Vad står det i 9 § LSS?" is answered by "Det finns tio insatser i LSS (9 § LSS)", not by one item's
            # sentence "(9 § 6 LSS)", whichever scores higher
            whole = [w for w in ranked if self.names_whole_section(question, w)]
            if whole:
                best = whole[0]
        if self.kind_missing(question, best):
            # "Hur många kommuner ...?" needs a quote with an amount of kommuner: a close candidate
            # that has one beats the best-scoring one that would be declined for lacking it.
            places_ok = not self.anchors_missing(question, [best])
            fitting = [
                w for w in ranked
                if w.score >= best.score - self.thresholds.kind_margin and not self.kind_missing(question, w)
                and (not places_ok or not self.anchors_missing(question, [w]))
                and self.about_key_term(question, w, windows)
            ]
            if fitting:
                best = fitting[0]
        passed_over: set[str] = set()
        if self.payment_rule_wanted(question, best):
            return self.payment_rule_with_insats(question, ranked, easy_read) or [best]
        if self.turn_unanswered(question, [best]) or self.preference_unmet(question, [best]):
            # "Kan jag begära en individuell plan?": a close quote that holds the verb or the condition asked
            # about ("... kan när som helst begära att en plan upprättas") beats one that would be declined
            # (the fee rule above has its own way of finding its second quote).
            holding = [w for w in ranked if w.score >= best.score - self.thresholds.kind_margin
                       and not self.turn_unanswered(question, [w]) and not self.preference_unmet(question, [w])]
            if holding:
                best = holding[0]
        if self.only_local_for_general(question, [best]):
            # "Kan jag få en kontaktperson?" asks what the rules allow: a close quote that states a
            # rule with its section ("4. Biträde av kontaktperson (9 § 4 LSS). ...") answers it where
            # Norberg's "Bli kontaktperson" page, which would be declined, does not; the kommuns'
            # quotes passed over are not added back as the second quote either.
            rules = [w for w in ranked if w.score >= best.score - self.thresholds.kind_margin
                     and not w.scored.passage.kommun and "§" in w.quote and not self.kind_missing(question, w)]
            if rules:
                passed_over = {w.scored.passage.passage_id for w in ranked
                               if w.score > rules[0].score and w.scored.passage.kommun}
                best = rules[0]
        if easy_read:
            best = self.easy_read_equivalent(question, ranked, best)
        chosen = [best]
        if other := self.other_compared_insats(question, ranked, best):
            return [best, other]
        missing = set(self.anchors_missing(question, chosen))
        age = self.age_asked_of_lss(question)
        for w in ranked:
            if w is best or len(best.spans) + len(w.spans) > self.max_sentences or self._overlaps(w, best):
                continue
            if w.scored.passage.passage_id in passed_over:
                continue
            if question.sections and self.sections_missing(question, [w]) and not self.sections_missing(question, [best]):
                continue  # "Vad är 28 f §?": a second quote from another section does not answer it
            if age is not None and self.leaves_out_age(age, w):
                continue  # "Kan man få LSS om man är 70 år?": not "under 15 år" as a second quote either
            if self.fee_rule_unasked(question, [w]) or self.sanction_unasked(question, [w]):
                continue  # "Kan jag få stöd på fritiden?": nor 21 §'s fees as a second quote
            if missing:
                # A comparison ("Hallstahammar jämfört med Mjölby"): the second quote brings the other
                # place. Only then: a quote about one place never gets another place's sentence added
                # just to name it ("Hur många stödpedagoger har Norberg?" is not answered by Mjölby's).
                comparison = len(missing) < len(question.anchors)
                if comparison and w.score >= 0.3 * best.score and missing - set(self.anchors_missing(question, [w])):
                    chosen.append(w)
                    break
                continue
            if best.score - w.score > self.thresholds.second_window_margin:
                break
            if not restates(w, best):
                chosen.append(w)
            break
        return chosen

    def other_compared_insats(self, question: Question, ranked: list[Window], best: Window) -> Window | None:
        """For "Vad är skillnaden mellan ledsagare och kontaktperson?" answered by a quote on one of the two:
        the best quote on the other (it got the ledsagarservice item twice, from both guidance texts)."""
        if question.english or question.followup or not DIFFERENCE_ASKED_RE.search(question.text):
            return None
        compared = insatser_named(question.text)
        other = compared - insatser_named(best.quote)
        if len(compared) != 2 or len(other) != 1:
            return None
        naming = [w for w in ranked if w is not best and other <= insatser_named(w.quote)
                  and len(best.spans) + len(w.spans) <= self.max_sentences and not self._overlaps(w, best)]
        # in the register of the first quote where there is one (Lättläst mode answers in easy-read words)
        naming.sort(key=lambda w: w.scored.passage.register != best.scored.passage.register)
        return naming[0] if naming else None

    def easy_read_equivalent(self, question: Question, ranked: list[Window], best: Window) -> Window:
        """Lättläst mode: a close quote from an easy-read text (metadata ``register: lättläst``)
        replaces ``best`` when it holds as much of the question, and the kind of answer and the
        places asked for. (Looser rules were tried: they swapped in definitions that do not answer,
        "Insats betyder ...", for "Måste jag själv ansöka?".)"""
        if best.scored.passage.register == EASY_READ:
            return best
        best_lacks_kind = self.kind_missing(question, best)
        best_places_missing = len(self.anchors_missing(question, [best]))
        best_names_section = bool(question.sections) and not self.sections_missing(question, [best])
        # Definitions hold every word of a question they do not answer ("Vad gör jag om beslutet
        # inte verkställs?" -> "Verkställa betyder ..."): they stand in only when one is asked for.
        definitions_ok = bool(DEFINITION_ASKED_RE.search(question.text))
        for w in ranked:
            if w.score < best.score - self.thresholds.easy_read_margin:
                break
            if not definitions_ok and all(DEFINITION_RE.search(sp.text) for sp in w.spans):
                continue
            if (
                w.scored.passage.register == EASY_READ
                and w.coverage >= best.coverage
                and (best_lacks_kind or not self.kind_missing(question, w))
                and len(self.anchors_missing(question, [w])) <= best_places_missing
                # "Vad är 28 f §?": the easy-read passage naming 28 f § also holds 28 c §'s sentences
                and not (best_names_section and self.sections_missing(question, [w]))
            ):
                return w
        return best

    def kind_missing(self, question: Question, w: Window) -> bool:
        """Whether the quote lacks the kind of answer asked for (an amount, a date, a frequency,
        a cost, a place) or the thing counted in "hur många X"."""
        if question.qtype in KIND_PREFERRED and not w.type_ok:
            return True
        counted = self.counted_noun(question)
        return bool(counted) and not self._counted_in(counted, w.quote)

    def followup_coverage(self, question: Question, w: Window) -> float:
        """A follow-up's words from the earlier turn ("MFD", "material" behind "Var hittar jag dem?")
        name the topic the conversation is on: they count when the quote's passage has them, the
        follow-up's own words only when the quote itself does."""
        if not question.followup:
            return 0.0
        own = set(question.stems)
        window, passage = self._window_tokens(w), self._passage_tokens(w)
        total = sum(question.weights.values())
        got = sum(wt * self._match(s, window if s in own else passage) for s, wt in question.weights.items())
        return got / total if total else 0.0

    def kind_answered(self, question: Question, w: Window) -> bool:
        """A specific kind of answer ("hur ofta": a frequency) found next to the question's most
        specific word is evidence enough even when the rest of the question is worded differently
        ("kolla min plan" / "Planen ska ses över minst en gång varje år")."""
        if question.qtype not in FORM_REQUIRED or not w.type_ok:
            return False
        key = self.key_term(question)
        return bool(key) and bool(self._match(key, set(content_stems(w.quote))))

    @staticmethod
    def _overlaps(a: Window, b: Window) -> bool:
        if a.quote in b.quote or b.quote in a.quote:
            return True
        return a.scored.passage.doc_id == b.scored.passage.doc_id and bool(
            {s.text for s in a.spans} & {s.text for s in b.spans}
        )

    # -- lists -------------------------------------------------------------------------
    def complete_list(self, w: Window) -> list[Window]:
        """A quote that opens a numbered list ("Det finns tio insatser i LSS (9 § LSS).", then
        "1. ...", "2. ...") is extended to the whole list, and a list that runs on into the
        document's next passages is completed from them, a quote each. Empty when ``w``
        opens no list. Only for questions that ask for the items ("Vilka insatser ...?"): the
        list is the answer, so nothing else is quoted."""
        found = self._list_window(w)
        if found is None:
            return []
        last, expected = found
        out = [last]
        while len(out) < MAX_LIST_PASSAGES and last.spans[-1].end >= len(last.scored.passage.text.rstrip()):
            p = last.scored.passage
            following = self._by_position.get((p.doc_id, p.position + 1))
            more = (self._list_continuation(ScoredPassage(following, last.scored.score), expected, last.spans[-1].text)
                    if following else None)
            if more is None:
                break
            last, expected = more
            out.append(last)
        # one numbered point with text after it is an agenda item ("1. Socialtjänstens omställning"), no list
        return out if expected - list_number(w.spans[-1].text) > 2 else []

    def _list_window(self, w: Window) -> tuple[Window, int] | None:
        """``w`` extended by the list items that follow it in its passage, and the number the
        next item would have; None when no item follows."""
        spans = sentences_of(w.scored.passage.text)
        starts = [sp.start for sp in spans]
        if w.spans[0].start not in starts or w.spans[-1].start not in starts:
            return None
        end, expected = _list_items(w.scored.passage, spans, starts.index(w.spans[-1].start) + 1,
                                    list_number(w.spans[-1].text) + 1)
        if not end:
            return None
        return Window(w.passage_rank, w.scored, spans[starts.index(w.spans[0].start): end], score=w.score,
                      coverage=w.coverage, similarity=w.similarity, features=w.features, is_list=True), expected

    @staticmethod
    def _list_continuation(sp: ScoredPassage, expected: int, shown_last: str) -> tuple[Window, int] | None:
        """The items numbered from ``expected`` on in the next passage (which repeats the end of
        the previous one: passages overlap), or None. When the previous passage ended inside the
        last item shown (``shown_last``, "5. Avlösarservice i hemmet (9 § 5 LSS)."), the rest of
        that item's line comes first, so no item loses its description."""
        spans = sentences_of(sp.passage.text)
        begin = next((i for i, s in enumerate(spans) if list_number(s.text) == expected), None)
        if begin is None:
            return None
        end, expected = _list_items(sp.passage, spans, begin, expected)
        if not end:
            return None
        cut = next((i for i in range(begin) if spans[i].text == shown_last), None) if list_number(shown_last) else None
        if cut is not None and cut + 1 < begin and "\n" not in sp.passage.text[spans[cut].end : spans[cut + 1].start]:
            begin = cut + 1
        return Window(-1, sp, spans[begin:end], is_list=True), expected

    @staticmethod
    def _display(quote: str) -> str:
        return " ".join(quote.split())

    def compose(self, chosen: list[Window], easy_read: bool) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        parts: list[str] = []
        for n, w in enumerate(chosen, start=1):
            p = w.scored.passage
            citations.append(Citation(id=n, passage=p, quote=w.quote, stale=is_stale(p.date, self.stale_years)))
            where = where_from(p)
            if easy_read or w.is_list:
                lines = [self._display(s.text) for s in w.spans]
                head = f"{where}:" if where else ""
                body = "\n".join(lines)
                parts.append((head + "\n" if head else "") + f"{body} [{n}]")
            else:
                lead = f"{where}: " if where else ""
                parts.append(f"{lead}{self._display(w.quote)} [{n}]")
        note = stale_note(citations, easy_read)
        if note:
            parts.append(("\n" if not easy_read else "") + note)
        return ("\n\n" if easy_read else "\n").join(parts), citations

    def answer(self, raw_question: str, history: list[dict], candidates: list[ScoredPassage], qvec: np.ndarray,
               question: Question | None = None, easy_read: bool = False, k: int = 5) -> Answer:
        """Rerank the candidates, then quote the best window(s) or decline."""
        question = question or self.parse(raw_question, history)
        # The fee rule for all insatser (21 §) names no insats, so it can rank below the top k for
        # "Måste jag betala för daglig verksamhet?": such a question chooses among every candidate.
        wide = self.payment_asked_for_insats(question)
        passages, windows = self.rerank(question, candidates, qvec, len(candidates) if wide else k) if candidates else ([], [])
        chosen = self.choose(question, windows, easy_read)
        if wide:
            passages = with_quoted(passages[:k], chosen)
        reason = self.decline_reason(question, chosen)
        if reason:
            if reason == "injection" and question.injection:
                text = INJECTION_TEXT
            else:
                standard, easy = GUIDANCE_FOR.get(reason, (DECLINE_TEXT, EASY_READ_DECLINE))
                text = easy if easy_read else standard
            return Answer(question=raw_question, answer=text, answered=False, passages=passages, reason=reason,
                          retrieval_query=question.retrieval_query)
        chosen = keep_named_places(question, chosen, self.places)
        if LIST_ASKED_RE.search(question.text):
            chosen = self.complete_list(chosen[0]) or chosen
            # the rest of a list comes from the passage after the retrieved one: it is shown too
            passages = with_quoted(passages, chosen)
        text, citations = self.compose(chosen, easy_read)
        return Answer(question=raw_question, answer=text, answered=True, citations=citations, passages=passages,
                      retrieval_query=question.retrieval_query)


def with_quoted(passages: list[ScoredPassage], chosen: list[Window]) -> list[ScoredPassage]:
    """The passages shown with an answer, followed by each quoted passage not among them."""
    shown = {sp.passage.passage_id for sp in passages}
    return passages + [w.scored for w in chosen if w.scored.passage.passage_id not in shown]


def _list_items(passage: Passage, spans: list[Span], i: int, expected: int) -> tuple[int, int]:
    """(the index after the last span of the items numbered ``expected``, ``expected`` + 1, ...
    that follow from span ``i`` on, the number the next item would have); the index is 0 when no
    item follows. Heading lines between items belong to the list ("Boende (9 § 8–9)"), and so does
    a sentence on the same line as an item."""
    text = passage.text
    headings = passage.heading_lines()
    end = 0
    while i < len(spans) and expected <= MAX_LIST_ITEMS:
        number = list_number(spans[i].text)
        if number == expected:
            expected += 1
            end = i + 1
        elif number == 0 and end and "\n" not in text[spans[i - 1].end : spans[i].start]:
            end = i + 1  # "10. Daglig verksamhet ... (9 § 10 LSS). Rätten till ... (7 § LSS)."
        elif number != 0 or spans[i].text.strip() not in headings:
            break  # another list, or body text: the list has ended
        i += 1
    return end, expected


def names_a_person(text: str) -> bool:
    """A first name and a surname; not a capitalised word at the start of a sentence before a place
    ("På Norbergs kommuns hemsida ...")."""
    return any(m.group(1).lower() not in STOPWORDS for m in PERSON_RE.finditer(text))


def numbers_in(text: str) -> set[str]:
    return set(NUMBER_RE.findall(text))


def restates(w: Window, best: Window) -> bool:
    """Whether ``w`` says what ``best`` already says, in another summary of the same law: the
    standard and the easy-read guidance state the same facts, and a second quote that only repeats
    the first in other words makes the answer longer, not better. A new number (a section, an age,
    a year) counts as something new."""
    a, b = w.scored.passage, best.scored.passage
    if a.doc_id == b.doc_id or not a.law or a.law != b.law:
        return False
    if numbers_in(w.quote) - numbers_in(best.quote):
        return False
    own = set(content_stems(w.quote))
    return bool(own) and len(own & set(content_stems(best.quote))) >= RESTATE_SHARE * len(own)


def demote_repeats(ranked: list[tuple[float, ScoredPassage]], best: dict[str, "Window"]) -> list[tuple[float, ScoredPassage]]:
    """Move a passage whose best quote is already in a higher-ranked passage of the same document
    after the others. Passages overlap: without this, the overlap of two neighbours can fill two
    of the few places a person reads, and push a passage with new evidence out of them."""
    kept: list[tuple[float, ScoredPassage]] = []
    repeats: list[tuple[float, ScoredPassage]] = []
    for item in ranked:
        p = item[1].passage
        w = best.get(p.passage_id)
        quote = w.quote if w is not None else ""
        if quote and any(o[1].passage.doc_id == p.doc_id and quote in o[1].passage.text for o in kept):
            repeats.append(item)
        else:
            kept.append(item)
    return kept + repeats


def idf_table(passages: list[Passage]) -> dict[str, float]:
    df: dict[str, int] = {}
    for p in passages:
        for s in set(content_stems(p.index_text())):
            df[s] = df.get(s, 0) + 1
    n = max(1, len(passages))
    return {s: math.log(1 + (n - d + 0.5) / (d + 0.5)) for s, d in df.items()}


def place_stems(passages: list[Passage]) -> set[str]:
    """Places the corpus knows: the documents' kommun/län plus capitalised place-like words."""
    places = set()
    for p in passages:
        for value in (p.kommun, p.lan):
            if value:
                places.add(stem(value.lower()))
    for p in passages:
        for m in re.finditer(r"\b(?:i|till|från|på|kommunerna|kommuner|och) ([A-ZÅÄÖ][a-zåäö]{2,})\b", p.text):
            places.add(stem(m.group(1).lower()))
    return places - {stem(w) for w in STOPWORDS}


# ------------------------------------------------------------- freshness and places


def _period_end(date: str):
    """The last day a metadata date can mean: "2019" -> 2019-12-31, "2021-04" -> 2021-04-30."""
    from datetime import date as Date, timedelta

    m = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*$", date or "")
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2) or 12)
    if not 1 <= month <= 12:
        return None
    try:
        if m.group(3):
            return Date(year, month, int(m.group(3)))
        return Date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    except ValueError:
        return None


def is_stale(date: str, years: int, today=None) -> bool:
    """True when a source dated ``date`` (YYYY, YYYY-MM or YYYY-MM-DD) is more than ``years``
    years old. A date given as a year or a month counts as its last day, so a source is only
    called old when it surely is; no date or ``years`` <= 0 is never stale."""
    from datetime import date as Date

    end = _period_end(date)
    if years <= 0 or end is None:
        return False
    today = today or Date.today()
    try:
        limit = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - years, day=28)
    return end < limit


def where_from(p: Passage) -> str:
    """The lead of a quote from a local document: whose text it is and the year ("Från Mjölby kommun
    (2025)"). A text about a kommun that someone else wrote names its publisher and then the place:
    FUB Västmanland's "Vi samverkar med åtta av länets kommuner" was shown as "Från Hallstahammar kommun"."""
    if not p.kommun:
        return ""
    year = p.date[:4]
    if p.publisher and p.kommun.lower() not in p.publisher.lower():
        return f"Från {p.publisher} ({year}), om {p.kommun}"
    return f"Från {p.kommun} kommun ({year})"


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def stale_note(citations: list[Citation], easy_read: bool = False) -> str:
    """One short note covering every old source of an answer ("" when none is old)."""
    old = [c for c in citations if c.stale]
    if not old:
        return ""
    marks = [f"[{c.id}]" for c in old]
    years = list(dict.fromkeys(c.passage.date[:4] for c in old))
    if easy_read:
        if len(old) == 1:
            return f"Obs! Texten {marks[0]} är från {years[0]}.\nDet kan ha ändrats sedan dess."
        return f"Obs! Texterna {_and_list(marks)} är från {_and_list(years)}.\nDet kan ha ändrats sedan dess."
    # "siffrorna" when the quote gives a figure (other than a year), else "uppgifterna"
    what = "siffrorna" if any(DIGIT_RE.search(YEAR_RE.sub("", c.quote)) for c in old) else "uppgifterna"
    if len(old) == 1:
        return f"Obs: källan {marks[0]} är från {years[0]}, så {what} kan ha ändrats."
    if len(years) == 1:
        return f"Obs: källorna {_and_list(marks)} är från {years[0]}, så {what} kan ha ändrats."
    each = [f"{m} från {c.passage.date[:4]}" for m, c in zip(marks, old)]
    return f"Obs: källorna {_and_list(each)} är äldre, så {what} kan ha ändrats."


def keep_named_places(question: Question, chosen: list[Window], places: set[str]) -> list[Window]:
    """When the question names a place ("i Mjölby", "hos oss i Västmanland"), a second quote from a
    local document of another kommun/län is left out (it answers for somewhere else); quotes from
    national documents (no kommun/län) and from the places named stay. The first quote is kept."""
    named = {stem(a) for a in question.anchors if not a.isdigit()} | {stem(a.rstrip("s")) for a in question.anchors}
    named &= places
    if len(chosen) < 2 or not named:
        return chosen
    kept = chosen[:1]
    for w in chosen[1:]:
        p = w.scored.passage
        local = [v for v in (p.kommun, p.lan) if v]
        mentions = any(a in w.quote.lower() for a in question.anchors if not a.isdigit())
        if not local or mentions or any(stem(v.lower()) in named for v in local):
            kept.append(w)
    if len(named) >= 2:  # a comparison answers in the order the question names the places
        order = [stem(a) for a in question.anchors]

        def first_named(w: Window) -> int:
            p = w.scored.passage
            hits = [order.index(stem(v.lower())) for v in (p.kommun, p.lan) if v and stem(v.lower()) in order]
            return min(hits, default=len(order))

        kept.sort(key=first_named)
    return kept
