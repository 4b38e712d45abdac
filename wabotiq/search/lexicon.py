"""Swahili, Sheng and English shopping words, mapped to the words catalogs are written in.

Catalogs are written in English ("feature phone", "gas cylinder", "sneakers"); customers write
"mulika mwizi", "mtungi wa gas", "rubbers". Full-text search cannot bridge that gap and vectors
only partly do, so each phrase here adds catalog words to the query and may point at a category.
The data is general shopping vocabulary, not one shop's SKUs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9]+")

# What a phrase can say about the category: a device or item (1) yields to an accessory, part
# or service for it (2: "cover ya simu" is a cover), which yields to a repair (3).
ITEM, ADDON, REPAIR = 1, 2, 3


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens, split the way both search backends split catalog text."""
    return _TOKEN.findall(text.lower())


# A number with a unit of size written together ("13kg", "200l", "128gb") means the number.
_SIZED = re.compile(r"(\d+)(?:kg|l|ltr|ml|gb|tb|mb|mah|w|hz|mp|mm|cm|inch|in|v)")


def exact_forms(tokens: Iterable[str]) -> frozenset[str]:
    """Model numbers and sizes among `tokens`, in one spelling for query and catalog alike:
    "13kg" and "13 kg" are both "13", "a54" stays "a54", "4k" stays "4k"."""
    forms = set()
    for token in tokens:
        if any(char.isdigit() for char in token):
            sized = _SIZED.fullmatch(token)
            forms.add(sized[1] if sized else token)
    return frozenset(forms)


@dataclass(frozen=True, slots=True)
class Sense:
    """What a phrase means: catalog words to add, and the category it points to, if any."""

    adds: tuple[str, ...]
    category: str | None = None
    rank: int = 0
    service: bool = False  # a treatment or a repair: something done, not something sold


# Category slug -> {phrase: catalog words it adds}. Phrases are matched longest first.
_ITEMS: dict[str, dict[str, str]] = {
    "phones": {
        "simu": "phone",
        "simu ya mkono": "phone",
        "rununu": "phone",
        "phone": "",
        "fon": "phone",
        "foni": "phone",
        "cellphone": "phone",
        "mobile": "phone",
        "mobile phone": "phone",
        "handset": "phone",
        "smartphone": "phone",
        "simu janja": "smartphone phone",
        "simu ya kugusa": "smartphone phone",
        "touch phone": "smartphone",
        "mulika mwizi": "feature phone basic nokia",
        "kabambe": "feature phone basic",
        "kitochi": "feature phone basic",
        "simu ya tochi": "feature phone basic",
        "simu ya kubonyeza": "feature phone basic buttons",
        "simu ya wazee": "feature phone big buttons elderly",
        "kiswaswadu": "feature phone basic",
        "button phone": "feature phone basic",
        "basic phone": "feature phone",
        "feature phone": "",
        "flip phone": "flip",
        "iphone": "",
        "iphon": "iphone",
        "iphne": "iphone",
        "ifone": "iphone",
        "aifon": "iphone",
        "ayfon": "iphone",
    },
    "laptops": {
        "laptop": "",
        "laptp": "laptop",
        "leptop": "laptop",
        "laptob": "laptop",
        "lapi": "laptop",
        "lap": "laptop",
        "lappy": "laptop",
        "kompyuta": "computer laptop",
        "kompyuta ndogo": "laptop",
        "kompyuta mpakato": "laptop",
        "kipakatalishi": "laptop",
        "tarakilishi": "computer",
        "computer": "laptop",
        "pc": "computer laptop",
        "notebook": "laptop",
        "ultrabook": "laptop",
        "macbook": "laptop apple",
        "chromebook": "laptop",
        "thinkpad": "laptop lenovo",
    },
    "tablets": {
        "tablet": "",
        "tab": "tablet",
        "kishikwambi": "tablet",
        "ipad": "tablet apple",
    },
    "tvs": {
        "tv": "television",
        "tivi": "tv television",
        "runinga": "tv television",
        "televisheni": "tv television",
        "television": "tv",
        "telly": "tv television",
        "smart tv": "television",
        "flat screen": "tv television",
        "flatscreen": "tv television",
    },
    "audio": {
        "speaker": "",
        "spika": "speaker",
        "subwoofer": "woofer home theatre",
        "woofer": "subwoofer home theatre",
        "home theatre": "subwoofer",
        "home theater": "theatre subwoofer",
        "soundbar": "",
        "sound bar": "soundbar",
    },
    "gaming": {
        "ps5": "playstation console",
        "ps4": "playstation console",
        "playstation": "console",
        "play station": "playstation console",
        "xbox": "console",
        "nintendo": "console",
        "console": "gaming",
        "konsoli": "console gaming",
    },
    "home-appliances": {
        "fridge": "refrigerator",
        "friji": "fridge refrigerator",
        "frij": "fridge refrigerator",
        "jokofu": "fridge refrigerator",
        "refrigerator": "fridge",
        "freezer": "",
        "friza": "freezer",
        "blender": "",
        "blenda": "blender",
        "kettle": "",
        "birika": "kettle",
        "birika la umeme": "electric kettle",
        "iron": "",
        "pasi": "iron",
        "iron box": "iron",
        "microwave": "",
        "maikrowevu": "microwave",
        "jiko": "cooker",
        "jiko la gas": "gas cooker",
        "jiko la gesi": "gas cooker",
        "jiko la umeme": "electric cooker hot plate",
        "cooker": "",
        "hot plate": "cooker electric",
        "hotplate": "hot plate cooker",
        "mtungi": "gas cylinder",
        "mtungi wa gas": "gas cylinder lpg",
        "mtungi wa gesi": "gas cylinder lpg",
        "gas cylinder": "lpg",
        "gas": "",
        "gesi": "gas",
        "cylinder": "gas",
        "rice cooker": "",
        "toaster": "bread",
        "air fryer": "",
        "airfryer": "air fryer",
        "juicer": "juice",
        "blender ya juice": "juicer",
        "pressure cooker": "",
        "water dispenser": "",
        "dispenser": "water",
        "feni": "fan",
        "pangaboi": "fan",
        "washing machine": "laundry",
        "mashine ya kufua": "washing machine laundry",
        "mashine ya kufulia": "washing machine laundry",
        "vacuum": "cleaner",
        "solar": "",
        "sola": "solar",
        "taa ya solar": "solar lantern lighting",
        "taa": "light lighting lantern",
        "lantern": "solar lighting",
    },
    "fashion": {
        "rubbers": "sneakers shoes",
        "rubber": "sneakers shoes",
        "raba": "sneakers shoes",
        "rabas": "sneakers shoes",
        "njumu": "shoes sneakers",
        "sneakers": "shoes",
        "viatu": "shoes",
        "kiatu": "shoes",
        "viatu vya shule": "school shoes",
        "shoes": "",
        "shoe": "shoes",
        "buti": "boots shoes",
        "boots": "shoes",
        "jezi": "jersey",
        "jersey": "",
        "jerseys": "jersey",
        "t shirt": "",
        "tshirt": "t shirt",
        "fulana": "t shirt",
        "tishati": "t shirt",
    },
    "beauty": {
        "lotion": "skin care",
        "losheni": "lotion",
        "mafuta ya ngozi": "lotion skin care",
        "perfume": "fragrance",
        "pafyumu": "perfume fragrance",
        "manukato": "perfume fragrance",
        "marashi": "perfume fragrance",
    },
}

_ADDONS: dict[str, dict[str, str]] = {
    "accessories": {
        "cover": "case",
        "kava": "cover case",
        "case": "cover",
        "back cover": "case",
        "screen protector": "glass",
        "protector": "screen protector glass",
        "tempered glass": "screen protector",
        "charger": "",
        "chaja": "charger",
        "adapter": "charger",
        "kichwa cha charger": "charger adapter",
        "cable": "",
        "waya": "cable",
        "waya ya charger": "cable charging",
        "power bank": "battery",
        "powerbank": "power bank",
        "power bank kubwa": "battery large 20000mah",
        "memory card": "microsd",
        "memori kadi": "memory card microsd",
        "kadi ya memory": "memory card microsd",
        "sd card": "microsd memory card",
        "microsd": "memory card",
        "smartwatch": "watch",
        "smart watch": "smartwatch",
        "watch": "smartwatch",
        "saa": "watch smartwatch",
        "saa ya mkono": "watch smartwatch",
        "fitness band": "tracker",
        "tripod": "stand",
        "ring light": "selfie",
        "car holder": "phone holder",
    },
    "computer-accessories": {
        "mouse": "",
        "maus": "mouse",
        "keyboard": "",
        "kibodi": "keyboard",
        "laptop bag": "backpack",
        "backpack": "bag",
        "begi": "bag backpack",
        "bag": "backpack",
        "mkoba": "bag backpack",
        "flash": "flash disk usb",
        "flash disk": "usb",
        "flashdisk": "flash disk usb",
        "flash drive": "disk usb",
        "hard disk": "external hdd storage",
        "external": "hard disk",
        "hdd": "hard disk",
        "monitor": "screen display",
        "router": "wifi internet",
        "wifi": "router internet",
        "wi fi": "wifi router internet",
        "modem": "router 4g internet",
        "mifi": "router 4g internet",
        "printer": "",
        "printa": "printer",
        "webcam": "camera",
        "cooling pad": "cooler",
        "hub": "usb",
        "hdmi": "cable",
    },
    "audio": {
        "earphones": "earbuds headphones",
        "earphone": "earphones earbuds headphones",
        "earfones": "earphones earbuds headphones",
        "earbuds": "earphones",
        "buds": "earbuds",
        "earpods": "earbuds",
        "airpods": "earbuds",
        "headphones": "earphones",
        "headphone": "headphones",
        "headset": "headphones",
        "vipokea sauti": "headphones earphones",
    },
    "tvs": {
        "bracket": "wall mount",
        "wall mount": "bracket",
        "stand ya tv": "bracket wall mount",
    },
    "gaming": {
        "controller": "pad",
        "pad": "controller",
        "game": "gaming",
        "gemu": "game gaming",
        "michezo ya video": "game gaming",
        "fifa": "fc24 game",
    },
    "beauty": {
        "hair dryer": "",
        "blow dryer": "hair dryer",
        "dryer": "hair",
        "clipper": "shaver",
        "shaver": "clipper",
        "mashine ya kunyoa": "clipper shaver",
        "straightener": "hair",
        "flat iron": "straightener",
    },
}

# Things made for another item (a cover for a phone, a bracket for a TV), named in a title by one
# of these words: "Samsung A15 Back Cover" answers "A15" only when a cover is asked for.
_FOR_ITEMS = ("accessories", "computer-accessories", "tvs", "gaming")
ADDON_WORDS = frozenset(
    [
        phrase
        for category in _FOR_ITEMS
        for phrase in _ADDONS[category]
        if " " not in phrase and phrase not in ("game", "gemu", "fifa", "external")
    ]
    + ["glass", "holder", "bank", "stand"]
)

# Treatments done to the customer (services, not goods), by the category they are sold under.
_TREATMENTS: dict[str, dict[str, str]] = {
    "hair": {
        "kinyozi": "haircut barber",
        "barber": "haircut kinyozi",
        "barbershop": "haircut kinyozi",
        "haircut": "kinyozi",
        "kunyoa": "shave haircut",
        "kunyolewa": "shave haircut",
        "kunyoa nywele": "haircut hair",
        "shave": "",
        "ndevu": "beard",
        "beard": "",
        "kusuka": "braids",
        "kusukwa": "braids kusuka",
        "kusuka nywele": "braids hair",
        "msuko": "braids kusuka",
        "misuko": "braids kusuka",
        "braids": "kusuka",
        "box braids": "",
        "plaiting": "braids",
        "cornrows": "braids",
        "rasta": "dreadlocks locs",
        "dreadlocks": "locs",
        "dreads": "dreadlocks locs",
        "locs": "dreadlocks",
        "weave": "",
        "weavu": "weave",
        "wig": "",
        "wigi": "wig",
        "kuosha nywele": "wash blow dry",
        "mistari": "cornrows lines braids",
        "trim": "beard trim haircut",
        "line up": "beard haircut",
        "fade": "haircut kinyozi",
        "twists": "braids",
        "salon": "hair",
        "saluni": "salon hair",
    },
    "nails": {
        "kucha": "nails manicure",
        "kucha za miguu": "pedicure nails",
        "manicure": "nails",
        "pedicure": "nails feet",
        "nails": "",
        "acrylic": "nails",
        "mani": "manicure nails",
        "pedi": "pedicure nails",
        "gel": "manicure nails polish",
    },
    "spa": {
        "massage": "spa",
        "masaji": "massage spa",
        "kukandwa": "massage spa",
        "facial": "spa",
        "kusafisha uso": "facial spa",
        "spa": "massage facial",
    },
    "beauty": {
        "nyusi": "eyebrows",
        "eyebrows": "",
        "kope": "lashes eyelashes",
        "lashes": "eyelashes",
        "eyelashes": "lashes",
        "brows": "eyebrows",
        "threading": "eyebrows",
    },
}

_REPAIRS: dict[str, dict[str, str]] = {
    "repairs": {
        "repair": "fundi",
        "fix": "repair",
        "rekebisha": "repair",
        "kurekebisha": "repair",
        "tengeneza": "repair",
        "kutengeneza": "repair",
        "kutengenezwa": "repair",
        "fundi": "repair",
        "imevunjika": "broken repair",
        "screen imevunjika": "replacement repair",
        "screen imepasuka": "replacement repair",
        "imepasuka": "cracked repair",
        "imeharibika": "repair",
        "imekufa": "repair",
        "broken": "repair",
        "cracked": "repair",
        "replacement": "repair",
        "replace": "replacement repair",
        "badilisha": "replacement repair",
        "kubadilisha": "replacement repair",
        "servicing": "service repair",
        "service": "servicing repair",
        "data recovery": "files photos",
        "recover": "data recovery",
        "rudisha picha": "data recovery photos",
        # Installation is work done on the customer's device.
        "install": "installation",
        "installation": "",
        "kuinstall": "install installation",
        # Symptoms: a thing that fails is a repair need, whatever the thing is.
        "not charging": "charging battery repair",
        "won t charge": "charging battery repair",
        "doesn t charge": "charging battery repair",
        "not holding charge": "battery repair",
        "battery drains": "battery repair",
        "drains fast": "battery repair",
        "not working": "repair",
        "stopped working": "repair",
        "won t turn on": "repair",
        "doesn t turn on": "repair",
        "not turning on": "repair",
        "won t switch on": "repair",
        "dead": "repair",
        "dies": "dead repair",
        "died": "dead repair",
        "change": "replacement repair",
        "no picture": "picture repair",
        "no sound": "sound repair",
        "no display": "screen repair",
        "black screen": "screen repair",
        "blank screen": "screen repair",
        "heats up": "overheating servicing cleaning",
        "heating up": "overheating servicing cleaning",
        "overheating": "servicing cleaning",
        "overheats": "overheating servicing cleaning",
        "gets hot": "overheating servicing cleaning",
        "inapata moto": "overheating servicing cleaning",
        "inashika moto": "overheating servicing cleaning",
        "imeshika moto": "overheating servicing cleaning",
        "water damage": "repair",
        "imeingia maji": "water damage repair",
        "virus": "software antivirus",
        "hangs": "slow servicing software",
        "inahang": "slow servicing software",
        "inakwama": "slow servicing software",
        "lost my photos": "data recovery photos",
        "deleted": "data recovery files",
        "smashed": "cracked broken repair",
        "shattered": "cracked broken repair",
        "keeps restarting": "servicing software repair",
        "won t power on": "repair",
        "is slow": "servicing software",
        "very slow": "servicing software",
        "so slow": "servicing software",
        "too slow": "servicing software",
        "imekuwa slow": "servicing software",
        "iko slow": "servicing software",
        "inaisha haraka": "battery drains repair",
        "chaji inaisha": "battery drains repair",
        "betri inaisha": "battery drains repair",
        "inakula chaji": "battery drains repair",
    },
}

# Swahili verbs come inflected ("mnasuka", "nisukwe", "kupakwa", "mnanyoa", "niwekea"): these
# stems, with the prefixes and endings below, name what the customer wants done.
_VERB_STEMS: dict[str, tuple[str, str | None, int, bool]] = {
    # stem: (catalog words, category, rank, whether it is something done for the customer)
    "suk": ("braids kusuka", "hair", ADDON, True),
    "nyo": ("shave haircut", "hair", ADDON, True),
    "nyol": ("shave haircut", "hair", ADDON, True),
    "chan": ("hair braids cornrows lines styling", "hair", ADDON, True),  # have hair done
    "kand": ("massage spa", "spa", ADDON, True),
    "pak": ("polish", None, ADDON, False),
    "tengenez": ("repair", "repairs", REPAIR, True),
    "rekebish": ("repair", "repairs", REPAIR, True),
    "badilish": ("replacement repair", "repairs", REPAIR, True),
    "wek": ("installation", None, REPAIR, True),
    "safish": ("cleaning", None, ADDON, False),
    "sikiz": ("music audio", "audio", ITEM, False),
    "sikiliz": ("music audio", "audio", ITEM, False),
    "pik": ("cooking kitchen", "home-appliances", ITEM, False),
}
# Subject, tense and object prefixes, and passive, applicative and mood endings.
_VERB = re.compile(
    r"(?:ku|tu|mu|m|wa|ni|u|a|i|li|ki|zi|vi|ya)?(?:na|li|ta|me|ki|nge|ja)?"
    r"(?:ni|ku|mw|m|tu|wa|ji)?(?P<stem>"
    + "|".join(sorted(_VERB_STEMS, key=len, reverse=True))
    + r")(?:a|e|i|wa|we|wi|ewa|iwa|ea|ia|eni|ika|eka|wa|lewa|liwa|ishwa|eshwa)"
)
# English verbs in Sheng take the prefixes and keep their own ending: "mnafix", "nirepair".
_LOAN_STEMS: dict[str, tuple[str, str | None, int, bool]] = {
    "fix": ("repair", "repairs", REPAIR, True),
    "repair": ("repair", "repairs", REPAIR, True),
    "replace": ("replacement repair", "repairs", REPAIR, True),
    "install": ("installation", None, REPAIR, True),
    "format": ("software installation", None, REPAIR, True),
}
_LOAN_VERB = re.compile(
    r"(?:ku|tu|mu|m|wa|ni|u|a|i|li|ki|zi|vi|ya)(?:na|li|ta|me|ki|nge|ja)?"
    r"(?:ni|ku|mw|m|tu|wa|ji)?(?P<stem>" + "|".join(_LOAN_STEMS) + r")(?:w?e|w?a)?"
)
# Words that look inflected but are not these verbs.
_NOT_VERBS = frozenset({"mpaka", "paka", "kanda", "chana", "wakanda"})
# A thing that fails: "haishiki", "haionyeshi" (negated verbs: ha + class + verb + i), and
# "imevunjika", "kimepasuka", "inasumbua" (a class prefix, a tense and a verb of damage).
_NEGATED = re.compile(r"ha(?:i|zi|ki|vi|li|ya|u)[a-z]{2,}i")  # "haitoi sauti"
# Verbs of damage, with what each says about the fix.
_DAMAGE_STEMS: dict[str, str] = {
    "vunjika": "broken", "pasuka": "cracked", "pasua": "cracked", "haribika": "",
    "kufa": "", "zima": "", "jizima": "", "lowa": "water damage", "anguka": "",
    "ganda": "slow software", "kwama": "slow software", "chemka": "overheating servicing cleaning",
    "vuja": "", "ungua": "", "sumbua": "", "kataa": "", "zingua": "",
    "potea": "data recovery files photos", "futika": "data recovery files photos",
}  # fmt: skip
_DAMAGE = re.compile(
    r"(?:i|ki|zi|u|li|ya|vi|a)(?:me|na|li)(?P<stem>" + "|".join(_DAMAGE_STEMS) + ")"
)
_SYMPTOM = Sense(("repair",), "repairs", REPAIR, service=True)


def inflected(token: str) -> Sense | None:
    """The sense of a Swahili word the phrase table lacks, read from its shape: an inflected
    treatment or repair verb, or a verb saying a thing fails (a repair need)."""
    if token in _NOT_VERBS:
        return None
    if _NEGATED.fullmatch(token):
        return _SYMPTOM
    damage = _DAMAGE.fullmatch(token)
    if damage is not None:
        fix = (*tokenize(_DAMAGE_STEMS[damage["stem"]]), *_SYMPTOM.adds)
        return Sense(fix, _SYMPTOM.category, REPAIR, service=True)
    table, found = _VERB_STEMS, _VERB.fullmatch(token)
    if found is None:
        table, found = _LOAN_STEMS, _LOAN_VERB.fullmatch(token)
    if found is None:
        return None
    words, category, rank, service = table[found["stem"]]
    return Sense(tuple(tokenize(words)), category, rank, service=service)


# Words that describe what is wanted without naming it: no category.
_MODIFIERS: dict[str, str] = {
    "bei rahisi": "cheap",
    "rahisi": "cheap",
    "bei nafuu": "cheap",
    "nafuu": "cheap",
    "bei poa": "cheap",
    "bei chini": "cheap",
    "bei ya chini": "cheap",
    "bei ndogo": "cheap",
    "cheap": "",
    "cheapest": "cheap",
    "chipu": "cheap",
    "affordable": "cheap",
    "budget": "cheap",
    "low cost": "cheap",
    "low price": "cheap",
    "inexpensive": "cheap",
    "entry level": "cheap",
    "ghali": "premium",
    "bei ghali": "premium",
    "high end": "premium flagship",
    "ya kazi": "office business",
    "kazi ya ofisi": "office business",
    "ofisi": "office",
    "ya shule": "school student",
    "shule": "school student",
    "mwanafunzi": "student",
    "wanafunzi": "student",
    "watoto": "kids children",
    "mtoto": "kids children",
    "wazee": "elderly",
    "kamera": "camera",
    "picha": "camera photos picture",
    "kioo": "screen glass",
    "skrini": "screen",
    "uso": "face facial",
    "work": "office business",
    "windows": "software",
    "antivirus": "software",
    "betri": "battery",
    "chaji": "charging battery",
    "inchi": "inch",
    "kubwa": "big large",
    "ndogo": "small compact mini",
    "nyepesi": "slim lightweight",
    "mtumba": "refurbished used",
    "used": "refurbished",
    "ex uk": "refurbished",
    "orijino": "original",
    "bila waya": "wireless",
    "wireless": "",
    "sauti": "sound audio",
    "muziki": "music audio",
    "mziki": "music audio",
    "nywele": "hair",
    "ngozi": "skin",
    "ssd": "storage",
    "ram": "memory",
    "umeme": "electric",
    "stima": "electric",
    "nyeusi": "black",
    "nyeupe": "white",
    "samsng": "samsung",
    "samsang": "samsung",
    "sumsung": "samsung",
    "samung": "samsung",
    "techno": "tecno",
    "infinics": "infinix",
    "infinx": "infinix",
    "lenvo": "lenovo",
    "xiomi": "xiaomi",
}

# Brands and teams: a message naming one is about a product even without a product noun.
BRANDS = frozenset(
    """
    samsung apple tecno infinix itel nokia xiaomi redmi poco oppo vivo realme huawei google
    pixel neon hp dell lenovo acer asus microsoft surface oraimo jbl sony anker logitech
    redragon sandisk seagate wd epson canon lg tcl hisense vitron skyworth ramtons mika philips
    hotpoint von sayona nike adidas vans converse bata timberland puma nivea wahl amazon modio
    harambee shujaa arsenal chelsea liverpool gor ingwe leopards galaxy safaricom
    """.split()
)

# Greetings, fillers, question and intent words, times and currency words: never retrieval text.
NOISE = frozenset(
    """
    niaje mambo sasa poa vipi hi hello hey habari hujambo jambo sema wasup whatsup sup yo
    karibu shikamoo boss bro sis dear sir madam msee buda manze bana fam
    asante sana thanks thank thx pls plz please tafadhali kindly
    nataka ninataka tunataka ningependa naomba nipe niletee nionyeshe nitumie nahitaji
    ninahitaji natafuta nasaka nauliza uliza swali
    una uko mna mko mnauza unauza mnayo unayo mnazo unazo mnaweza unaweza naweza naeza
    iko ziko kuna ipo zipo yupo niko nko nina
    ngapi pesa bei gani ipi zipi yangu yako yenu yake wangu changu zangu
    ni ya za wa la cha vya kwa na au ama pia tu hii hizi hiyo hizo ile zile je nini aje kama
    ndio ndiyo hapana sawa basi tena kitu vitu kuuza nunua kununua ninunue
    do does did you your u ur have has had got get i d m s ll ve re t im
    need needs want wanna would like looking look for a an the any some is are am be been
    there this that these those it its of to in on at with me my we our can could may
    sell selling sells buy purchase price prices cost costs how much many what which who where
    when whats one ones show tell send know and or but so also too just only ok okay yes no
    not better best good nice new other else more less about from than very really
    stock available availability please help out
    niongeze ongeza weka add cart kulipa lipa kuongea ongea mtu si wapi lini book booking
    appointment cancel
    today tomorrow tonight kesho leo jana asubuhi mchana jioni usiku morning afternoon evening
    monday tuesday wednesday thursday friday saturday sunday jumatatu jumanne jumatano
    alhamisi ijumaa jumamosi jumapili wiki ijayo next week
    kes ksh kshs sh shs bob shillings shilingi
    nazo nayo nao naye nalo pia lakini zote ndani siku saidia nisaidia mnisaidie nisaidie
    mpaka hadi fiti lot
    """.split()
)


def _entries() -> Iterator[tuple[str, Sense]]:
    tables: list[tuple[int, Mapping[str, Mapping[str, str]]]] = [
        (ITEM, _ITEMS),
        (ADDON, _ADDONS),
        (ADDON, _TREATMENTS),
        (REPAIR, _REPAIRS),
    ]
    for rank, table in tables:
        service = table is _TREATMENTS or table is _REPAIRS
        for category, phrases in table.items():
            for phrase, adds in phrases.items():
                yield phrase, Sense(tuple(tokenize(adds)), category, rank, service=service)
    for phrase, adds in _MODIFIERS.items():
        yield phrase, Sense(tuple(tokenize(adds)))


def _build() -> dict[tuple[str, ...], Sense]:
    senses: dict[tuple[str, ...], Sense] = {}
    for phrase, sense in _entries():
        key = tuple(tokenize(phrase))
        if key in senses:
            raise ValueError(f"Phrase listed twice in the lexicon: {phrase!r}")
        senses[key] = sense
    return senses


SENSES: dict[tuple[str, ...], Sense] = _build()
# Phrases by their first word, longest first, so "kompyuta ndogo" wins over "kompyuta".
PHRASES_BY_FIRST_WORD: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(sorted((k for k in SENSES if k[0] == first), key=len, reverse=True))
    for first in {key[0] for key in SENSES}
}
# Every word the lexicon knows, for turning plurals ("laptops") into a known singular.
VOCABULARY = (
    frozenset(word for key, sense in SENSES.items() for word in (*key, *sense.adds)) | BRANDS
)
