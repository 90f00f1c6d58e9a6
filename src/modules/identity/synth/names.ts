/**
 * Basotho given names and surnames for synthetic people, in Lesotho spelling, each list ordered roughly
 * from most to least common (the order drives Zipf-like weights; it is a judgement, not a statistic).
 * Names are from the legacy civil-registry sample, the brief and general knowledge; the Christian names at
 * the end of the given names are common baptismal names.
 */

export type NameSex = 'F' | 'M' | 'U';

export interface GivenName {
  readonly name: string;
  /** 'U' = given to girls and boys alike. */
  readonly sex: NameSex;
}

const F = 'F';
const M = 'M';
const U = 'U';

export const GIVEN_NAMES: readonly GivenName[] = (
  [
    ['Thabo', M],
    ['Mpho', U],
    ['Lerato', F],
    ['Tšepo', M],
    ['Palesa', F],
    ['Teboho', U],
    ['Karabo', U],
    ['Lineo', F],
    ['Refiloe', U],
    ['Nthabiseng', F],
    ['Lebohang', U],
    ["Mots'elisi", F],
    ['Retšepile', U],
    ['Puleng', F],
    ['Tumelo', U],
    ['Katleho', U],
    ['Limpho', U],
    ['Rethabile', U],
    ['Bokang', U],
    ['Khotso', M],
    ['Mamello', F],
    ['Lintle', F],
    ['Neo', U],
    ['Thato', U],
    ['Tšeliso', M],
    ['Sello', M],
    ['Pitso', M],
    ['Tau', M],
    ['Thuso', M],
    ['Mohau', M],
    ['Molefi', M],
    ['Seabata', M],
    ['Lerotholi', M],
    ['Mosiuoa', M],
    ['Nkopane', M],
    ['Motlatsi', U],
    ['Seeiso', M],
    ['Lehlohonolo', U],
    ['Tlali', M],
    ['Hlompho', U],
    ['Kananelo', U],
    ['Keketso', U],
    ['Tšepiso', U],
    ['Poloko', U],
    ['Mpolokeng', U],
    ['Relebohile', U],
    ['Rorisang', U],
    ['Liteboho', U],
    ['Tebello', U],
    ['Tumisang', U],
    ['Boitumelo', U],
    ['Masechaba', F],
    ['Ntsoaki', F],
    ['Lipuo', F],
    ['Nthati', F],
    ["'Mathabo", F],
    ["'Malineo", F],
    ["'Mamosa", F],
    ['Tlotliso', U],
    ['Thabang', M],
    ['Paballo', U],
    ['Thapelo', M],
    ['Lefa', M],
    ['Moeketsi', M],
    ['Mohale', M],
    ['Tšolo', M],
    ['Mojalefa', M],
    ['Masilo', M],
    ['Tumo', M],
    ['Kabelo', M],
    ['Sechaba', M],
    ['Morena', M],
    ['Thebe', M],
    ['Sefako', M],
    ['Seabelo', M],
    ['Hlalele', M],
    ['Mokhethi', M],
    ['Retšelisitsoe', M],
    ['Mokete', M],
    ['Lekhotla', M],
    ['Motheo', U],
    ['Tokelo', U],
    ['Kamohelo', U],
    ['Itumeleng', U],
    ['Phakiso', U],
    ['Pheello', U],
    ['Tšepang', U],
    ['Katiso', U],
    ['Realeboha', U],
    ['Reitumetse', U],
    ['Puseletso', U],
    ['Motlalepula', U],
    ['Tsebo', U],
    ['Tšiamo', U],
    ['Letlotlo', U],
    ['Bohlokoa', U],
    ['Mosa', U],
    ['Nthona', U],
    ['Tšoanelo', U],
    ['Nyakallo', U],
    ['Tlhoriso', M],
    ['Limakatso', F],
    ['Keneuoe', F],
    ['Lieketseng', F],
    ['Lisemelo', F],
    ['Likeleli', F],
    ['Nthabeleng', F],
    ['Naleli', F],
    ['Lisebo', F],
    ['Ntebaleng', F],
    ['Pontšo', F],
    ['Seipati', F],
    ['Tlaleng', F],
    ['Thakane', F],
    ["'Mateboho", F],
    ['Nkeletseng', F],
    ['Moliehi', F],
    ['Mahlape', F],
    ['Mpeo', F],
    ['Ntšebo', F],
    ['Nteboheleng', F],
    ['Matšeliso', F],
    ['Matšepo', F],
    ['Maleshoane', F],
    ["'Masentle", F],
    ['Maria', F],
    ['Anna', F],
    ['Teresa', F],
    ['Agnes', F],
    ['Mary', F],
    ['Joseph', M],
    ['John', M],
    ['Paul', M],
    ['Peter', M],
    ['David', M],
    ['Francis', M],
    ['Thomas', M],
  ] as const
).map(([name, sex]) => ({ name, sex }));

/** Baptismal names, recorded as "other names" for a few people. */
export const CHRISTIAN_NAMES: Readonly<Record<'F' | 'M', readonly string[]>> = {
  F: ['Maria', 'Anna', 'Teresa', 'Agnes', 'Mary', 'Elizabeth', 'Martha', 'Paulina', 'Christina'],
  M: ['Joseph', 'John', 'Paul', 'Peter', 'David', 'Francis', 'Thomas', 'Michael', 'Andrew'],
};

export const SURNAMES: readonly string[] = [
  'Mokoena',
  'Mofokeng',
  'Molapo',
  'Letsie',
  'Moshoeshoe',
  'Mohapi',
  'Ramoreboli',
  'Nthako',
  'Lebona',
  'Matšela',
  'Monyane',
  'Mosala',
  "Ts'ephe",
  'Lethunya',
  'Mahao',
  'Tšoeu',
  'Mohale',
  'Thabane',
  'Sehloho',
  'Majoro',
  'Mafereka',
  'Mofolo',
  'Makara',
  'Makhetha',
  'Mokhothu',
  'Mphutlane',
  'Motsamai',
  'Selialia',
  'Sello',
  "Mots'oene",
  'Lesia',
  'Thamae',
  'Mosisili',
  'Putsoa',
  'Masupha',
  'Mokoroane',
  'Mothibeli',
  'Seeiso',
  'Sekhonyana',
  'Lerotholi',
  'Ntsekhe',
  'Lekhanya',
  'Mokete',
  'Ramakoae',
  'Ranthocha',
  'Pholo',
  'Maime',
  'Ramoholi',
  'Khaketla',
  'Ramokhoro',
  'Molise',
  'Nkhahle',
  'Moeketsi',
  'Nkuebe',
  'Mokitimi',
  'Lepheana',
  'Ntoi',
  'Ralitsie',
  'Phafane',
  'Kolobe',
  'Mathealira',
  'Letšela',
  'Mokhele',
  'Mokhesi',
  'Mosothoane',
  'Motšoane',
  'Motloheloa',
  'Phakoe',
  'Pitso',
  'Qhobela',
  'Rakuoane',
  'Ralebitso',
  'Rantšo',
  'Sekoati',
  'Seoane',
  'Setšabi',
  'Tlali',
  'Tlhomola',
  'Tsekoa',
  'Tšehlana',
  'Tšiu',
  'Lehloenya',
  'Lekhotla',
  'Letsoela',
  'Makhakhe',
  'Makoa',
  'Maloi',
  'Mapetla',
  'Maqelepo',
  'Masoabi',
  'Matete',
  'Matsoso',
  'Mohlomi',
  'Mojela',
  'Mokhachane',
  'Mokhethi',
  'Molefe',
  'Moleleki',
  'Mopeli',
  'Morojele',
  'Moshabesha',
  'Mothae',
  'Motlomelo',
  'Nchee',
  'Ntai',
  'Ntšinyi',
  'Phohleli',
  'Posholi',
  'Rapapa',
  'Sebatane',
  'Sefali',
  'Sehlabaka',
  'Sekhesa',
  'Sekonyela',
  'Selebalo',
  'Sematlane',
  'Senekane',
  'Seotsanyana',
  'Sepamo',
  'Shale',
  'Thejane',
  'Thoahlane',
  'Tsolo',
  'Chaka',
  'Chalatse',
  'Hlalele',
  'Jonathan',
  'Khabele',
  'Khomari',
  'Kotelo',
  'Lebesa',
  'Lehana',
  'Lekaota',
  'Lelimo',
  'Lenka',
  'Lephoto',
  'Letuka',
  'Mabathoana',
  'Mahase',
  'Majara',
  'Makhele',
  'Makhaola',
  'Maliehe',
  'Maqutu',
  'Masilo',
  'Matela',
  'Mokhehle',
  'Mokhosi',
  'Moletsane',
  'Mosakeng',
  'Mothepu',
  'Ntsane',
  'Phororo',
  'Rampai',
  'Rantsane',
  'Seliane',
  'Senyane',
  'Tikoe',
];

const VOWEL = 'aeiouAEIOU';
const APOSTROPHE_STYLES = ['’', '‘', '`', ''] as const;

// Consonants after which an o before another vowel is the semivowel w (Koena/Kwena, Tšoeu/Tshweu,
// Putsoa/Putswa, Moshoeshoe/Moshweshwe). After m, n, b and the like it is a full vowel (Moeketsi).
const BEFORE_SEMIVOWEL = 'kshltrKSHLTR';

/** The name in South African Sesotho spelling: tš → tsh, š → sh, kh → kg, li/lu → di/du, semivowel o → w, 'M → Mm. */
export function southAfricanSpelling(name: string): string {
  let result = name
    .replace(/tš/g, 'tsh')
    .replace(/Tš/g, 'Tsh')
    .replace(/TŠ/g, 'TSH')
    .replace(/š/g, 'sh')
    .replace(/Š/g, 'SH')
    .replace(/kh/g, 'kg')
    .replace(/Kh/g, 'Kg')
    .replace(/(^|[\s-])L(?=[iu])/g, '$1D')
    .replace(/l(?=[iu])/g, 'd')
    .replace(/(^|[\s-])'M(?=[aeiou])/g, '$1Mm')
    .replace(/'M(?=[A-Z])/g, 'Mma');
  // o between a consonant and a vowel is the semivowel w: Mokoena → Mokwena, Tšoeu → Tshweu.
  let out = '';
  for (let i = 0; i < result.length; i++) {
    const letter = result[i] ?? '';
    if (
      letter === 'o' &&
      BEFORE_SEMIVOWEL.includes(result[i - 1] ?? '_') &&
      VOWEL.includes(result[i + 1] ?? '_')
    ) {
      out += 'w';
    } else {
      out += letter;
    }
  }
  result = out;
  return result;
}

/**
 * Other ways the same name is written: apostrophe variants (Mots'elisi, Mots’elisi, Motselisi), š written
 * as s or sh (Tšepo, Tsepo, Tshepo), and the whole name in South African spelling (Lineo → Dineo, Mokoena →
 * Mokwena). All of them normalise to the same text as the original; the original is not included.
 */
export function spellingVariants(name: string): string[] {
  const variants = new Set<string>();
  if (name.includes("'")) {
    for (const style of APOSTROPHE_STYLES) {
      variants.add(name.replaceAll("'", style));
    }
  }
  if (/[šŠ]/.test(name)) {
    variants.add(name.replace(/š/g, 's').replace(/Š/g, 'S'));
    variants.add(name.replace(/š/g, 'sh').replace(/Š/g, 'SH'));
  }
  variants.add(southAfricanSpelling(name));
  variants.delete(name);
  return [...variants];
}
