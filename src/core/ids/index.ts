import { v7, validate, version } from 'uuid';

/** Internal ids are UUIDv7: unique without coordination, and time-ordered so indexes stay compact. */
export function newId(): string {
  return v7();
}

export function isId(value: string): boolean {
  return validate(value) && version(value) === 7;
}
