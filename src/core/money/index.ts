export { formatMoney, type MoneyLocale, parseMoney } from './format.js';
export { addMoney, allocateMoney, type Lisente, lisente, multiplyMoney, subtractMoney } from './money.js';
