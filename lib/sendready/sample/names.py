"""Word lists for realistic-looking (entirely made-up) people and places.

Names mix common English forenames and surnames with the South Asian, Jewish, Irish and
Eastern European names a Greater Manchester borough's records hold, and include
accented names (Zoë, Chloé, Siân) so that encodings are exercised. Every character is in
Windows-1252, because one extract is written in that encoding.
"""

from __future__ import annotations

GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Isabella", "Sophia", "Grace", "Lily", "Freya",
    "Emily", "Ivy", "Ella", "Rosie", "Evie", "Florence", "Poppy", "Charlotte", "Willow",
    "Daisy", "Sienna", "Phoebe", "Harper", "Ruby", "Matilda", "Elsie", "Sophie", "Alice",
    "Isabelle", "Evelyn", "Millie", "Jessica", "Erin", "Holly", "Lucy", "Katie", "Megan",
    "Ellie", "Hannah", "Lauren", "Amber", "Bethany", "Abigail", "Niamh", "Caitlin", "Molly",
    "Scarlett", "Maisie", "Layla", "Eva", "Imogen", "Esme", "Summer", "Lexi", "Madison",
    "Chloe", "Zoe", "Zoë", "Chloé", "Siân", "Renée", "Anaïs", "Noémie", "Aisha", "Fatima",
    "Maryam", "Zainab", "Hafsa", "Amina", "Ayesha", "Inaaya", "Hana", "Safa", "Rivka",
    "Chaya", "Leah", "Miriam", "Zofia", "Maja", "Julia", "Oliwia", "Precious", "Blessing",
    "Nia", "Amara",
)
BOYS = (
    "Oliver", "George", "Noah", "Arthur", "Harry", "Leo", "Muhammad", "Jack", "Charlie",
    "Oscar", "Jacob", "Henry", "Thomas", "Freddie", "Alfie", "Theo", "William", "Theodore",
    "Archie", "Joshua", "Alexander", "James", "Isaac", "Edward", "Lucas", "Tommy", "Finley",
    "Max", "Logan", "Ethan", "Mason", "Harrison", "Joseph", "Samuel", "Daniel", "Dylan",
    "Riley", "Jayden", "Kyle", "Callum", "Connor", "Liam", "Ryan", "Lewis", "Jake", "Ben",
    "Adam", "Luke", "Owen", "Reuben", "Toby", "Jamie", "Kai", "Rhys", "Aaron", "Nathan",
    "Tyler", "Bradley", "Declan", "Seán", "Joël", "René", "Ibrahim", "Yusuf", "Ali", "Hamza",
    "Zayn", "Ayaan", "Rayyan", "Haroon", "Bilal", "Imran", "Moshe", "Yosef", "Shmuel",
    "Eli", "Jakub", "Filip", "Kacper", "Szymon", "Tobi", "Emmanuel", "Kwame", "Tariq",
)
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Hughes", "Edwards", "Lee", "Turner", "Harris", "Martin", "Cooper",
    "Hill", "Ward", "Morris", "Moore", "Clark", "Baker", "Harrison", "King", "Morgan",
    "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Bennett", "Price",
    "Griffiths", "Young", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey",
    "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall",
    "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Holt", "Ashworth",
    "Haworth", "Whittaker", "Greenhalgh", "Schofield", "Butterworth", "Ainsworth", "Kenyon",
    "Hamer", "Howarth", "Entwistle", "Crompton", "Pilling", "Lord", "Nuttall", "Openshaw",
    "Duckworth", "Hargreaves", "Barlow", "Fletcher", "Heywood", "Rothwell", "Tattersall",
    "Brierley", "Hindle", "Holden", "Kay", "Lomax", "Crossley", "Fitton", "Walsh", "O'Brien",
    "O'Neill", "McCarthy", "Byrne", "Doyle", "Brennan", "Gallagher", "Kowalski", "Nowak",
    "Wisniewski", "Lewandowski", "Brontë", "Garcia", "Okafor", "Mensah", "Adeyemi",
)
SOUTH_ASIAN_SURNAMES = (
    "Khan", "Hussain", "Ahmed", "Ali", "Akhtar", "Iqbal", "Mahmood", "Rashid", "Shah",
    "Bibi", "Begum", "Rehman", "Aslam", "Butt", "Chaudhry", "Patel", "Malik", "Javed",
)
JEWISH_SURNAMES = (
    "Cohen", "Levy", "Goldberg", "Rosenberg", "Shapiro", "Abrahams", "Klein", "Gross",
    "Marks", "Jacobs", "Silverman", "Kaufman",
)

# Home postcode sectors of Bury and its neighbourhoods: Ramsbottom (BL0), Tottington and
# Bury north (BL8), Bury (BL9), Prestwich (M25), Radcliffe (M26), Whitefield (M45).
POSTCODE_SECTORS = (
    "BL0 0", "BL0 9", "BL8 1", "BL8 2", "BL8 3", "BL8 4", "BL9 0", "BL9 5", "BL9 6", "BL9 7",
    "BL9 8", "BL9 9", "M25 0", "M25 1", "M25 2", "M25 3", "M25 9", "M26 1", "M26 2", "M26 3",
    "M26 4", "M45 6", "M45 7", "M45 8",
)
# Royal Mail never uses C, I, K, M, O or V in the last two letters of a postcode.
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

PLACES = (
    "Ramsbottom", "Tottington", "Radcliffe", "Prestwich", "Whitefield", "Holcombe Brook",
    "Unsworth", "Summerseat", "Elton", "Redvales", "Chesham", "Brandlesholme", "Walshaw",
    "Greenmount", "Hollins", "Woolfold", "Fishpool", "Sedgley", "Heaton", "Stand", "Besses",
    "Ainsworth", "Nangreaves", "Shuttleworth", "Edenfield", "Stubbins", "Holcombe",
    "Hawkshaw", "Affetside", "Seedfield", "Freetown", "Limefield", "Moorside", "Fairfield",
    "Jericho", "Birtle", "Bamford", "Heap Bridge", "Starling", "Outwood", "Ringley",
    "Stoneclough", "Clifton", "Pilsworth", "Simister", "Rhodes", "Park Lane", "Sunny Bank",
    "Castle Hill", "Peel Brow", "Higher Lane", "Bank Top", "Hazelhurst", "Lowercroft",
    "Dumers Lane", "Coronation Road", "Mile Lane", "Gigg Lane", "Hinds Head", "Kirklees",
    "Warth Fold", "Black Lane", "Cams Lane", "Spring Lane", "Church Lane", "Mosses",
    "Newbridge", "Broad Oak", "Chapelfield", "Guardian Angels", "Hollinhurst", "Mersey Drive",
    "Hoyle Bottom", "Bradley Fold", "Daisyfield", "Lowes", "Kenyon Fold", "Moss Side",
    "Bury Ground", "Wellington", "Pimhole", "Fern Grove", "Harwood", "Topping Fold",
)
SAINTS = (
    "Mary", "John", "Peter", "Paul", "Andrew", "Thomas", "Stephen", "Luke", "Margaret",
    "Joseph", "Michael", "Hilda", "Bernadette", "Marie", "Anne", "Chad", "Gabriel",
)
