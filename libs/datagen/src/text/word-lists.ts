/**
 * The word lists text columns draw from. Part of the generated output: changing a list
 * changes every run's text, so add lists rather than edit them.
 */
export const WORD_LISTS = {
  first_name: (
    'Ada Adam Aisha Alba Alex Alice Amara Amir Ana Anders Anna Aria Arjun Ben Bianca Carla Carlos ' +
    'Chen Chloe Dana Daniel David Diego Elena Eli Emil Emma Erik Eva Farah Felix Fatima Finn ' +
    'Gabriel Grace Hana Hannah Hugo Ines Isaac Ivan Jade James Jana Javier Jonas Julia Kai Karim ' +
    'Kenji Lara Leila Leo Lina Luca Lucia Maja Malik Marco Maria Marta Max Maya Mei Mia Milan Mina ' +
    'Nadia Nico Nina Noah Nora Olga Omar Oscar Paula Pedro Priya Rafael Rosa Ruth Sam Sara Sofia ' +
    'Tariq Theo Tomas Una Valentina Victor Vera Wei Yara Yusuf Zara Zoe'
  ).split(' '),
  last_name: (
    'Abbott Adeyemi Alvarez Andersen Bauer Becker Bianchi Brown Castro Chen Costa Dahl Diaz Dubois ' +
    'Eriksen Fischer Fontaine Garcia Gomez Gruber Haas Hansen Horvat Ito Ivanova Jansen Johansson ' +
    'Kaur Keller Kim Kowalski Kruger Lambert Larsen Lee Lopez Martin Meyer Moreau Muller Nakamura ' +
    'Nielsen Novak Okafor Olsen Ortiz Patel Perez Petrov Popescu Quinn Ramos Reyes Rossi Russo ' +
    'Santos Schmidt Schneider Silva Singh Smith Sousa Suzuki Tanaka Taylor Torres Vargas Vogel ' +
    'Wagner Walker Weber Williams Wilson Wolf Yamamoto Young Zhang Zimmermann'
  ).split(' '),
  street: (
    'Acacia Alder Ash Aspen Bay Beech Birch Bridge Brook Castle Cedar Chapel Cherry Church Cliff ' +
    'Elm Fern Garden Glen Grove Harbour Hawthorn Hazel Hill Holly Juniper King Lake Laurel Lime ' +
    'Linden Maple Market Meadow Mill Oak Orchard Park Pine Poplar Queen River Rose Spruce Station ' +
    'Sycamore Union Valley Willow'
  ).split(' '),
  street_kind: 'Street Road Lane Avenue Way Drive Place Court'.split(' '),
  city: (
    'Amsterdam Antwerp Athens Barcelona Berlin Bologna Bordeaux Bratislava Bristol Brno Brussels ' +
    'Bucharest Budapest Cologne Copenhagen Cork Dresden Dublin Edinburgh Florence Frankfurt Gdansk ' +
    'Geneva Ghent Glasgow Gothenburg Graz Hamburg Helsinki Krakow Leeds Leipzig Lille Linz Lisbon ' +
    'Ljubljana London Lyon Madrid Malmo Manchester Marseille Milan Munich Nantes Naples Oslo Paris ' +
    'Porto Prague Riga Rotterdam Seville Sofia Stockholm Tallinn Toulouse Turin Utrecht Valencia ' +
    'Vienna Vilnius Warsaw Zagreb Zurich'
  ).split(' '),
  country: 'AT BE CH CZ DE DK ES FI FR GB HU IE IT NL NO PL PT SE'.split(' '),
  company_stem: (
    'Alpine Atlas Beacon Blue Bright Cedar Copper Crest Delta Echo Falcon Harbor Horizon Iron ' +
    'Juniper Keystone Lumen Maple Meridian Nimbus North Oak Orbit Pioneer Quartz Silver Summit ' +
    'Tidal Vertex Willow'
  ).split(' '),
  company_kind: 'Goods Logistics Supply Trading Works Outfitters Labs Retail Partners Foods'.split(
    ' ',
  ),
  product: (
    'Backpack Bike-Light Blender Bookcase Candle Coffee-Grinder Cookware-Set Desk-Lamp Dumbbells ' +
    'E-Reader Headphones Hiking-Boots Kettle Keyboard Lamp Laptop-Stand Mattress Monitor Mug Notebook ' +
    'Office-Chair Pillow Plant-Pot Printer Rain-Jacket Rug Running-Shoes Scarf Smartwatch Sofa-Cover ' +
    'Speaker Sunglasses Tablet-Case Tea-Set Tent Toaster Towel-Set Umbrella Vacuum Wall-Clock ' +
    'Water-Bottle Webcam Yoga-Mat'
  ).split(' '),
  adjective: (
    'compact classic deluxe eco essential everyday large lightweight modern portable premium ' +
    'smart sturdy travel vintage'
  ).split(' '),
  carrier: 'DHL UPS FedEx GLS DPD PostNL Hermes Royal-Mail La-Poste Correos'.split(' '),
  email_domain: 'example.com example.org example.net mail.example shop.example'.split(' '),
  word: (
    'alpha amber arc bloom cloud coral dawn drift ember field flint frost glow harbor hollow ' +
    'iris jade lark meadow mist moss nova pearl quill reef ridge sage shore slate spark stone ' +
    'storm tide vale wave'
  ).split(' '),
} as const satisfies Record<string, readonly string[]>;

export type WordList = keyof typeof WORD_LISTS;
