import { addMessages } from '../../../core/i18n/index.js';

/** Texts of federated sign-in (through the national ID provider), in English and Sesotho. */
addMessages('auth', {
  en: {
    'federation.button': 'Sign in with {{name}}',
    'federation.or': 'or',
    'federation.failed.title': 'Signing in with your national ID did not work',
    'federation.failed.back': 'Sign in another way',
    'federation.failed.start-again': 'Go back to the service you came from and start again.',
    'federation.failed.unavailable':
      'The national ID service cannot be reached at the moment. Try again later, or sign in another way.',
    'federation.failed.state': 'This sign-in has expired or was already used. Nothing was changed.',
    'federation.failed.upstream-error':
      'The national ID service did not sign you in (you may have cancelled). Nothing was changed.',
    'federation.failed.response':
      'The answer from the national ID service could not be checked, so it was not used. Nothing was changed.',
    'federation.failed.no-uin':
      'The national ID service did not say which identity number is yours, so you cannot be signed in with it.',
    'federation.failed.uin-unknown':
      'Your identity number is not in the civil register here. Ask at a service centre.',
    'federation.failed.person-not-registered':
      'The civil register does not allow signing in with this identity number. Ask at a service centre.',
    'federation.failed.account-disabled':
      'The account linked to your identity number is disabled. Ask at a service centre.',
    'federation.failed.staff-account':
      'Staff accounts sign in with their password and second factor, not with the national ID.',
    'claim.uin': 'Your national identity number (UIN)',
  },
  st: {
    'federation.button': 'Kena ka {{name}}',
    'federation.or': 'kapa',
    'federation.failed.title': 'Ho kena ka boitsebiso ba hau ba naha ha hoa atleha',
    'federation.failed.back': 'Kena ka tsela e ’ngoe',
    'federation.failed.start-again': 'Khutlela tšebeletsong eo u tsoang ho eona ’me u qale hape.',
    'federation.failed.unavailable':
      'Tšebeletso ea boitsebiso ba naha ha e fumanehe hona joale. Ka kopo leka hape hamorao, kapa u kene ka tsela e ’ngoe.',
    'federation.failed.state':
      'Ho kena hona ho felletsoe ke nako kapa ho se ho sebelisitsoe. Ha ho letho le fetotsoeng.',
    'federation.failed.upstream-error':
      'Tšebeletso ea boitsebiso ba naha ha ea u kenya (mohlomong u hlakotse). Ha ho letho le fetotsoeng.',
    'federation.failed.response':
      'Karabo ea tšebeletso ea boitsebiso ba naha ha ea ka ea hlahlojoa, kahoo ha ea sebelisoa. Ha ho letho le fetotsoeng.',
    'federation.failed.no-uin':
      'Tšebeletso ea boitsebiso ba naha ha ea bolela nomoro ea hau ea boitsebiso, kahoo u ke ke ua kena ka eona.',
    'federation.failed.uin-unknown':
      'Nomoro ea hau ea boitsebiso ha e eo ngolisong ea sechaba mona. Botsa setsing sa litšebeletso.',
    'federation.failed.person-not-registered':
      'Ngoliso ea sechaba ha e lumelle ho kena ka nomoro ena ea boitsebiso. Botsa setsing sa litšebeletso.',
    'federation.failed.account-disabled':
      'Akhaonto e hokahaneng le nomoro ea hau ea boitsebiso e koetsoe. Botsa setsing sa litšebeletso.',
    'federation.failed.staff-account':
      'Basebetsi ba kena ka lepetjo la bona le mokhoa oa bobeli, eseng ka boitsebiso ba naha.',
    'claim.uin': 'Nomoro ea hau ea boitsebiso ba naha (UIN)',
  },
});
