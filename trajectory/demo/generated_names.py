"""Word lists for the generated region (``trajectory.demo.generator``): invented
combinations of common Dutch first and last names, streets, and plausible
postcodes and places per municipality. Any likeness to a real person is accidental.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Anna", "Bram", "Chantal", "Daan", "Eva", "Fleur", "Gijs", "Hanna", "Iris", "Jan",
    "Kim", "Lars", "Maud", "Niels", "Olga", "Pim", "Quinten", "Rosa", "Sem", "Tess",
    "Uriël", "Vera", "Wouter", "Xander", "Yara", "Zoë", "Ahmed", "Aylin", "Bilal", "Dewi",
    "Emre", "Fenna", "Hamza", "Ilse", "Jasper", "Kübra", "Lieke", "Milan", "Nora", "Omar",
    "Priya", "Ruben", "Sara", "Thijs", "Noah", "Wendy", "Yusuf", "Zeynep", "Marco", "Linda",
    "Patrick", "Sandra", "Richard", "Monique", "Erwin", "Karin", "Dennis", "Esther", "Joost",
    "Marieke", "Sven", "Naima", "Hicham", "Anouk", "Bas", "Carla", "Dirk", "Els", "Frank",
    "Gerda", "Henk", "Ineke", "Johan", "Kees", "Leo", "Mirjam", "Nicole", "Otto", "Petra",
    "Ricardo", "Shanti", "Tamara", "Vincent", "Willemijn", "Youssef", "Abdi", "Mariam",
    "Tomasz", "Agnieszka", "Dmytro", "Oksana", "Luuk", "Jesse", "Julia", "Lotte", "Mees",
)
LAST_NAMES = (
    "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters",
    "Hendriks", "Dekker", "Brouwer", "Dijkstra", "Koster", "Prins", "Huisman", "Kok",
    "Sinke", "Kodde", "Wisse", "Minderhoud", "Verhage", "Louwerse", "Boogaard", "Lodder",
    "Polderman", "Schrier", "Tramper", "Verburg", "Moerland", "Hoogstrate", "Dieleman",
    "Koppejan", "Goedegebuure", "Van Damme", "Provoost", "Steketee", "Kesteloo", "Sandee",
    "Adriaanse", "Jobse", "Marijs", "Nieuwenhuize", "Rijk", "Westerweele", "Kramer",
    "Yılmaz", "Kaya", "Demir", "El Idrissi", "Bouzid", "Amrani", "Haddou", "Öztürk",
    "Nowak", "Kowalski", "Kovalenko", "Mahabier", "Ramdin", "Tahiri", "Mohamud", "Haile",
    "Zeeuw", "Oost", "Hage", "Luijk", "Kam", "Wit", "Vlaming", "Geus", "Ridder", "Heijboer",
    "Jonge", "Waal", "Reus", "Graaf", "Meulen", "Velde", "Berg", "Linden", "Bosch", "Dam",
)
# Most Dutch surnames have no tussenvoegsel; these go with the last names above.
TUSSENVOEGSELS = ("de", "van", "van der", "van den", "van de", "den", "ter")

STREETS = (
    "Kerkstraat", "Stationsweg", "Molenstraat", "Dorpsstraat", "Havenweg", "Zandweg",
    "Westsingel", "Oostwal", "Beatrixlaan", "Julianastraat", "Dijkstraat", "Polderweg",
    "Schoolstraat", "Marktplein", "Zuidvliet", "Noordweg", "Bredeweg", "Voorstraat",
)

# (postcode digits, place) per municipality.
PLACES: dict[str, tuple[tuple[str, str], ...]] = {
    "Goes": (("4461", "Goes"), ("4462", "Goes"), ("4463", "Goes"), ("4464", "Goes"),
             ("4465", "Goes"), ("4481", "Kloetinge"), ("4471", "Wolphaartsdijk"),
             ("4444", "'s-Heer Arendskerke")),
    "Schouwen-Duiveland": (("4301", "Zierikzee"), ("4302", "Zierikzee"), ("4303", "Zierikzee"),
                           ("4311", "Bruinisse"), ("4318", "Brouwershaven"),
                           ("4325", "Renesse"), ("4328", "Burgh-Haamstede"),
                           ("4306", "Nieuwerkerk")),
    "Borsele": (("4451", "Heinkenszand"), ("4454", "Borssele"), ("4456", "Lewedorp"),
                ("4458", "'s-Heerenhoek"), ("4434", "Kwadendamme")),
    "Tholen": (("4691", "Tholen"), ("4695", "Sint-Maartensdijk"), ("4697", "Scherpenisse"),
               ("4698", "Oud-Vossemeer"), ("4693", "Poortvliet")),
    "Reimerswaal": (("4401", "Yerseke"), ("4413", "Krabbendijke"), ("4416", "Kruiningen"),
                    ("4417", "Hansweert"), ("4411", "Rilland")),
    "Kapelle": (("4421", "Kapelle"), ("4423", "Biezelinge"), ("4424", "Wemeldinge")),
    "Noord-Beveland": (("4484", "Kortgene"), ("4493", "Kamperland"), ("4491", "Wissenkerke"),
                       ("4486", "Colijnsplaat")),
}
# How many of the region's candidates live in each municipality (relative).
MUNICIPALITY_WEIGHTS = {
    "Goes": 27, "Schouwen-Duiveland": 22, "Borsele": 13, "Tholen": 12, "Reimerswaal": 12,
    "Kapelle": 9, "Noord-Beveland": 5,
}

WISHES = (
    "Ik wil graag in de zorg werken, het liefst met ouderen.",
    "Ik wil weer een vaste baan, het liefst dicht bij huis.",
    "Ik wil iets met mijn handen doen, in de techniek of de bouw.",
    "Ik wil in een winkel of de horeca werken.",
    "Ik wil een opleiding afmaken en dan aan het werk.",
    "Ik wil als chauffeur werken.",
    "Ik wil in de groenvoorziening werken, buiten zijn.",
    "Ik weet het nog niet precies; eerst ontdekken wat bij mij past.",
    "Ik wil in de keuken van een zorgcentrum werken.",
    "Ik wil mensen helpen, misschien in de thuiszorg of de kinderopvang.",
)
SKILLS = ("Werken in een team, vaste werktijden.", "Beter Nederlands spreken op de werkvloer.",
          "Plannen, zelfstandig werken.", "Klantvriendelijk zijn.", "", "")
NEEDS = ("Hulp bij het opbouwen van een ritme.", "Opvang voor de kinderen op werkdagen.",
         "Een vaste werkbegeleider.", "Grip op de financiën.", "Een rijbewijs.", "")
AGREEMENTS = ("We evalueren elke zes weken.", "Meldt zich elke maandag bij de buddy.",
              "Belt de buddy als een afspraak niet doorgaat.", "")
GOALS = (
    "Werkervaring opdoen in een verpleeghuis", "Taalniveau B1 halen", "Rijbewijs B halen",
    "Schulden in beeld bij de schuldhulpverlening", "Drie maanden werkervaringsplaats",
    "BBL-opleiding helpende zorg en welzijn", "Vaste baan van 24 uur per week",
    "Dagritme opbouwen", "Vrijwilligerswerk twee ochtenden per week", "Open dag mbo bezoeken",
)
STEPS = (
    ("Kennismaken op de afdeling", "Buddy"), ("VOG aanvragen", "Kandidaat"),
    ("Inschrijven taalcursus", "Kandidaat"), ("Proefdag plannen", "Klantmanager"),
    ("Gesprek met de leidinggevende", "Buddy"), ("Cv bijwerken", "Kandidaat"),
    ("Map met brieven meenemen", "Kandidaat"), ("Theorie-examen plannen", "Kandidaat"),
)
BARRIER_TEXTS = {
    "schulden": "Betalingsachterstanden", "medisch": "Herstel na een operatie",
    "psychisch": "Somberheid, in behandeling", "sociaal_gezin": "Zorgt voor een familielid",
    "taal_nt2": "Spreekt Nederlands op A2-niveau", "geen_werkervaring": "Heeft nog nooit gewerkt",
    "geen_werkritme": "Slaapt onregelmatig", "vervoer": "Geen rijbewijs, weinig bussen",
    "huisvesting": "Woont tijdelijk bij familie", "kinderopvang": "Geen opvang op twee dagen",
    "verslaving": "Alcoholgebruik, in behandeling", "justitie": "Taakstraf loopt nog",
    "overig": "Overig",
}
TRAININGS = (("Taalcursus Nederlands op de werkvloer", "Taalhuis"), ("VCA Basis", "Scalda"),
             ("Basis hygiëne", "Scalda"), ("Code 95", "Rijschool Zeeland"),
             ("Helpende Zorg en Welzijn (BBL niveau 2)", "Scalda"))
CONTACT_NOTES = (
    "Koffie gedronken, het gaat redelijk.", "Rooster voor de komende weken besproken.",
    "Appje gestuurd of de eerste week goed ging.", "Huisbezoek, post samen doorgenomen.",
    "Gesprek na het werk; tevreden over de werkplek.", "Telefonisch gesproken, wat gespannen.",
    "Samen naar het gesprek bij de gemeente geweest.", "Evaluatie van de afgelopen weken.",
)
SIGNAL_TEXTS = {
    "schulden": "Nieuwe aanmaning ontvangen; graag contact met de schuldhulpverlening.",
    "gezondheid": "Veel last van de rug na het werk.",
    "motivatie": "Twijfelt of de volgende stap niet te snel gaat.",
    "werkplek": "De werkplek loopt binnenkort af en er is nog geen besluit.",
    "huisvesting": "Moet binnen een maand de woning uit.",
    "overig": "Graag even bellen, er speelt iets thuis.",
}
JOB_TITLES = ("Helpende thuiszorg", "Medewerker facilitair", "Keukenmedewerker",
              "Medewerker schoonmaak", "Gastvrouw", "Medewerker technische dienst")
