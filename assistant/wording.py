"""Members' everyday wordings of common questions, asked in the words the texts use.

The texts say "överklaga", "verkställa", "personkrets" and "tillsyn"; members ask "Vad händer om
kommunen säger nej?" or "Vem kollar att kommunen gör rätt?". Matched word by word, such questions
found the wrong sentences (the wordings and what they got are in the comments of ``REWRITES``).
Each row of ``REWRITES`` is one wording: the pattern that recognises it, patterns that must also be
found or must not be, and the question as the texts answer it. The first row that applies wins.

Only retrieval and scoring see the new wording (``Question.retrieval_query``); the answer shows
what the member typed. Used by the answer stage's question parsing; imports nothing of the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The insatser of 9 § as members name them (group 1). Also used by the answer stage: what the law
# says of the fees for "insatser" (21 §) holds for each of them.
# "assistansersättning" is Försäkringskassan's benefit, not the insats: "Vem beslutar om
# assistansersättning?" was asked as who decides on insatser (the nämnd) where the rows below use the
# names without word boundaries.
INSATS_NAMED_RE = re.compile(
    r"\b(rådgivning|personlig\w* assistans(?!ersättning)|assistans(?!ersättning)|ledsag\w*|kontaktperson\w*|avlös\w*|korttids\w*"
    r"|stödfamilj\w*|familjehem\w*|gruppbostad\w*|servicebostad\w*|daglig\w* verksamhet\w*)\b", re.I)
_INSATS = INSATS_NAMED_RE.pattern.removeprefix(r"\b").removesuffix(r"\b")
# Support in general, or one insats by name
_SUPPORT = rf"(?:{_INSATS}|stöd\w*|insats\w*|lss|hjälp\w*)"
_LSS_ASKED_FOR = r"(?P<what>lss|stöd enligt lss|insatser enligt lss)\s*\??\s*$"
# "Måste jag betala för daglig verksamhet?": asked whether something is paid for (answer stage too)
PAYMENT_ASKED_RE = re.compile(r"\b(betal\w*|kosta[rd]?|kostnad\w*|avgift\w*|gratis|kostnadsfri\w*)\b", re.I)
_WHAT_NOW = (
    r"\bvad (?:händer|gör|kan|ska|bör)\b|\bhur (?:gör|ska|kan|går) (?:jag|man|vi|det)\b"
    r"|\b(?:kan|ska|bör|måste) (?:jag|man|vi) göra\b|\bgöra något\b"
)
_REFUSAL = (
    r"\b(?:kommunen|nämnden|handläggaren|(?:min|vår) handläggare|socialtjänsten|de|dom|han|hon) (?:har )?(?:säg(?:er)?|sa|sade|sagt|svara(?:r|de|t)?) nej\b"
    r"|\b(?:få(?:r|tt)?|fick) (?:ett |något )?(?:nej|avslag)\b|\bavsl(?:ag|og|agit|ogs|ås)\b"
    r"|\b(?:(?:inte|ej) (?:är |vara )?|är inte |miss)nöjd med (?:\w+ )?beslut|\bhåller inte med om (?:\w+ )?beslut"
)


def _re(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I | re.S)


@dataclass(frozen=True)
class Rewrite:
    """One everyday wording: ``asked`` recognises it, ``also`` must be found too, ``unless`` must not
    be, and ``wording`` is the question in the texts' words (a template for the match: ``\\g<who>``)."""

    asked: re.Pattern
    wording: str
    also: re.Pattern | None = None
    unless: re.Pattern | None = None

    def apply(self, text: str) -> str | None:
        m = self.asked.search(text)
        if not m or (self.also and not self.also.search(text)) or (self.unless and self.unless.search(text)):
            return None
        return m.expand(self.wording)


REWRITES: tuple[Rewrite, ...] = (
    # "Får man betalt på daglig verksamhet?" asks about pay received: "betalt" matched the fee rules (21 §,
    # what the member pays), a confident wrong answer. Asked with the word for pay, which no text uses,
    # it is declined like "Får jag lön på daglig verksamhet?".
    # "Får kontaktpersonen betalt?" too, but not the kommun's fees ("Får kommunen betalt för bostaden?").
    Rewrite(_re(r"^(?P<pre>.*?\b(?:få|får|fick|fått)(?: (?!kommunen\b|kommuner\b|nämnden\b|regionen\b|staten\b)[a-zåäö]+)?(?: inte)?) betalt\b(?P<post>.*)$"),
            r"\g<pre> lön\g<post>"),
    # "Vem kan få LSS?" asks who has the right to it: with "LSS" its only word, every guidance
    # sentence matched and 8 § (who may apply for someone) came first.
    Rewrite(_re(r"^(?P<pre>.*?\b(?:vem|vilka)) (?:kan|får) få\b(?P<post>.*)$"), r"\g<pre> har rätt till\g<post>"),
    # "Kan jag få LSS?" with nothing more asks whether the member has the right to it (7 §); 8 § came first.
    Rewrite(_re(r"^\s*(?:kan|får) (?P<who>jag|man|vi) få " + _LSS_ASKED_FOR), r"Har \g<who> rätt till \g<what>?"),
    # "Hur får man LSS?" asks how to apply: it was answered with what LSS means.
    Rewrite(_re(r"^\s*hur (?:får|kan) (?P<who>jag|man|vi)(?: få)? " + _LSS_ASKED_FOR), r"Hur söker \g<who> \g<what>?"),
    # "Vem omfattas av LSS?" asks who belongs to the personkrets: the texts' one sentence with
    # "omfattas" is Norberg's on who may apply for a kontaktperson.
    Rewrite(_re(r"^\s*(?:(?:vem|vilka) (?:omfattas av|gäller) (?:lss|lagen)(?: för)?|för (?:vem|vilka) gäller (?:lss|lagen))\s*\??\s*$"),
            "Vem tillhör personkretsen i LSS?"),
    # "Vad händer om kommunen säger nej?" asks what one can do about a refusal: appeal (27 §). The texts
    # never say "nej" or "avslag" of a decision, only "överklaga". Not when the question already says
    # "överklaga", nor for Försäkringskassan's decisions (assistansersättning), appealed under another law.
    Rewrite(_re(_REFUSAL), "Hur överklagar man ett beslut?", also=_re(_WHAT_NOW),
            unless=_re(r"överklag|försäkringskass|\bfk\b|ersättning")),
    # "Hur får jag mitt beslut ändrat?": the member's way to have a decision changed is to appeal it (27 §);
    # asked with "ändra" it found Norberg's "genom en ändring i socialtjänstlagen ...".
    Rewrite(_re(r"\b(?:få|får|fick)\s+(?:(?:jag|vi|man|du)\s+)?(?:mitt |ett |vårt |sitt |hans |hennes )?(?:lss-)?beslut\w*\s+ändra[dt]\b"),
            "Hur överklagar man ett beslut?", unless=_re(r"överklag|försäkringskass|\bfk\b|ersättning|kommunen (?:kan|får)")),
    # "Jag har fått ja men inget händer" asks what happens when a decision is not carried out: the texts
    # say "verkställ". The "inte" must come after the "ja": "inte har fått beslut" means no decision yet.
    Rewrite(_re(r"(?:\b(?:fått|fick|har) (?:ett )?(?:ja|beslut|beviljat)\b|\bbeviljat?s?\b)"
                r".*?\b(?:inte|ingen|inget|inga|aldrig|fortfarande)\b"),
            "Vad händer om beslutet inte verkställs?", also=_re(_WHAT_NOW), unless=_re(r"verkställ|" + _REFUSAL)),
    # "Hur ansöker jag om ledsagarservice?" asks where to apply (2 §): it got what the insats is. Not
    # "rådgivning", which the region gives.
    # Also "Hur ska jag göra för att få en kontaktperson?", "Hur gör jag för att söka LSS?" (8 § on someone
    # else applying came first).
    Rewrite(_re(r"^\s*(?:(?:hur|var|vart) (?:söker|ansöker)|hur gör|hur får|hur ska) (?P<who>jag|man|vi)(?: göra)?"
                rf"(?: om| för att (?:få|söka|ansöka om))?(?: en| ett)? (?:{_INSATS}|lss)\s*\??\s*$"),
            r"Hur söker \g<who> LSS?", unless=_re(r"\brådgivning\b")),
    # "jag vill ha en kontaktperson": a wish for an insats is answered by where to apply (it got Norberg's
    # "Bli kontaktperson" page, which is about becoming one).
    Rewrite(_re(rf"^\s*(?P<who>jag|vi) vill (?:ha|få|söka) (?:en |ett )?{_INSATS}\s*[.!?]*\s*$"), r"Hur söker \g<who> LSS?",
            unless=_re(r"\brådgivning\b")),
    # "Har jag rätt till kontaktperson?", "Måste kommunen ge mig en kontaktperson?" ask who qualifies, which
    # the answer stage answers with a description of them: as they stood they got Norberg's sentence on
    # the shortage of kontaktpersoner ("rätt" and the insats's name were their only words).
    Rewrite(_re(rf"^\s*(?:har (?:jag|man|vi|han|hon|hen|min \w+|mitt \w+) rätt till|måste kommunen ge (?:mig|oss|honom|henne|hen|min \w+|mitt \w+))"
                rf"(?: en| ett)? (?P<insats>{_INSATS})\s*\??\s*$"), r"Vem har rätt till \g<insats>?"),
    # "Kan jag ansöka om LSS för min vuxna son?" asks whether one may apply for someone else (8 §); it got
    # "Både barn och vuxna kan få stöd (9 § LSS)".
    Rewrite(_re(r"^\s*(?:kan|får|måste) (?:jag|vi) (?:an)?söka (?:om )?(?:lss|insatser|stöd)(?: enligt lss)? (?:för|åt) "
                r"(?:min|mitt|mina|vår|vårt|våra) (?:\w+ )?\w+\s*\??\s*$"),
            "Kan en anhörig ansöka om LSS?"),
    # "Inom hur lång tid ska ett beslut verkställas?" asks the time the kommun has (q304's question; 28 a §:
    # the law gives no fixed time); it got 28 g-h §§ on reporting. Not with a place, which the rewrite
    # would drop.
    Rewrite(_re(r"^\s*(?:inom )?hur (?:lång tid|snabbt|fort)\b[^?]*\bverkställ\w*[^?]*\??\s*$"),
            "Hur lång tid har kommunen på sig att ge mig min insats?", unless=_re(r"\bi [a-zåäö]+\s*\??\s*$")),
    # "Hur lång tid får det ta innan jag får min insats?", "Hur länge får jag vänta på kontaktperson?" ask the
    # same in a member's words; the first got 28 g-h §§ on reporting. Not the wait for a decision (which
    # DECISION_TIME_ASKED_RE in answer.py reads), nor with a place.
    Rewrite(_re(rf"^\s*hur (?:lång tid|länge)\b(?=[^?]*\b(?:innan|tills|vänta\w*|att få)\b)[^?]*\b(?:{_INSATS}|insats\w*|stödet)\b[^?]*\??\s*$"),
            "Hur lång tid har kommunen på sig att ge mig min insats?",
            unless=_re(r"\bbeslut\w*|\bi [a-zåäö]+\s*\??\s*$")),
    # "Vad gör jag om jag inte får min insats?": "min insats" is one already granted, so it asks what happens
    # when a decision is not carried out; it got 8 § ("Insatser enligt LSS ges bara om den enskilde själv
    # begär dem").
    Rewrite(_re(rf"\b(?:inte|aldrig) (?:får|fått|fick) (?:min|mitt|mina|vår|vårt|våra|hans|hennes|sin|sitt|sina) (?:{_INSATS}|insats\w*|stöd\w*)"),
            "Vad händer om beslutet inte verkställs?", also=_re(_WHAT_NOW), unless=_re(r"verkställ|" + _REFUSAL)),
    # "Jag har väntat ett år på gruppbostad, vad gör jag?", "Min son har väntat på kontaktperson i ett halvår":
    # a member waiting for a granted insats asks what happens when a decision is not carried out (28 a, 28 f §§);
    # they got what a gruppbostad is and Norberg's shortage of kontaktpersoner.
    Rewrite(_re(rf"\b(?:jag|vi|(?:min|mitt|vår|vårt) \w+|han|hon|hen) (?:har |hade )?(?:väntat|väntar|fått vänta)\b[^?.!]*\bpå\b"
                rf"[^?.!]*(?:{_INSATS}|insatsen|stödet)"),
            "Vad händer om beslutet inte verkställs?",
            # waiting for the decision itself is another question (the time to decide, see answer.py)
            unless=_re(r"verkställ|\bhur många\b|försäkringskass|ersättning|\bpå (?:ett |mitt |vårt |sitt |hans |hennes )?beslut")),
    # "Vem kollar att kommunen gör rätt?" asks who supervises (IVO, 25 §): "kolla" and "rätt" matched
    # the särskild avgift a kommun pays when it does not give an insats.
    Rewrite(_re(r"^\s*vem (?:kollar|kontrollerar|granskar|övervakar|bevakar|ser till) att\b"), "Vem har tillsyn över LSS?"),
    # "Hur anmäler jag kommunen till IVO?" is a complaint to the supervisor (25 §); it got the nämnd's duty
    # to report decisions not carried out to IVO (28 f-g §§). Only a member's complaint: "Ska nämnden
    # anmäla beslutet till IVO?" asks about that duty.
    Rewrite(_re(r"\banmäl\w*\s+(?:(?:jag|vi|man|du)\s+)?(?:kommunen|nämnden|socialtjänsten|verksamheten|boendet|gruppbostaden|personalen"
                r"|assistansbolaget|(?:min|mitt|mina|vår|vårt|våra) \w+)\s+(?:till|hos)\s+(?:ivo|inspektionen)\b"
                r"|\b(?:göra|gör|skriva|skriver|skicka|skickar) (?:jag|vi|man) en anmälan (?:till|hos) (?:ivo|inspektionen)\b"),
            "Vem har tillsyn över LSS?"),
    # "Vad händer om jag säger nej till daglig verksamhet?", "Måste jag gå på daglig verksamhet?": an
    # insats is given only when the member asks for it (8 §). They got who has the right to daglig
    # verksamhet, as the insats's name was their only topic word.
    # The member (or their child) says no, not Försäkringskassan ("sa nej till assistansersättning").
    Rewrite(_re(rf"\b(?:jag|vi|man|han|hon|hen|(?:min|mitt|vårt?) (?:son|dotter|barn|bror|syster|mamma|pappa|mor|far)) (?:\w+ )?(?:säga|säger|sa|tacka[rt]?|tackade) nej till"
                rf" (?:en |ett |min |mitt |mina )?{_SUPPORT}"
                rf"|\bmåste (?:jag|man|vi|han|hon|hen) (?:ta emot|gå på|gå till|gå i|ha|bo i|flytta till) (?:en |ett )?{_INSATS}"
                rf"|\bvill inte ha (?:en |ett |min |mitt |mina |någon |något )?{_SUPPORT}"
                rf"|\btvinga (?:mig|oss|honom|henne|hen|min \w+|mitt \w+) (?:att |till )?(?:\w+ ){{0,2}}?(?:en |ett )?{_INSATS}"),
            "Måste jag ta emot insatser?", unless=PAYMENT_ASKED_RE),
    # "min mamma vill att jag ska bo i gruppbostad men jag vill inte": the same question, the insats named before
    Rewrite(_re(r"\bjag vill inte\s*[.!?]*\s*$"), "Måste jag ta emot insatser?", also=INSATS_NAMED_RE, unless=PAYMENT_ASKED_RE),
    # "Vem bestämmer vad jag ska göra på daglig verksamhet?": the member's own say over the support (6 §);
    # it got a Mjölby minute on daglig verksamhet.
    Rewrite(_re(rf"^\s*vem (?:bestämmer|beslutar|avgör) (?:vad|hur) (?:jag|vi|man|han|hon|hen|mitt|min)\b.*{_INSATS}"),
            "Får jag bestämma över mitt stöd?", unless=PAYMENT_ASKED_RE),
    # "Vem bestämmer vilken gruppbostad jag får?": the nämnd decides on insatser (22 §, 27 §); it got
    # what a gruppbostad is.
    Rewrite(_re(rf"^\s*vem (?:bestämmer|beslutar|avgör|tar beslut)\b.*{_INSATS}"), "Vem bestämmer om insatser?",
            unless=PAYMENT_ASKED_RE),
)


# Names members use for what the texts call otherwise, each followed by the texts' name in what retrieval
# sees: "Kan jag få insatser enligt både LSS och SoL?" found nothing on 4 § ("... enligt någon annan lag,
# till exempel socialtjänstlagen"), "Gäller rapporteringsskyldigheten beslut enligt SoL?" got a sentence on
# another duty, and "Kan jag få LSS om jag har en intellektuell funktionsnedsättning?" (today's word, FUB's
# too) got 1 §'s "vissa personer med funktionsnedsättning" where the law's personkrets 1 says
# "utvecklingsstörning"; "Vad är råd och stöd?" (the everyday name of 9 § 1) got the opening of 9 §'s list.
# The member's name stays; the texts' name is added after it, unless it is there.
TEXTS_NAMES = (
    (_re(r"\bsol(?::s)?\b(?!\s*\))"), "socialtjänstlag", "socialtjänstlagen"),
    (_re(r"\bfk(?::s)?\b(?!\s*\))"), "försäkringskass", "Försäkringskassan"),
    (_re(r"\bintellektuell\w* funktionsnedsättning\w*"), "utvecklingsstör", "utvecklingsstörning"),
    (_re(r"\bråd och stöd\b"), "rådgivning", "rådgivning och annat personligt stöd"),
)


def with_the_texts_names(text: str) -> str:
    """``text`` with the texts' name after each name of ``TEXTS_NAMES`` it uses ("SoL" -> "SoL
    (socialtjänstlagen)"), unless the texts' name is there already."""
    for name, texts_stem, texts_name in TEXTS_NAMES:
        if not re.search(texts_stem, text, re.I):
            text = name.sub(lambda m: f"{m.group(0)} ({texts_name})", text)
    return text


def as_the_texts_ask_it(text: str) -> str:
    """A member's everyday wording of a common question, put in the words the texts use (the first
    row of ``REWRITES`` that applies, with the texts' names added); other questions come back as they are."""
    text = with_the_texts_names(text)
    for rewrite in REWRITES:
        if (asked := rewrite.apply(text)) is not None:
            return asked
    return text
