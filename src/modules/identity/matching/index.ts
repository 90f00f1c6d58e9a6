export {
  type BlockKeys,
  type BlockLookup,
  blockKeys,
  CANDIDATE_BLOCKS,
  type CandidateBlock,
  CandidateBlocks,
  LETTERS,
  type Letters,
  type MatchKeys,
  matchKeys,
  type NamedPerson,
  normalisedNames,
  SHORT_NAME,
  SURNAME_TRIGRAM_FLOOR,
  trigramSimilarity,
} from './blocks.js';
export { nameTokens, normaliseName, ORTHOGRAPHY_RULES, type OrthographyRule } from './normalise.js';
export { KEY_LENGTH, phoneticKey, phoneticKeyOfNormalised } from './phonetic.js';
export {
  DEFAULT_MATCH_THRESHOLDS,
  DEFAULT_MATCH_WEIGHTS,
  type MatchAgreement,
  type MatchBirth,
  type MatchPerson,
  type MatchReason,
  type MatchResult,
  type MatchSex,
  type MatchWeights,
  matchEvidence,
  type NormalisedNames,
  normaliseNames,
  type PreparedPerson,
  preparePerson,
  scoreOnly,
  scorePair,
  scorePrepared,
} from './score.js';
export { editDistance, jaroWinkler, nameSimilarity, SIMILAR_NAME } from './similarity.js';
