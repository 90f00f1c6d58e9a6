import type { DistrictCode } from '../../../core/districts/index.js';

/**
 * District populations from the 2016 census (shared/data/README.md: "check before relying on them"), used
 * as weights for the district of birth of synthetic people.
 */
export const DISTRICT_POPULATION_2016: Readonly<Record<DistrictCode, number>> = {
  A: 519_186,
  B: 118_242,
  C: 337_521,
  D: 262_616,
  E: 178_222,
  F: 165_590,
  G: 115_469,
  H: 74_566,
  J: 100_442,
  K: 129_881,
};

/**
 * A handful of towns and villages per district, the district town first (it is weighted more and treated as
 * urban). Compiled from general knowledge and the legacy sample; good enough for synthetic data, not a
 * gazetteer (Bureau of Statistics village lists would be the source for anything real).
 */
export const VILLAGES: Readonly<Record<DistrictCode, readonly string[]>> = {
  A: [
    'Maseru',
    'Roma',
    'Morija',
    'Matsieng',
    'Semonkong',
    'Ha Thetsane',
    'Ha Abia',
    'Mazenod',
    'Nazareth',
    'Ha Ramabanta',
    'Qoaling',
    'Lithabaneng',
  ],
  B: ['Butha-Buthe', 'Hololo', 'Likhetlane', 'Qalo', 'Khukhune', 'Motete', 'Oxbow'],
  C: ['Hlotse', 'Maputsoe', 'Pitseng', 'Peka', 'Tsikoane', 'Kolonyama', 'Mahobong', 'Hleoheng'],
  D: ['Teyateyaneng', 'Mapoteng', 'Sefikeng', 'Kueneng', 'Khafung', 'Thupa-Kubu', 'Bela-Bela'],
  E: ['Mafeteng', 'Malealea', 'Matelile', 'Tsakholo', 'Thabana-Morena', 'Qalabane', 'Likhoele'],
  F: ["Mohale's Hoek", 'Ketane', 'Mpharane', 'Taung', 'Hloahloeng', 'Mekaling', 'Qaqatu'],
  G: ['Moyeni', 'Mount Moorosi', 'Mphaki', 'Qomoqomong', 'Tele', 'Sebapala'],
  H: ["Qacha's Nek", 'Sehlabathebe', 'Ha Sekake', 'Tsoelike', 'Lebakeng'],
  J: ['Mokhotlong', 'Mapholaneng', 'Linakeng', 'Malingoaneng', 'Tlokoeng', 'Molika-liko'],
  K: ['Thaba-Tseka', 'Mantsonyane', 'Katse', 'Mashai', 'Bokong'],
};

/** Places of birth outside Lesotho (no district), for the few people born across the border. */
export const PLACES_ABROAD: readonly string[] = [
  'Bloemfontein',
  'Welkom',
  'Ladybrand',
  'Johannesburg',
  'Ficksburg',
];
