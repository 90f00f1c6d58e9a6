/**
 * Sector tokens: the identifiers other agencies (health, tax, transport, …) hold instead of the UIN.
 *
 * Format: `<key version>.<value>`, e.g. `1.QZ04CSY5R4FTDGZ6JRYTDHGS1G`, where the version is a decimal integer
 * from 1 to 2^31-1 without leading zeros and the value is the first 16 bytes of
 * HMAC-SHA256(sector key, UIN as ASCII) in upper-case Crockford base32 (26 characters, the last carrying
 * two zero padding bits). The sector key is HKDF-SHA256 of the master key with salt
 * {@link SECTOR_TOKEN_SALT} and info `mmuso/sector-token/<sector>/v<version>`, 32 bytes.
 *
 * The version travels in the token so that, after a key rotation, a resolver knows which sector key made a
 * token it is shown. The sector does not: each agency's tokens are stored and looked up per sector.
 */
export {
  deriveSectorKey,
  isSectorName,
  type ParsedSectorToken,
  parseSectorToken,
  SECTOR_TOKEN_SALT,
  sectorToken,
  sectorTokenizer,
} from './token.js';
