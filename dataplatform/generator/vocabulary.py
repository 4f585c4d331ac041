"""Word lists the generators draw from: small, fixed, so output is deterministic."""

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Katrin",
    "Lukas", "Mia", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Samuel", "Tara", "Uwe", "Vera",
    "William", "Xenia", "Yusuf", "Zoe", "Amir", "Bea", "Chen", "Dara", "Emil", "Fatima", "Gabriel",
    "Hana", "Ivan", "Jana", "Kofi", "Lea", "Mateo", "Nina", "Omar", "Priya", "Rafael", "Sofia",
    "Theo", "Lina", "Marco", "Aylin", "Björn", "Zoë", "Élodie", "Søren", "José", "Łucja",
)
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann",
    "Schulz", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann",
    "Smith", "Johnson", "Brown", "Garcia", "Martin", "Dubois", "Rossi", "Novak", "Kowalski",
    "Jensen", "Nielsen", "Silva", "Santos", "Yilmaz", "Kaya", "Nguyen", "Kim", "Lee", "Ivanova",
    "O'Brien", "van Dijk", "de Vries",
)
# (city, state, postal-code prefix, country)
CITIES = (
    ("Berlin", "BE", "10", "DE"), ("Hamburg", "HH", "20", "DE"), ("Munich", "BY", "80", "DE"),
    ("Cologne", "NW", "50", "DE"), ("Frankfurt", "HE", "60", "DE"), ("Stuttgart", "BW", "70", "DE"),
    ("Leipzig", "SN", "04", "DE"), ("Dresden", "SN", "01", "DE"), ("Vienna", "W", "10", "AT"),
    ("Graz", "ST", "80", "AT"), ("Zurich", "ZH", "80", "CH"), ("Basel", "BS", "40", "CH"),
    ("Paris", "IDF", "75", "FR"), ("Lyon", "ARA", "69", "FR"), ("Amsterdam", "NH", "10", "NL"),
    ("Rotterdam", "ZH", "30", "NL"), ("Copenhagen", "84", "21", "DK"), ("Madrid", "MD", "28", "ES"),
    ("Barcelona", "CT", "08", "ES"), ("Milan", "LOM", "20", "IT"), ("Warsaw", "MZ", "00", "PL"),
    ("Prague", "PR", "11", "CZ"),
)
STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße", "Goethestraße",
    "Market Street", "Rue de la Paix", "Kerkstraat", "Via Roma", "Calle Mayor", "Parkweg",
)
# (category, brands, price range in euros)
CATEGORIES = (
    ("electronics", ("Voltix", "Nordsound", "Pixelon"), (19, 1499)),
    ("books", ("Papyrus", "Inkwell"), (6, 49)),
    ("fashion", ("Loomwear", "Urbane", "Fjell"), (9, 249)),
    ("home", ("Hearth", "Casa Nova"), (5, 399)),
    ("sports", ("Peakline", "Stride"), (8, 599)),
    ("beauty", ("Lumea", "Botanic"), (4, 89)),
    ("toys", ("Blokk", "Kite & Co"), (5, 129)),
    ("grocery", ("Fresko", "Good Grain"), (1, 39)),
)
ADJECTIVES = ("Classic", "Pro", "Eco", "Compact", "Deluxe", "Smart", "Everyday", "Ultra", "Mini", "Max")
NOUNS = {
    "electronics": ("Headphones", "Speaker", "Camera", "Tablet", "Charger", "Monitor", "Keyboard"),
    "books": ("Novel", "Cookbook", "Atlas", "Biography", "Guide"),
    "fashion": ("Jacket", "Sneakers", "Scarf", "Jeans", "Shirt", "Backpack"),
    "home": ("Lamp", "Pan", "Blanket", "Vase", "Chair", "Kettle"),
    "sports": ("Yoga Mat", "Bike Helmet", "Tent", "Running Shoes", "Dumbbell"),
    "beauty": ("Face Cream", "Shampoo", "Perfume", "Lip Balm"),
    "toys": ("Puzzle", "Robot Kit", "Board Game", "Plush Bear"),
    "grocery": ("Coffee", "Olive Oil", "Tea", "Chocolate", "Pasta"),
}
