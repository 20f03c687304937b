"""English questions in the texts' words: a word-by-word glossary into Swedish.

The texts are Swedish, and the answerer's lexical signals (coverage of the question's words, the kind
of answer asked for, the rules on conditions and payments) only work on Swedish words. An English
question whose every word the glossary knows (or the texts hold, such as a name) is put in Swedish
word by word and then answered like a Swedish one; the word order stays English, which the
answerer, working on sets of stems, does not mind. Any other English question keeps the English path
(embedding similarity only). The glossary holds the question frames and function words members use
and the names of the law's concepts as English texts on LSS render them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# English phrase (lower case) -> Swedish; "" drops the word. Lookup tries the longest phrase first.
GLOSSARY: dict[str, str] = {
    # question frames and function words
    "what": "vad", "who": "vem", "whom": "vem", "which": "vilka", "when": "när", "where": "var", "why": "varför",
    "how": "hur", "is there": "finns det", "are there": "finns det",
    # English puts "do" before the subject where Swedish puts the verb: "Måste jag ...?" is what the
    # answerer's rules on permissions and payments look for
    "do i have to": "måste jag", "do we have to": "måste vi", "do you have to": "måste man",
    "does one have to": "måste man", "do i need to": "måste jag", "do i get": "får jag", "do we get": "får vi",
    "do i pay": "betalar jag", "does it cost": "kostar det", "how do i apply for": "hur söker jag",
    "how do i apply": "hur söker jag", "how do you apply for": "hur söker man", "how do you apply": "hur söker man",
    "how do i get": "hur får jag", "how do you get": "hur får man",
    "do i have": "har jag", "do we have": "har vi", "do you have": "har man", "i want a": "jag vill ha en",
    "i want an": "jag vill ha en", "we want a": "vi vill ha en",
    "is not carried out": "inte verkställs", "are not carried out": "inte verkställs",
    "has not been carried out": "inte har verkställts", "have not been carried out": "inte har verkställts",
    "is covered by": "omfattas av", "are covered by": "omfattas av",
    "is": "är", "are": "är", "am": "är",
    "what's": "vad är", "who's": "vem är", "it's": "det är", "i'm": "jag är", "don't": "inte",
    "doesn't": "inte", "can't": "kan inte", "cannot": "kan inte", "isn't": "är inte", "won't": "ska inte", "was": "var", "were": "var", "be": "vara", "been": "varit",
    "can": "kan", "could": "kan", "may": "får", "must": "måste", "have to": "måste", "has to": "måste",
    "need to": "måste", "should": "ska", "shall": "ska", "will": "ska", "would": "skulle",
    "do": "", "does": "", "did": "", "a": "en", "an": "en", "the": "", "of": "", "that": "som", "this": "det",
    "i": "jag", "me": "mig", "my": "min", "mine": "min", "you": "du", "your": "din", "we": "vi", "our": "vår",
    "they": "de", "them": "dem", "their": "deras", "it": "det", "its": "dess", "he": "han", "she": "hon",
    "his": "hans", "her": "hennes", "someone": "någon", "somebody": "någon", "anyone": "någon",
    "something": "något", "anything": "något", "all": "alla", "everyone": "alla", "other": "andra", "another": "en annan",
    "to": "till", "for": "för", "if": "om", "not": "inte", "no": "nej", "yes": "ja", "and": "och", "or": "eller",
    "in": "i", "on": "på", "at": "på", "with": "med", "without": "utan", "about": "om", "from": "från",
    "after": "efter", "before": "före", "by": "av", "under": "enligt", "than": "än", "there": "där",
    "also": "också", "only": "bara", "still": "fortfarande", "yet": "ännu", "then": "då", "now": "nu",
    "both": "både", "again": "igen", "more": "mer", "much": "mycket", "many": "många", "long": "länge",
    "often": "ofta", "every": "varje", "each": "varje", "year": "år", "years": "år", "month": "månad",
    "months": "månader", "three": "tre", "old": "gammal", "over": "över",
    # verbs members use
    "happens": "händer", "happen": "händer", "get": "få", "gets": "får", "got": "fick", "receive": "få",
    "have": "har", "has": "har", "had": "hade", "give": "ge", "gives": "ger", "given": "fått",
    "apply": "söka", "applies": "söker", "apply for": "söka", "application": "ansökan",
    "appeal": "överklaga", "appeals": "överklagar", "says no": "säger nej", "said no": "sa nej",
    "say no": "säger nej", "refuses": "säger nej", "refused": "sa nej", "rejected": "avslag",
    "pay": "betala", "pays": "betalar", "paid": "betala", "cost": "kostar", "costs": "kostar",
    "decide": "bestämmer", "decides": "bestämmer", "decided": "bestämt",
    "supervise": "ha tillsyn över", "supervises": "har tillsyn över", "supervision": "tillsyn", "checks": "kollar",
    "check": "kolla", "inspects": "granskar", "report": "rapportera", "reports": "rapporterar",
    "reported": "rapporteras", "carried out": "verkställs", "carry out": "verkställa",
    "implemented": "verkställs", "enforced": "verkställs", "move": "flytta", "moves": "flyttar",
    "moving": "flyttar", "live": "bo", "lives": "bor", "belong": "tillhör", "belongs": "tillhör",
    "covered": "omfattas", "cover": "omfattar", "choose": "välja", "keep": "behålla", "lose": "bli av med",
    "work": "arbeta", "means": "betyder", "mean": "betyder", "help": "hjälp", "helps": "hjälper",
    "review": "se över", "reviewed": "ses över", "take away": "ta bort", "taken away": "tas bort",
    "withdraw": "dra in", "withdrawn": "dras in", "money": "pengar", "night": "natten", "blind": "blind",
    "deaf": "döv", "sick": "sjuk", "ill": "sjuk", "late": "sen", "wait": "vänta",
    "go": "gå", "go to": "gå på", "stay": "vara", "want": "vill", "wants": "vill", "force": "tvinga",
    "forced": "tvingas", "complain": "klaga", "complaint": "klagomål", "cancel": "säga upp",
    # the law's concepts
    "lss": "LSS", "law": "lagen", "act": "lagen", "right": "rätt", "rights": "rättigheter",
    "entitled": "rätt", "eligible": "rätt",
    "municipality": "kommunen", "municipalities": "kommuner", "council": "kommunen", "region": "regionen",
    "decision": "beslutet", "decisions": "beslut", "court": "domstol",
    "administrative court": "förvaltningsrätten", "special fee": "särskild avgift", "fee": "avgift",
    "fees": "avgifter", "free": "gratis", "support": "stöd", "service": "service", "services": "insatser",
    "measure": "insats", "measures": "insatser", "intervention": "insats", "interventions": "insatser",
    "contact person": "kontaktperson", "contact persons": "kontaktpersoner",
    "personal assistance": "personlig assistans", "personal assistant": "personlig assistent",
    "assistance": "assistans", "assistance allowance": "assistansersättning",
    "companion service": "ledsagarservice", "escort service": "ledsagarservice", "companion": "ledsagare",
    "relief service": "avlösarservice", "respite": "avlösning", "short-term stay": "korttidsvistelse",
    "short term stay": "korttidsvistelse", "short-term supervision": "korttidstillsyn",
    "group home": "gruppbostad", "group homes": "gruppbostäder", "service housing": "servicebostad",
    "housing": "bostad", "home": "bostad", "foster home": "familjehem",
    "daily activity": "daglig verksamhet", "daily activities": "daglig verksamhet",
    "individual plan": "individuell plan", "plan": "plan", "advice": "rådgivning", "counselling": "rådgivning",
    "group": "grupp", "groups": "grupper", "people": "personer", "person": "person", "persons": "personer",
    "disability": "funktionsnedsättning", "disabilities": "funktionsnedsättningar",
    "intellectual disability": "utvecklingsstörning", "autism": "autism", "brain injury": "hjärnskada",
    "child": "barn", "children": "barn", "adult": "vuxen", "adults": "vuxna", "parents": "föräldrar",
    "parent": "förälder", "guardian": "god man", "age": "ålder", "age limit": "åldersgräns",
    "pension": "pension", "goal": "mål", "goals": "mål", "purpose": "syfte", "advance notice": "förhandsbesked",
}


_TOKEN_RE = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ§]+(?:[-'][0-9A-Za-zÀ-ÖØ-öø-ÿ]+)*")
_LONGEST = max(len(k.split()) for k in GLOSSARY)


def as_swedish(text: str, known: Callable[[str], bool]) -> str | None:
    """``text`` put in Swedish word by word, or None when a word is neither in the glossary nor held
    by the texts (``known(word)``, for names such as "Mjölby", which keep their case): a
    half-translated question would be answered on the half."""
    tokens = _TOKEN_RE.findall(text)
    lower = [t.lower() for t in tokens]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(_LONGEST, len(tokens) - i), 0, -1):
            phrase = " ".join(lower[i : i + n])
            if n == 1 and phrase in ("do", "does") and i == len(tokens) - 1:
                out.append("gör")  # "What does IVO do?": the last "do" is the verb asked about
                i += 1
                break
            if phrase in GLOSSARY:
                if GLOSSARY[phrase]:
                    out.append(GLOSSARY[phrase])
                i += n
                break
        else:
            if not (tokens[i].isdigit() or known(lower[i])):
                return None
            out.append(tokens[i])
            i += 1
    if not out:
        return None
    swedish = " ".join(out)
    return swedish[:1].upper() + swedish[1:] + ("?" if text.rstrip().endswith("?") else "")
