"""Words that say which intent a message has, in English, Swahili and Sheng alike.

The embedder knows English far better than Swahili or Sheng, and short messages give it little
to go on, so a few word cues that hold across shops and products add to its nearest-example
scores. Each cue is a family of words ("cart", "kikapu", "basket"), never a whole message. A cue
adds `boost` to its intent's score; some cues hold only beside another ("futa" cancels a booking
but removes a cart line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cue:
    intent: str
    pattern: re.Pattern[str]
    boost: float
    needs: re.Pattern[str] | None = None  # the cue counts only when this matches too
    unless: re.Pattern[str] | None = None  # and never when this matches


def _words(alternatives: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


STRONG, MEDIUM, WEAK = 0.06, 0.04, 0.02

_GREETING = (
    r"hi|hello|hey|hiya|yo|niaje|nyaje|mambo|vipi|sasa|poa|sema|habari(?: yako| gani| za \w+)?"
    r"|hujambo|jambo|shikamoo|salama|good (?:morning|afternoon|evening)|morning|msee|boss|bro"
    r"|habari za \w+ \w+"
    r"|buda|manze|wasee|sis|dear|fam|there|guys|uko fiti|uko aje|how are you|sasawa|rafiki"
)
_THANKS = (
    r"thank you|thanks|thx|asante|ahsante|nashukuru|shukrani|shukran|bye|goodbye|kwaheri"
    r"|cheers|appreciate it|baadaye|tutaonana|ubarikiwe|have a (?:good|nice) day|sana|a lot"
    r"|poa|sawa|fiti|ok|okay|boss|msee|that'?s all|great|much|so|for (?:the|your) help"
    r"|kwa msaada|later|see you"
)
_CART = _words(r"cart|kikapu|basket|bag yangu|trolley")
_ADD = _words(
    r"add|weka|\w*ongez\w*|\w*wekee|put (?:it|this|that|them|those|one|two)|i'?ll take"
    r"|nitachukua|nitaichukua|nichukue|nikachukue|nitachukue|chukua|i'?ll get|let me take|take it"
    r"|nichukulie|nipatie|nipe|unipe|get me|nitabuy|nitanunua|one more"
)
# Wanting to buy is adding to the cart only for a thing already picked ("I want to buy the
# Samsung A15", "nataka kununua hii"); "nataka kununua redio" is still a search.
_BUY = _words(r"i want to buy|i'?d like to buy|nataka kununua|ningependa kununua|nataka kubuy")
_PICKED = re.compile(
    r"(?<![a-z0-9])(?:hii|hiyo|hizo|ile|zile|it|this one|that one|these|those|the \w+ one"
    r"|number|namba|ya (?:kwanza|pili|tatu|mwisho)|the (?:first|second|third|last))(?![a-z0-9])"
    r"|(?<![a-z0-9])(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{2,}(?![a-z0-9])"
)
_REMOVE = _words(
    r"remove|toa|ondoa|iondoe|niondolee|delete|futa|punguza|clear|take (?:\w+ )*?(?:out|off)"
    r"|sitaki tena|sidai tena|don'?t want|no longer want|drop"
)
_VIEW = _words(
    r"show|see|ona|view|what'?s in|nionyeshe|kina nini|iko na nini|total|jumla|so far"
    r"|mpaka sasa|nimeongeza|nimeweka|nimechagua|added|what did i|nilivyoweka|nilichoweka|kuona"
    r"|summary"
)
_BOOKING = _words(
    r"appointment|appointments|booking|book|booked|miadi|nafasi|slot|reservation|reserve"
    r"|schedule|nibook|kubook"
)
# The services a booking is for: "push my haircut" moves a booking without saying "booking".
_SERVICE = _words(
    r"appointment|appointments|booking|book|booked|miadi|nafasi|slot|reservation|haircut"
    r"|kinyozi|kunyolewa|kunyoa|braids|kusuka|kusukwa|rasta|manicure|pedicure|massage|facial"
    r"|salon|saluni|nails|kucha|treatment|session|visit"
)
_CANCEL = _words(
    r"cancel|\w*ghairi\w*|\w*fut[ae]\w*|call off|drop|ondoa|no longer|sitakuja|won'?t be coming"
    r"|sidai tena|sitaki tena|sitakam"
)
_MOVE = _words(
    r"move|reschedule|change|shift|push|postpone|\w*badilish\w*|\w*sogez\w*|\w*hamish\w*"
    r"|\w*ahirish\w*|instead|kuchange|another (?:day|time)"
)
_REPAIR = _words(
    r"repair|fix|rekebisha|kurekebisha|kuirekebisha|tengeneza|kutengeneza|mnatengeneza"
    r"|mnarepair|won'?t (?:turn on|charge|start)|not (?:working|cooling|charging)|haichaji"
    r"|haiwaki|haifanyi kazi|imekufa|imeharibika|imevunjika|cracked|broken|install|mount"
    r"|replaced?|do you (?:service|repair|fix)|servicing|mnaifix|\w*fix"
)
_BOUGHT = _words(
    r"niliyonunua|nilinunua|i bought|you sold|mliniuzia|mmeniletea|wrong item|charged twice"
    r"|mara mbili|refund|rude|worst|disappointed|sijaridhika|mbaya|fake|lying|damaged"
    r"|not happy|mmenichezea|ujinga|scam|cheated|nimekatwa|after (?:one|two|a) (?:day|week)s?"
    r"|nimeletewa|nililetewa|mliniletea|mbovu|you delivered|mmeniuzia|mliniuzia|don'?t work"
    r"|not original|si original|nobody|no one (?:answers|replies)|hakuna anayejibu"
    r"|tofauti na (?:niliyo|nilicho|nilivyo)\w*|not what i ordered|different from what"
    r"|unacceptable|mmenitapeli|tapeli|(?:came|arrived|delivered|got here) (?:\w+ )?(?:broken"
    r"|damaged|cracked|wrong|open|used)|imefika (?:\w+ )?(?:imevunjika|imeharibika|mbovu)"
)
_ORDER = _words(
    r"my order|order yangu|oda yangu|oda|mzigo|parcel|package|my delivery|delivery yangu|track"
    r"|rider|itafika|haijafika|sijapokea|shipped|on the way|imetoka|imefika|received|agizo"
    r"|niliyoagiza|nimeagiza|nimeorder|ordered"
)
_POLICY = _words(
    r"deliver to|mnaleta|delivery (?:fee|charges?|cost)|how long does"
    r"|return policy|returns?|kurudisha|refund policy|exchange|warranty|dhamana|opening hours"
    r"|open|close|mnafungua|mnafunga|located|location|liko wapi|shop yenu|duka lenu|branch"
    r"|mko wapi|mnapatikana wapi|shop iko|duka liko|where are you|how much is (?:the )?delivery"
    r"|delivery (?:ni|is)|free delivery|delivery ya bure"
    r"|physical shop|pay by|pay with card|accept|mnakubali|mnapokea|cash on delivery"
    r"|usafirishaji|mnafanya kazi|policy|\w*exchange|kubadilisha bidhaa"
    r"|\w*deliver(?! (?:my|it|them|yangu|hiyo|mzigo|the order))"
    r"|badilisha bidhaa|public holidays?"
)
_PAY = _words(
    r"check ?out|ku-?checkout|nilipe|kulipa|kulipia|ku-?pay|pay now|payment link|till"
    r"|proceed|place (?:the |my )?order|complete (?:my )?(?:order|purchase)|confirm (?:my )?order"
    r"|thibitisha|malipo|ready to pay|let me pay|nitume doh|kukamilisha"
)
_HANDOFF = _words(
    r"human|real person|agent|customer (?:care|service)|mhudumu|binadamu|meneja|manager|staff"
    r"|(?:ongea|kuongea|niongee|zungumza|kuzungumza|bonga|kubonga|talk|speak)"
    r" (?:na|to|with) (?:a |the |your )?(?:mtu|msee|mse|someone|somebody|person|manager)"
    r"|si bot|not a bot|the bot|bot imeniboo|nipigie|call me|mtu halisi|niunganishe|connect me"
    r"|mtu wa ukweli|msaada wa mtu|robot|real human"
)
_PRICE = _words(
    r"how much|price|prices|bei|cost|costs|gharama|pesa ngapi|doh ngapi|bob ngapi|thao ngapi"
    r"|inauzwa|what do you charge|mnacharge|ni ngapi|inaenda ngapi|iko ngapi|inagharimu"
    r"|inaenda aje|inauzwa aje|ni how much|bei gani|ni bei gani|pesa gani|ni pesa ngapi"
)
# "bei poa", "bei rahisi": a cheap one wanted, not a price asked.
_CHEAP = _words(r"bei (?:poa|rahisi|nafuu|chini|ya chini|chipu|ndogo)")
# "una laptop ngapi?", "mna simu ngapi?": which ones are there, not what one costs.
_HOW_MANY = re.compile(r"(?<![a-z])(?:una|mna|mko na)\s+(?:\w+\s+){1,3}ngapi(?![a-z])")
# A stated budget: the customer is choosing, not yet buying ("nina elfu thelathini, nipatie
# laptop nzuri").
_BUDGET = _words(
    r"budget|bajeti|nina (?:shilingi|pesa|elfu|\d)|niko na|nko na|under|below|chini ya"
    r"|isizidi|\d+\s?k|\w+ thao|elfu \w+|within"
)
_TOTAL = _words(r"my total|total yangu|the total|jumla|total ni|total ya|total so far")
_STOCK = _words(
    r"in stock|stock|available|availability|iko(?! na)|ipo|zipo|vipo|ziko(?! na)|inapatikana"
    r"|still have"
    r"|sold out|out of stock|imeisha|zimeisha|left|zilizobaki|bado mna|back in"
)
_SEARCH = _words(
    r"mnauza|unauza|do you sell|sell|do you have|have you got|got any|mna|mko na|natafuta"
    r"|ninatafuta|looking for|show me"
    r"|nionyeshe|recommend|any|kuna|nadai|need|nahitaji|ninahitaji|i want|nataka"
)
_COMPARE = _words(
    r"better|bora|compare|difference|tofauti|which one|vs|versus|ama|or the|kati ya|between"
    r"|zaidi"
)
_DETAILS = _words(
    r"specs?|specifications|ram|storage|battery|betri|camera|kamera|colou?rs?|rangi|screen"
    r"|skrini|5g|waterproof|processor|does it|ina|inakuja|inashika|litres|size|tell me more"
    r"|nieleze|new or|mpya au|features|supports?|nfc|bluetooth|dual sim|fast charging|weight"
)
# Asking to hear more about an item: its details, not the cart.
_MORE = _words(
    r"tell me more|more about|more details|more info|details (?:of|about|za|ya)|maelezo(?: zaidi)?"
    r"|nieleze(?: zaidi)?|niambie zaidi|zaidi kuhusu|how is it|iko aje hiyo"
)
# A question about a feature: "how much RAM", "memory ngapi", "how heavy", "iko na touchscreen".
_SPEC = re.compile(
    r"(?<![a-z])(?:(?:how much|how many) (?:ram|storage|memory|gb|watts|mah|megapixels?|litres)"
    r"|(?:ram|storage|memory|gb|mah|megapixels?|watts|litres|inchi|inches) (?:ya )?(?:ngapi|gani)"
    r"|how (?:heavy|big|loud|fast|long does the battery)|(?:iko|ina|has it got|does \w+(?: \w+)*"
    r" have) (?:na )?(?:a |an )?(?:ram|storage|memory|touchscreen|touch screen|bluetooth|wifi"
    r"|nfc|netflix|youtube|5g|sim|camera|kamera|ssd|backlit|warranty|speaker|remote))(?![a-z])"
)


def _only(alternatives: str) -> re.Pattern[str]:
    """The message is nothing but these words and punctuation."""
    return re.compile(rf"^(?:[\s,.!?]*(?:{alternatives}))+[\s,.!?]*$")


CUES: tuple[Cue, ...] = (
    Cue("greeting", _only(_GREETING), 0.10),
    Cue("thanks", _only(_THANKS), 0.10, unless=_only(_GREETING)),
    Cue("handoff", _HANDOFF, 0.08),
    Cue("add_to_cart", _ADD, STRONG, needs=_CART, unless=_REMOVE),
    Cue("remove_from_cart", _REMOVE, STRONG, needs=_CART),
    Cue("view_cart", _VIEW, STRONG, needs=_CART, unless=_ADD),
    Cue("add_to_cart", _ADD, MEDIUM, unless=re.compile(f"{_BOOKING.pattern}|{_BUDGET.pattern}")),
    Cue("add_to_cart", _BUY, MEDIUM, needs=_PICKED, unless=_BUDGET),
    Cue("product_search", _BUDGET, MEDIUM, unless=_CART),
    Cue("remove_from_cart", _REMOVE, MEDIUM, unless=_BOOKING),
    Cue("view_cart", _TOTAL, STRONG),
    Cue("cancel_booking", _CANCEL, STRONG, needs=_SERVICE),
    Cue("reschedule_booking", _MOVE, STRONG, needs=_SERVICE),
    Cue("book_service", _BOOKING, MEDIUM, unless=re.compile(f"{_CANCEL.pattern}|{_MOVE.pattern}")),
    Cue("book_service", _REPAIR, MEDIUM, unless=_BOUGHT),
    Cue("complaint", _BOUGHT, STRONG, unless=_words("policy")),
    Cue("product_details", _SPEC, STRONG),
    Cue("product_details", _MORE, STRONG, unless=_CART),
    Cue(
        "order_status",
        _ORDER,
        MEDIUM,
        unless=re.compile(f"{_POLICY.pattern}|{_BOUGHT.pattern}|{_PAY.pattern}"),
    ),
    Cue("faq", _POLICY, STRONG),
    Cue("checkout", _PAY, STRONG, unless=_POLICY),
    Cue(
        "price_inquiry",
        _PRICE,
        MEDIUM,
        unless=re.compile(
            f"{_CART.pattern}|{_CHEAP.pattern}|{_HOW_MANY.pattern}|{_POLICY.pattern}"
            f"|{_TOTAL.pattern}|{_SPEC.pattern}"
        ),
    ),
    Cue("product_search", _HOW_MANY, MEDIUM),
    Cue("product_search", _CHEAP, MEDIUM),
    Cue("stock_check", _STOCK, MEDIUM, unless=re.compile(f"{_POLICY.pattern}|{_SPEC.pattern}")),
    Cue("product_search", _SEARCH, WEAK),
    Cue("compare", _COMPARE, MEDIUM),
    Cue("product_details", _DETAILS, WEAK),
)


def cue_boosts(text: str) -> dict[str, float]:
    """Each intent's boost from the cues `text` (lowercased, see `words.normalise`) carries."""
    boosts: dict[str, float] = {}
    for cue in CUES:
        if cue.needs is not None and not cue.needs.search(text):
            continue
        if cue.unless is not None and cue.unless.search(text):
            continue
        if cue.pattern.search(text):
            boosts[cue.intent] = boosts.get(cue.intent, 0.0) + cue.boost
    return boosts
