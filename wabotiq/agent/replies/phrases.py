"""Everything the offline agent says, in English, Swahili and Sheng-flavoured Swahili.

One table, keyed by what is being said, so a reply's wording is never spread through the logic
and a new language is one more column. Placeholders are filled with `str.format`.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "sw", "sheng")

PHRASES: dict[str, tuple[str, str, str]] = {
    "greeting": (
        "Hi{name}! Welcome to {shop}. What can I help you find today?",
        "Habari{name}! Karibu {shop}. Nikusaidie na nini leo?",
        "Niaje{name}! Karibu {shop}. Unatafuta nini leo?",
    ),
    "found": ("Here is what we have:", "Hizi ndizo tulizo nazo:", "Hizi ndo tuko nazo:"),
    "found_budget": (
        "The best matches for about {budget}:",
        "Zinazofaa bajeti ya takriban {budget}:",
        "Hizi ndo poa kwa budget ya {budget}:",
    ),
    "found_services": ("We offer:", "Huduma zetu:", "Hizi ndo services zetu:"),
    "pick_item": (
        "Reply with a number to add it to your cart or to hear more.",
        "Jibu na namba ili niiongeze kwenye kikapu au nikueleze zaidi.",
        "Nitumie namba nikuongezee kwa cart ama nikupe details.",
    ),
    "no_match": (
        "Sorry, we don't have {what} right now. Can I help you with something else?",
        "Samahani, hatuna {what} kwa sasa. Nikusaidie na kitu kingine?",
        "Sorry, hatuna {what} saa hii. Nikusaidie na kitu ingine?",
    ),
    "no_match_plain": (
        "Sorry, I couldn't find that in our shop. Could you describe it another way?",
        "Samahani, sijakipata hicho dukani kwetu. Unaweza kukieleza kwa njia nyingine?",
        "Sorry, sijapata hiyo kwa duka. Unaweza ieleza tofauti?",
    ),
    "in_stock": (
        "Yes, {name} is in stock ({count} available) at {price}.",
        "Ndiyo, {name} ipo ({count} zinapatikana) kwa {price}.",
        "Iko! {name} ziko {count} kwa {price}.",
    ),
    "out_of_stock": (
        "Sorry, {name} is out of stock right now.",
        "Samahani, {name} imeisha kwa sasa.",
        "Sorry, {name} imeisha saa hii.",
    ),
    "alternatives": (
        "Similar items we have in stock:",
        "Bidhaa zinazofanana zilizopo:",
        "Hizi zinafanana na ziko:",
    ),
    "price": ("{name} costs {price}.", "{name} ni {price}.", "{name} ni {price}."),
    "service_price": (
        "{name} costs {price} and takes about {minutes} minutes.",
        "{name} ni {price}, na huchukua takriban dakika {minutes}.",
        "{name} ni {price}, inachukua kama dakika {minutes}.",
    ),
    "compare": (
        "Here's how they compare:",
        "Hivi ndivyo zinavyolinganishwa:",
        "Hivi ndo zinacompare:",
    ),  # fmt: skip
    "added": (
        "Added {quantity} × {name} to your cart.",
        "Nimeongeza {quantity} × {name} kwenye kikapu chako.",
        "Nimeongeza {quantity} × {name} kwa cart yako.",
    ),
    "cart_total": (
        'Cart total: {total}. Say "checkout" when you\'re ready.',
        'Jumla ya kikapu: {total}. Sema "checkout" ukiwa tayari.',
        'Total ya cart: {total}. Sema "checkout" ukiwa ready.',
    ),
    "cart": ("Your cart:", "Kikapu chako:", "Cart yako:"),
    "cart_empty": (
        "Your cart is empty. What would you like to buy?",
        "Kikapu chako hakina kitu. Ungependa kununua nini?",
        "Cart yako iko empty. Unataka kununua nini?",
    ),
    "removed": (
        "Removed {name} from your cart.",
        "Nimeondoa {name} kwenye kikapu.",
        "Nimetoa {name} kwa cart.",
    ),  # fmt: skip
    "which_item": (
        "Which one? Reply with its number from the list.",
        "Ipi? Jibu na namba yake kwenye orodha.",
        "Ipi? Nitumie namba yake kwa list.",
    ),
    "what_to_add": (
        "Which item should I add? Tell me its name, or search first and reply with a number.",
        "Niongeze bidhaa gani? Niambie jina lake, au tafuta kwanza kisha ujibu na namba.",
        "Niongeze item gani? Niambie jina ama tafuta kwanza then unitumie namba.",
    ),
    "choose_variant": (
        "{name} comes in these options — which one?",
        "{name} inapatikana kwa aina hizi — ipi?",
        "{name} iko na hizi options — ipi?",
    ),
    "cannot_add": (
        "Sorry, I couldn't add {name}: {reason}",
        "Samahani, sikuweza kuongeza {name}: {reason}",
        "Sorry, sijaweza kuongeza {name}: {reason}",
    ),
    "order_placed": (
        "Order {number} is placed. Total: {total}.",
        "Oda {number} imewekwa. Jumla: {total}.",
        "Order {number} imeingia. Total: {total}.",
    ),
    "pay_with": (
        "To pay: {instructions}\nUse {reference} as the reference. We'll confirm here once "
        "it's in.",
        "Kulipa: {instructions}\nTumia {reference} kama kumbukumbu. Tutathibitisha hapa tukipokea.",
        "Kulipa: {instructions}\nTumia {reference} kama reference. Tutakuconfirm hapa tukipata.",
    ),
    "pay_link": (
        "Pay here: {url}\nWe'll confirm here once it's in.",
        "Lipa hapa: {url}\nTutathibitisha hapa tukipokea.",
        "Lipa hapa: {url}\nTutakuconfirm hapa tukipata.",
    ),
    "pay_person": (
        "A member of our team will send you the payment details here shortly.",
        "Mmoja wa timu yetu atakutumia maelezo ya malipo hapa hivi punde.",
        "Mtu wa team atakutumia details za kulipa hapa saa hii.",
    ),
    "booked": (
        "Booked: {service} on {when} with {staff}. Price: {price}. See you then!",
        "Umewekewa nafasi: {service}, {when}, na {staff}. Bei: {price}. Karibu!",
        "Umebookiwa: {service}, {when}, na {staff}. Bei: {price}. Tukuone!",
    ),
    "slot_unavailable": (
        "Sorry, {when} is not available. Free times nearby:",
        "Samahani, {when} haipatikani. Nafasi zilizo wazi karibu na hapo:",
        "Sorry, {when} imeshikwa. Nafasi ziko karibu na hapo:",
    ),
    "when_to_come": (
        "{service} costs {price} (about {minutes} min). When would you like to come? Free times:",
        "{service} ni {price} (takriban dakika {minutes}). Ungependa kuja lini? "
        "Nafasi zilizo wazi:",
        "{service} ni {price} (kama dakika {minutes}). Ungependa kuja lini? Nafasi ziko:",
    ),
    "pick_slot": (
        "Reply with a number to book, or tell me another day and time.",
        "Jibu na namba ili nikuwekee nafasi, au niambie siku na saa nyingine.",
        "Nitumie namba nikubook, ama niambie siku na saa ingine.",
    ),
    "no_slots": (
        "{service} costs {price}. I can't see a free time to book online, so a member of our "
        "team will arrange one with you here shortly.",
        "{service} ni {price}. Sioni nafasi iliyo wazi ya kuweka mtandaoni, kwa hivyo mmoja wa "
        "timu yetu atapanga muda nawe hapa hivi punde.",
        "{service} ni {price}. Sioni nafasi iko wazi, so mtu wa team atapanga time na wewe hapa "
        "saa hii.",
    ),
    "which_service": (
        "Which service would you like to book?",
        "Ungependa kuweka nafasi ya huduma gani?",
        "Unataka kubook service gani?",
    ),
    "no_appointment": (
        "You have no upcoming appointment with us.",
        "Huna miadi ijayo nasi.",
        "Huna booking yoyote inakuja.",
    ),
    "cancelled": (
        "Cancelled: {service} on {when}. Would you like another time?",
        "Imeghairiwa: {service}, {when}. Ungependa muda mwingine?",
        "Nimecancel: {service}, {when}. Unataka time ingine?",
    ),
    "rescheduled": (
        "Done — {service} is now on {when} with {staff}.",
        "Tayari — {service} sasa ni {when} na {staff}.",
        "Sawa — {service} sasa ni {when} na {staff}.",
    ),
    "reschedule_when": (
        "When would you like to move {service} ({when}) to?",
        "Ungependa kuhamisha {service} ({when}) hadi lini?",
        "Unataka kushift {service} ({when}) to lini?",
    ),
    "orders": ("Your latest orders:", "Oda zako za hivi karibuni:", "Order zako za juzi:"),
    "no_orders": (
        "I can't find any orders for you yet.",
        "Sijapata oda zozote zako bado.",
        "Sijaona order zako bado.",
    ),
    "handoff": (
        "Sure — I'm passing you to a member of our team. They'll reply here shortly.",
        "Sawa — nakuunganisha na mmoja wa timu yetu. Atakujibu hapa hivi punde.",
        "Sawa — nakuconnect na mtu wa team yetu. Atakujibu hapa saa hii.",
    ),
    "complaint": (
        "I'm sorry about that. A member of our team will take this up with you here shortly.",
        "Samahani sana kwa hilo. Mmoja wa timu yetu atalishughulikia nawe hapa hivi punde.",
        "Pole sana kwa hiyo. Mtu wa team yetu atadeal na hii na wewe hapa saa hii.",
    ),
    "stuck": (
        "Sorry, I'm not getting it — let me pass you to a member of our team. They'll reply "
        "here shortly.",
        "Samahani, sijaelewa — nakuunganisha na mmoja wa timu yetu. Atakujibu hapa hivi punde.",
        "Sorry, sijakuelewa — nakuconnect na mtu wa team. Atakujibu hapa saa hii.",
    ),
    "faq_person": (
        "Good question — let me get a member of our team to answer it. They'll reply here shortly.",
        "Swali zuri — nitamwomba mmoja wa timu yetu akujibu. Atakujibu hapa hivi punde.",
        "Swali poa — nitaitisha mtu wa team akujibu. Atakujibu hapa saa hii.",
    ),
    "thanks": (
        "You're welcome! Anything else I can help with?",
        "Karibu sana! Kuna kingine nikusaidie?",
        "Karibu! Kuna kitu ingine nikusaidie?",
    ),
    "not_understood": (
        "Sorry, I didn't get that. You can ask me about products and prices, your cart and "
        "orders, or booking a service.",
        "Samahani, sijaelewa. Unaweza kuniuliza kuhusu bidhaa na bei, kikapu na oda zako, au "
        "kuweka nafasi ya huduma.",
        "Sorry, sijakuelewa. Niulize kuhusu bidhaa na bei, cart na order zako, ama kubook service.",
    ),
    "hours": ("Our opening hours:", "Saa zetu za kazi:", "Tuko open hizi saa:"),
    "hours_day": (
        "On {day} we're open {range}.",
        "{day} tuko wazi {range}.",
        "{day} tuko open {range}.",
    ),  # fmt: skip
    "closed_day": ("We're closed on {day}.", "{day} tumefunga.", "{day} tuko closed."),
    "closed": ("closed", "tumefunga", "closed"),
    "from_source": ("From our {source}:", "Kutoka kwa {source} yetu:", "Kwa {source} yetu:"),
    "stock_count": ("{count} in stock", "{count} zipo", "{count} ziko"),
    "sold_out": ("out of stock", "imeisha", "imeisha"),
    "minutes": ("{minutes} min", "dakika {minutes}", "dakika {minutes}"),
}

ORDER_STATUS: dict[str, tuple[str, str, str]] = {
    "pending_payment": ("awaiting payment", "inasubiri malipo", "inangoja malipo"),
    "paid": ("paid", "imelipwa", "imelipwa"),
    "processing": ("being prepared", "inaandaliwa", "inapangwa"),
    "shipped": ("on its way", "iko njiani", "iko njiani"),
    "delivered": ("delivered", "imefikishwa", "imefika"),
    "cancelled": ("cancelled", "imeghairiwa", "imecancel"),
    "refunded": ("refunded", "pesa imerudishwa", "pesa imerudishwa"),
}

DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "sw": ("Jumatatu", "Jumanne", "Jumatano", "Alhamisi", "Ijumaa", "Jumamosi", "Jumapili"),
}


def column(language: str) -> int:
    return LANGUAGES.index(language) if language in LANGUAGES else 0


def say(key: str, language: str, **values: Any) -> str:
    return PHRASES[key][column(language)].format(**values)


def order_status(status: str, language: str) -> str:
    return ORDER_STATUS.get(status, (status, status, status))[column(language)]


def day_name(weekday: int, language: str) -> str:
    """Monday is 0."""
    return DAYS["en" if language == "en" else "sw"][weekday]
