"""Wording beyond the extractor's lexicons: how people really write, added to phrases.py's lists.

Issue 13: notes built only from the lexicons' own words measure recall of the project's words, not
reading. Everything here was chosen to be outside `pipelines/extract/lexicons/` when written
(`python -m pipelines.generate.overlap` counts it) and to keep the planted truth exact: a careful
reader recovers what was wanted (docs: ../shared/LABELLING.md). Colorway names map to one colour
family; the substitute a customer settled for, the size they usually wear, their height, weight,
budget or order number are never the wanted attribute.

Placeholders as in phrases.py ({item}, {alt}, {size}, {color}, {noun}), plus {pattern} (the wanted
pattern word) and the numbers of `NUMBER_CLAUSES`.
"""

from __future__ import annotations

#: Colorway names shops and customers use, by colour family (none is a lexicon term).
COLORWAYS: dict[str, tuple[str, ...]] = {
    "black": ("obsidian", "licorice", "caviar", "soot"),
    "white": ("snow", "milk", "frost", "bone"),
    "grey": ("fog", "mist", "marl", "gravel", "storm", "greyish"),
    "red": ("cabernet", "pillarbox", "postbox", "vino", "reddish"),
    "pink": ("rosewater", "candyfloss", "pinky"),
    "orange": ("satsuma", "nectarine", "terracota"),
    "yellow": ("turmeric", "dijon", "lemonade", "yellowy"),
    "green": ("evergreen", "basil", "spruce", "seaweed", "greeny", "greenish"),
    "blue": ("midnight", "ink", "lagoon", "blueberry", "ocean", "bluey", "blueish"),
    "purple": ("iris", "blackcurrant", "purply"),
    "brown": ("pecan", "fudge", "teak", "browny"),
    "beige": ("buff", "sesame", "flax", "porridge"),
    "metallic": ("gilded", "goldtone", "silvertone"),
}
#: Pattern words and misspellings outside the lexicon, by pattern (all usable before a noun).
STREET_PATTERNS: dict[str, tuple[str, ...]] = {
    "solid": ("unpatterned", "non-patterned"),
    "striped": ("stripped", "candy-striped", "pin-striped", "strpied"),
    "plaid": ("madras", "lumberjack", "plad"),
    "checked": ("checkerboard", "vichy", "cheked"),
    "floral": ("botanical", "flower-patterned", "florel"),
    "polka dot": ("dotty", "pin-dot", "polkadot"),
    "paisley": ("paisly", "paisely"),
    "animal print": ("python", "ocelot", "leapord"),
    "camouflage": ("cammo", "camoflage"),
    "geometric": ("geometrical", "geo"),
    "graphic": ("grafic",),
    "tie-dye": ("tye-dye", "tie-died"),
    "houndstooth": ("pied-de-poule", "houndtooth"),
    "herringbone": ("fishbone", "herring-bone"),
    "embroidered": ("broderie", "embroided", "hand-stitched"),
    "printed": ("patterny", "prnted"),
}
#: Letter sizes as typed in a hurry or spelt out.
STREET_SIZES: dict[str, tuple[str, ...]] = {
    "XXS": ("double xs",),
    "XS": ("xtra small", "extra sml"),
    "S": ("smal", "smll"),
    "M": ("meduim", "medum"),
    "L": ("larg", "lrge"),
    "XL": ("x-lrg", "xtra lrg"),
    "XXL": ("double xl", "xx-lrg"),
    "XXXL": ("triple xl",),
}
#: Garment words outside the lexicon, by category.
STREET_GARMENTS: dict[str, tuple[str, ...]] = {
    "sneakers": ("kicks",),
    "bag": ("purse",),
    "trousers": ("trackies", "trews"),
    "jeans": ("skinnies",),
    "boots": ("chelseas",),
    "scarf": ("muffler",),
    "hoodie": ("hooded top",),
    "t-shirt": ("teeshirt",),
    "sweater": ("woolly",),
}

OPENERS: dict[str, tuple[str, ...]] = {
    "store": (
        "cust had her heart set on {item}",
        "lady on the hunt for {item}",
        "customer chasing {item}, saw it on insta",
        "man came back for {item}",
        "customer after {item} for a wedding on the {day}th",
        "girl desperate for {item} for her formal",
        "cust keen on {item}",
        "customer was set on {item}",
        "lady hoping to get {item} for her daughter",
        "older gent fancied {item}",
        "customer trying to get hold of {item}",
    ),
    "call_center": (
        "caller chasing {item}",
        "cust rang, had her heart set on {item}",
        "customer called to order {item}",
        "caller wanted to place an order for {item}",
    ),
    "chat": (
        "hiya any chance of {item}??",
        "hey!! do you guys do {item}",
        "hi there, need {item} by friday",
        "hello :) im after {item}",
        "evening, trying to get hold of {item}",
        "do yous have {item} x",
    ),
    "app": ("been trying to get {item} for weeks", "really want {item}"),
    "web": ("been trying to get {item} for weeks", "my fave brand, hoping to get {item}"),
}
#: Openers that say the item exists (it was ordered, on a basket, back in stock): stockouts and
#: substitutions only, never a not_carried event.
STOCKOUT_OPENERS: dict[str, tuple[str, ...]] = {
    "store": (
        "cust came to pick up {item} she saw online",
        "lady came in for {item} she had on hold but it was gone",
        "cust bought {item} last month, came back for another one",
    ),
    "call_center": ("phone: trying to order {item} for delivery",),
    "chat": (
        "heyy is {item} back yet",
        "hi, when will {item} be restocked",
        "hi, got {item} for my birthday and want a second one",
    ),
    "app": (
        "had {item} in my basket",
        "saved {item} to my wishlist",
        "tried to check out {item}",
        "went to order {item}",
    ),
    "web": (
        "ordered {item}",
        "had the same one last year, went for {item} this time",
        "tried to check out {item}",
        "went to order {item} for my sister",
        "5 stars for the fit, wanted {item} as well",
        "love love love {item}, need another",
    ),
}
STOCKOUT_OUTCOMES = (
    "none on the floor or out back",
    "all gone",
    "shelf empty",
    "nothing on the system",
    "we had none",
    "zero in store",
    "cleaned out",
    "didnt have her size",
    "next delivery due the {day}th",
    "cant get it till next month",
)
CUSTOMER_STOCKOUT = (
    "its greyed out in my size",
    "keeps saying no stock",
    "been on coming soon for ages",
    "order got cancelled, no stock",
    "got an email saying my order was cancelled",
    "the button just says notify me",
)
ALT_COLOR_CLAUSES = (
    "not keen on the {alt}",
    "wasnt a fan of the {alt}",
    "{alt} too washed out for her",
    "said the {alt} makes her look tired",
    "we've got it in {alt} but thats not her colour",
    "could only offer {alt}",
    "only thing on the rail was {alt}",
)
ALT_SIZE_CLAUSES = (
    "the {alt} was swimming on her",
    "{alt} way too tight across the shoulders",
    "only the {alt} in, drowned him",
    "she's usually a {alt} in other shops",
    "he normally takes a {alt} but not in this",
)
SUBSTITUTED_CLAUSES = (
    "made do with the {alt}",
    "went with the {alt} instead",
    "grabbed the {alt} for now",
    "she'll live with the {alt}",
    "talked her into the {alt}",
    "compromised on the {alt}",
    "sold her the {alt} instead, not ideal",
    "took the {alt} to tide her over",
)
CUSTOMER_SUBSTITUTED = (
    "guess i'll make do with the {alt}",
    "fine, went for {alt}",
    "ordered the {alt} for now, still want the {color} though",
)
NOT_CARRIED_OUTCOMES = (
    "not a line we do",
    "nothing like that in the range",
    "head office doesnt buy it in",
    "we've never done them",
    "told her to try the website, not there either",
    "no {pattern} ones at all this season",
)
CUSTOMER_NOT_CARRIED = (
    "wish you did {noun} in {color}",
    "you should really do {noun} in {color}",
    "any plans to do {noun} in {color}?",
    "would love {noun} in {color} please!!",
    "i'd buy two tomorrow if you did it",
    "been hoping you'd bring out a {pattern} one",
    "why is there never {noun} in {size}",
    "gorgeous style but i'd only wear it in {color}",
    "shame it doesnt come in {color}",
    "if this came in {size} id have bought it already",
)
CUSTOMER_ALT = ("only the {alt} left and thats not for me", "{alt} is all i can see")
#: Expectation against what arrived (stockouts only: the wanted colour existed and ran out).
CUSTOMER_ARRIVED = (
    "ordered {color}, what turned up was {alt}, sent it back",
    "the {alt} that arrived looks nothing like the {color} in the photo",
    "they sent {alt} instead of {color}, returning it",
)
#: Numbers that are not sizes: heights, weights, budgets, order refs, times, dates, sleeves.
NUMBER_CLAUSES = (
    "cust is {height}",
    "about {height} tall",
    "{height} and {kg}kg",
    "around {lbs} lbs",
    "budget about €{price}",
    "saw it for €{price} online",
    "under {price} quid",
    "order #{order}",
    "ref {order}",
    "came in at {time}",
    "wants it for the {day}th",
    "with the 3/4 sleeves",
    "3/4 length sleeve if poss",
    "second time in {weeks} weeks",
)
#: Words that look like attributes and are not (LABELLING.md: "not an attribute at all").
DISTRACTORS = (
    "for black friday",
    "for a red carpet do",
    "checked the stockroom twice",
    "had a look at the size chart with her",
    "wants to look smart not grey and tired",
)
#: A colour with no preference: an item the wanted one is worn with (category, template).
PAIRINGS = (
    ("jeans", "to wear with {pair} jeans"),
    ("boots", "to go with her {pair} boots"),
    ("bag", "to match a {pair} bag she has"),
    ("shirt", "to go over a {pair} shirt"),
)
#: Word abbreviations beyond phrases.ABBREVIATIONS.
ABBREVIATIONS: dict[str, str] = {
    "available": "avail",
    "tomorrow": "tmrw",
    "thanks": "thx",
    "you": "u",
    "your": "ur",
    "instead": "instd",
    "weeks": "wks",
}
