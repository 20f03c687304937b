"""Members' everyday wordings asked in the texts' words (assistant/wording.py)."""

from __future__ import annotations

from assistant.wording import REWRITES, as_the_texts_ask_it


def test_a_refusal_is_asked_as_how_to_appeal_and_who_is_covered_as_who_belongs_to_the_personkrets():
    # "Vad händer om kommunen säger nej?" got 28 a § and "gynnande beslut": the texts say
    # "överklaga", never "nej" or "avslag" of a decision
    for asked in ("Vad händer om kommunen säger nej?", "Jag fick avslag på min ansökan, vad gör jag nu?",
                  "Vad gör jag om jag inte är nöjd med beslutet?", "Kommunen har sagt nej, vad kan jag göra?"):
        assert as_the_texts_ask_it(asked) == "Hur överklagar man ett beslut?", asked
    # a refusal not asked about, Försäkringskassan's decisions (another law),
    # counting refusals, "varför" and a question that already says "överklaga" keep their words
    for asked in ("Vad gör jag om jag inte är nöjd med min kontaktperson?",
                  "Försäkringskassan sa nej till assistansersättning, vad gör jag?", "Hur många får avslag?",
                  "Varför sa kommunen nej?", "jag fick nej kan jag överklaga"):
        assert as_the_texts_ask_it(asked) == asked, asked
    # the one sentence with "omfattas" is Norberg's on who may apply for a kontaktperson
    for asked in ("Vem omfattas av LSS?", "vilka omfattas av lagen", "Vem gäller LSS för?", "För vilka gäller LSS?"):
        assert as_the_texts_ask_it(asked) == "Vem tillhör personkretsen i LSS?", asked
    assert as_the_texts_ask_it("Omfattas personer med autism av LSS?") == "Omfattas personer med autism av LSS?"


def test_having_ones_decision_changed_is_asked_as_how_to_appeal():
    # "Hur får jag mitt beslut ändrat?" found Norberg's "genom en ändring i socialtjänstlagen ..."
    for asked in ("Hur får jag mitt beslut ändrat?", "Kan jag få beslutet ändrat?", "Hur kan jag få mitt LSS-beslut ändrat?"):
        assert as_the_texts_ask_it(asked) == "Hur överklagar man ett beslut?", asked
    # the kommun changing it, and Försäkringskassan's decisions, keep their words
    for asked in ("Kan kommunen ändra mitt beslut?", "Hur får jag Försäkringskassans beslut ändrat?"):
        assert as_the_texts_ask_it(asked) == asked, asked


def test_a_decision_not_carried_out_and_who_checks_the_kommun_are_asked_as_the_texts_put_them():
    # "fått ja men ..." got 28 a §'s "gynnande beslut" lines or was declined: the texts say "verkställ"
    for asked in ("jag har fått ja men får inte mitt stöd vad händer", "Jag har fått ja men inget händer, vad gör jag?",
                  "Kommunen har beviljat assistans men jag har inte fått någon, vad gör jag?"):
        assert as_the_texts_ask_it(asked) == "Vad händer om beslutet inte verkställs?", asked
    # no decision yet, a question that already says "verkställ" and a count keep their words
    for asked in ("Vad händer om jag inte har fått beslut än?", "Vad händer om beslutet inte verkställs i tid?",
                  "Hur många beviljade beslut har inte verkställts?"):
        assert as_the_texts_ask_it(asked) == asked, asked
    # "kolla" and "rätt" matched the särskild avgift (28 a §) and 27 §, not IVO's supervision (25 §)
    for asked in ("Vem kollar att kommunen gör rätt?", "vem kollar att lss blir rätt"):
        assert as_the_texts_ask_it(asked) == "Vem har tillsyn över LSS?", asked
    assert as_the_texts_ask_it("Vem kollar min ansökan?") == "Vem kollar min ansökan?"


def test_how_to_apply_for_a_named_insats_is_asked_as_how_to_apply_for_lss():
    # these got what the insats is (the item of 9 §), not where to apply (2 §)
    assert as_the_texts_ask_it("Hur ansöker jag om ledsagarservice?") == "Hur söker jag LSS?"
    assert as_the_texts_ask_it("Hur gör man för att få en kontaktperson?") == "Hur söker man LSS?"
    # "hur får jag en kontaktperson" and "jag vill ha en kontaktperson" got Norberg's "Bli kontaktperson" page
    assert as_the_texts_ask_it("hur får jag en kontaktperson") == "Hur söker jag LSS?"
    assert as_the_texts_ask_it("jag vill ha en kontaktperson") == "Hur söker jag LSS?"
    # "Hur ska jag göra för att få en kontaktperson?" got the 9 § item, "Hur gör jag för att söka LSS?" 8 § first
    assert as_the_texts_ask_it("Hur ska jag göra för att få en kontaktperson?") == "Hur söker jag LSS?"
    assert as_the_texts_ask_it("Hur gör jag för att söka LSS?") == "Hur söker jag LSS?"
    # the region gives rådgivning; a place, or becoming a kontaktperson, is another question
    for asked in ("Hur söker jag om rådgivning?", "Hur söker man kontaktperson i Norberg?", "Hur gör man för att bli kontaktperson?"):
        assert as_the_texts_ask_it(asked) == asked, asked


def test_saying_no_to_an_insats_is_asked_as_whether_one_must_take_it():
    # "Vad händer om jag säger nej till daglig verksamhet?" got who has the right to daglig verksamhet:
    # an insats is given only when asked for (8 §)
    for asked in ("Vad händer om jag säger nej till daglig verksamhet?", "Måste jag gå på daglig verksamhet?",
                  "Kan jag tacka nej till korttidsvistelse?", "Måste jag bo i gruppbostad?", "Kan jag säga nej till stöd?",
                  "Vad händer om min son säger nej till korttidsvistelse?", "Kan kommunen tvinga mig till daglig verksamhet?"):
        assert as_the_texts_ask_it(asked) == "Måste jag ta emot insatser?", asked
    # paying and needing something to get LSS are other questions; the handläggare's "nej" is a refusal
    assert as_the_texts_ask_it("Min handläggare sa nej till assistans, vad gör jag?") == "Hur överklagar man ett beslut?"
    for asked in ("Måste jag betala för daglig verksamhet?", "Måste man ha en diagnos för att få LSS?", "Måste jag ha en god man?",
                  "Kan kommunen tvinga mig att flytta?"):
        assert as_the_texts_ask_it(asked) == asked, asked


def test_who_decides_on_a_named_insats_is_asked_as_who_decides_on_insatser():
    # "Vem bestämmer vilken gruppbostad jag får?" got what a gruppbostad is (the name its only topic word)
    for asked in ("Vem bestämmer vilken gruppbostad jag får?", "Vem beslutar om gruppbostad?",
                  "Vem bestämmer om jag får daglig verksamhet?"):
        assert as_the_texts_ask_it(asked) == "Vem bestämmer om insatser?", asked
    # what the member does within the insats is their own say (6 §)
    for asked in ("Vem bestämmer vad jag ska göra på daglig verksamhet?", "Vem bestämmer hur min assistans ska vara?"):
        assert as_the_texts_ask_it(asked) == "Får jag bestämma över mitt stöd?", asked
    # without a named insats the texts' words already match ("bestämmer om du får stöd"); a fee is another decision
    for asked in ("Vem bestämmer om jag får LSS?", "Vem bestämmer hur mycket jag ska betala för gruppbostad?",
                  "Vem bestämmer om särskild avgift?",
                  # Försäkringskassan's benefit is no insats: it got the nämnd of 22 and 27 §§
                  "Vem beslutar om assistansersättning?", "Måste jag ha assistansersättning?"):
        assert as_the_texts_ask_it(asked) == asked, asked


def test_whether_the_member_has_the_right_to_a_named_insats_is_asked_as_who_has_it():
    # "Har jag rätt till kontaktperson?" got Norberg's sentence on the shortage of kontaktpersoner
    for asked in ("Har jag rätt till kontaktperson?", "Måste kommunen ge mig en kontaktperson?"):
        assert as_the_texts_ask_it(asked) == "Vem har rätt till kontaktperson?", asked
    # LSS itself is asked as it stands (7 §); a condition makes it another question
    for asked in ("Har jag rätt till LSS?", "Har jag rätt till daglig verksamhet om jag är 70?"):
        assert as_the_texts_ask_it(asked) == asked, asked


def test_pay_received_is_asked_as_pay_and_a_complaint_to_ivo_as_who_supervises():
    # "Får man betalt på daglig verksamhet?" got the fee rules (what the member pays, 21 §)
    assert as_the_texts_ask_it("Får man betalt på daglig verksamhet?") == "Får man lön på daglig verksamhet?"
    assert as_the_texts_ask_it("Får jag inte betalt för att gå på daglig verksamhet?") == "Får jag inte lön för att gå på daglig verksamhet?"
    assert as_the_texts_ask_it("Får kontaktpersonen betalt?") == "Får kontaktpersonen lön?"
    for asked in ("Måste jag betala för daglig verksamhet?", "Får kommunen ta betalt för gruppbostad?", "Får kommunen betalt för bostaden?"):
        assert as_the_texts_ask_it(asked) == asked, asked
    # "Hur anmäler jag kommunen till IVO?" got the nämnd's duty to report to IVO (28 f-g §§)
    for asked in ("Hur anmäler jag kommunen till IVO?", "Kan jag anmäla min gruppbostad till IVO?", "Hur gör man en anmälan till IVO?"):
        assert as_the_texts_ask_it(asked) == "Vem har tillsyn över LSS?", asked
    for asked in ("Ska nämnden anmäla beslutet till IVO?", "När ska nämnden göra en anmälan till IVO?"):
        assert as_the_texts_ask_it(asked) == asked, asked


def test_the_first_row_that_applies_wins_and_every_row_is_reached():
    # "Vem kan få daglig verksamhet?" fits the first row only; each row is the first to apply for some question
    assert as_the_texts_ask_it("Vem kan få daglig verksamhet?") == "Vem har rätt till daglig verksamhet?"
    assert as_the_texts_ask_it("Kan jag få LSS?") == "Har jag rätt till LSS?"
    assert as_the_texts_ask_it("Hur får man LSS?") == "Hur söker man LSS?"
    first = {}
    for asked in ("Vem kan få LSS?", "Kan jag få LSS?", "Hur får man LSS?", "Vem omfattas av LSS?", "Vad händer om kommunen säger nej?",
                  "Jag har fått ja men inget händer, vad gör jag?", "Hur ansöker jag om ledsagarservice?",
                  "Har jag rätt till kontaktperson?", "jag vill ha en kontaktperson",
                  "min mamma vill att jag ska bo i gruppbostad men jag vill inte",
                  "Vem kollar att kommunen gör rätt?", "Måste jag gå på daglig verksamhet?",
                  "Vem bestämmer vad jag ska göra på daglig verksamhet?", "Vem beslutar om gruppbostad?",
                  "Får man betalt på daglig verksamhet?", "Hur anmäler jag kommunen till IVO?", "Hur får jag mitt beslut ändrat?",
                  "Kan jag ansöka om LSS för min vuxna son?", "Inom hur lång tid ska ett beslut verkställas?",
                      "Hur länge får jag vänta på kontaktperson?",
                  "Jag har väntat ett år på gruppbostad, vad gör jag?", "Vad gör jag om jag inte får min insats?"):
        first[asked] = next(i for i, rewrite in enumerate(REWRITES) if rewrite.apply(asked) is not None)
    assert sorted(first.values()) == list(range(len(REWRITES)))


def test_applying_for_ones_own_relative_and_the_time_to_carry_out_a_decision_are_asked_in_the_texts_words():
    from assistant.wording import as_the_texts_ask_it

    # "Kan jag ansöka om LSS för min vuxna son?" got "Både barn och vuxna kan få stöd (9 § LSS)"
    for asked in ("Kan jag ansöka om LSS för min vuxna son?", "Kan vi söka insatser åt vår dotter?"):
        assert as_the_texts_ask_it(asked) == "Kan en anhörig ansöka om LSS?", asked
    assert as_the_texts_ask_it("Kan jag ansöka om LSS?") == "Kan jag ansöka om LSS?"
    # "Inom hur lång tid ska ett beslut verkställas?" got 28 g-h §§ on reporting
    for asked in ("Inom hur lång tid ska ett beslut verkställas?", "Hur snabbt måste kommunen verkställa mitt beslut?"):
        assert as_the_texts_ask_it(asked) == "Hur lång tid har kommunen på sig att ge mig min insats?", asked
    # a place would be lost
    asked = "Hur lång tid tar det att verkställa ett beslut i Norberg?"
    assert as_the_texts_ask_it(asked) == asked


def test_waiting_for_an_insats_is_asked_as_a_decision_not_carried_out():
    from assistant.wording import as_the_texts_ask_it

    # they got what a gruppbostad is and Norberg's shortage of kontaktpersoner
    for asked in ("Jag har väntat ett år på gruppbostad, vad gör jag?", "Min son har väntat på kontaktperson i ett halvår"):
        assert as_the_texts_ask_it(asked) == "Vad händer om beslutet inte verkställs?", asked
    for asked in ("Vi har väntat länge på beslutet om assistans", "Hur många väntar på gruppbostad i Mjölby?"):
        assert as_the_texts_ask_it(asked) == asked, asked


def test_a_members_name_for_something_is_followed_by_the_texts_name():
    from assistant.wording import as_the_texts_ask_it

    # "Kan jag få insatser enligt både LSS och SoL?" found nothing on 4 § (the guidance writes
    # "socialtjänstlagen"), and the SoL reporting question got a sentence on another duty
    assert as_the_texts_ask_it("Kan jag få insatser enligt både LSS och SoL?") == \
        "Kan jag få insatser enligt både LSS och SoL (socialtjänstlagen)?"
    assert as_the_texts_ask_it("Hur överklagar jag FK:s beslut?") == "Hur överklagar jag FK:s (Försäkringskassan) beslut?"
    # the full name already there, or given in brackets after the short one, and a word that only starts alike
    for asked in ("Vad säger socialtjänstlagen om SoL-beslut?", "enligt socialtjänstlagen (SoL)",
                  "Vad är solidaritet?", "Vad gör Försäkringskassan (FK)?"):
        assert as_the_texts_ask_it(asked) == asked, asked
    # today's word for the law's "utvecklingsstörning" (1 §): it got 1 §'s "vissa personer med funktionsnedsättning"
    assert as_the_texts_ask_it("Har jag rätt till LSS om jag har en intellektuell funktionsnedsättning?") == \
        "Har jag rätt till LSS om jag har en intellektuell funktionsnedsättning (utvecklingsstörning)?"
    # the everyday name of 9 § 1: "Vad är råd och stöd?" got the opening of 9 §'s list
    assert as_the_texts_ask_it("Vad är råd och stöd?") == "Vad är råd och stöd (rådgivning och annat personligt stöd)?"
    assert as_the_texts_ask_it("Vem ger rådgivning och råd och stöd?") == "Vem ger rådgivning och råd och stöd?"


def test_a_members_question_on_how_long_the_wait_for_an_insats_may_be_asks_the_time_the_kommun_has():
    from assistant.wording import as_the_texts_ask_it

    # "Hur lång tid får det ta innan jag får min insats?" got 28 g-h §§ on reporting
    for asked in ("Hur lång tid får det ta innan jag får min insats?", "Hur länge får jag vänta på kontaktperson?",
                  "Hur lång tid tar det att få en gruppbostad?"):
        assert as_the_texts_ask_it(asked) == "Hur lång tid har kommunen på sig att ge mig min insats?", asked
    # the wait for a decision, a place, or how long one may keep an insats are other questions
    for asked in ("Hur lång tid tar det innan jag får beslut om min assistans?",
                  "Hur lång tid tar det att få kontaktperson i Norberg?", "Hur länge får jag ha korttidsvistelse?"):
        assert as_the_texts_ask_it(asked) == asked, asked


def test_not_getting_ones_own_insats_is_asked_as_a_decision_not_carried_out():
    from assistant.wording import as_the_texts_ask_it

    # "min insats" is one already granted: it got 8 § ("Insatser enligt LSS ges bara om den enskilde själv begär dem")
    for asked in ("Vad gör jag om jag inte får min insats?", "Vad händer om jag inte får min kontaktperson?"):
        assert as_the_texts_ask_it(asked) == "Vad händer om beslutet inte verkställs?", asked
    # no insats of one's own yet, or not asked what to do
    for asked in ("Vad gör jag om jag inte får någon insats?", "Varför får jag inte min insats?"):
        assert as_the_texts_ask_it(asked) == asked, asked
