export { checkCharacter, isValidCheck } from './check.js';
export { createReference, parseReference, type ReferenceParseResult } from './reference.js';
