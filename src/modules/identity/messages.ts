import { addMessages } from '../../core/i18n/index.js';

/** Texts registrars and citizens see from the civil register, under the `identity.` prefix. */
const en = {
  'error.required': 'Enter this information',
  'error.too-long': 'Use {{limit}} characters or fewer',
  'error.name-characters': 'The name has characters that are not allowed',
  'error.sex': 'Choose female (F) or male (M)',
  'error.date-format':
    'Enter the date as year-month-day, for example 1990-03-21, or year-month, or the year only',
  'error.date-impossible': 'This date does not exist',
  'error.birth-future': 'The date of birth must be today or in the past',
  'error.birth-too-old': 'The date of birth is more than {{years}} years ago: check it',
  'error.district': 'Choose one of the ten districts (A to K)',
  'error.uin-typo': 'This identity number has a typing error: check each digit',
  'error.uin-format': 'An identity number has 10 digits',
  'error.uin-unknown': 'No person with this identity number is in the register',
  'error.citizenship': 'Use a three-letter country code such as LSO',
  'error.phone': 'Enter a phone number like 58123456 or +266 5812 3456',
  'error.death-before-birth': 'The date of death cannot be before the date of birth',
  'error.death-future': 'The date of death must be today or in the past',
  'error.already-deceased': 'This person is already recorded as deceased',
  'error.uin-or-person': 'Give the identity number, or the record id of a person without one, not both',
  'error.death-pending':
    'This registration waits for a duplicate decision: decide it first, then record the death',
  'error.death-duplicate':
    'This record was linked to another person as a duplicate: record the death on that person',
  'error.own-approval': 'You proposed this change: another registrar must approve it',
  'error.not-open': 'This case has already been decided',
  'error.candidate': 'Choose one of the candidates listed for this case',
  'error.purpose': 'State why you need this record',
  'error.no-change': 'The amendment changes nothing',
};

const st: Record<keyof typeof en, string> = {
  'error.required': 'Ea hlokahala',
  'error.too-long': 'Sebelisa litlhaku tse {{limit}} kapa ka tlase',
  'error.name-characters': 'Lebitso le na le litlhaku tse sa lumelloeng',
  'error.sex': 'Khetha botšehali (F) kapa botona (M)',
  'error.date-format':
    'Kenya letsatsi ka mokhoa oa selemo-khoeli-letsatsi, mohlala 1990-03-21, kapa selemo-khoeli, kapa selemo feela',
  'error.date-impossible': 'Letsatsi lena ha le eo',
  'error.birth-future': 'Letsatsi la tsoalo le tlameha ho ba kajeno kapa nakong e fetileng',
  'error.birth-too-old': 'Letsatsi la tsoalo le fetile lilemo tse {{years}}: le hlahlobe',
  'error.district': 'Khetha e ’ngoe ea litereke tse leshome (A ho isa K)',
  'error.uin-typo': 'Nomoro ena ea boitsebiso e na le phoso ea ho ngola: hlahloba nomoro ka ’ngoe',
  'error.uin-format': 'Nomoro ea boitsebiso e na le linomoro tse 10',
  'error.uin-unknown': 'Ha ho motho ea nang le nomoro ena ea boitsebiso ngolisong',
  'error.citizenship': 'Sebelisa khoutu ea naha ea litlhaku tse tharo, mohlala LSO',
  'error.phone': 'Kenya nomoro ea mohala joaloka 58123456 kapa +266 5812 3456',
  'error.death-before-birth': 'Letsatsi la lefu le ke ke la ba pele ho letsatsi la tsoalo',
  'error.death-future': 'Letsatsi la lefu le tlameha ho ba kajeno kapa nakong e fetileng',
  'error.already-deceased': 'Motho enoa o se a ngoliloe e le ea hlokahetseng',
  'error.uin-or-person':
    'Fana ka nomoro ea boitsebiso, kapa nomoro ea rekoto ea motho ea se nang eona, eseng ka bobeli',
  'error.death-pending':
    'Ngoliso ena e emetse qeto ea hore na ke motho a le mong: etsa qeto pele, ebe u ngola lefu',
  'error.death-duplicate':
    'Rekoto ena e hokahantsoe le motho e mong e le eona e le ’ngoe: ngola lefu ho motho eo',
  'error.own-approval': 'U hlahisitse phetoho ena: mongoli e mong o tlameha ho e amohela',
  'error.not-open': 'Taba ena e se e etselitsoe qeto',
  'error.candidate': 'Khetha e mong oa batho ba thathamisitsoeng tabeng ena',
  'error.purpose': 'Bolela hore na u hloka rekoto ena hobaneng',
  'error.no-change': 'Phetoho ena ha e fetole letho',
};

addMessages('identity', { en, st });
