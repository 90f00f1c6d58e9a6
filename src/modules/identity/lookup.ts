import { eq } from 'drizzle-orm';
import type { Tx } from '../../core/db/index.js';
import { fieldError, problems } from '../../core/http/index.js';
import { type PersonRow, persons } from './schema.js';
import { validateUinInput } from './uin/index.js';

/**
 * The person a typed UIN names. A wrong check digit is a typing error, said so at `pointer`;
 * a well-formed UIN nobody holds is "not in the register". Both are 422: the request was read,
 * its content is wrong.
 */
export async function personByUin(
  tx: Tx,
  text: string,
  pointer = '/uin',
  forUpdate = false,
): Promise<PersonRow> {
  const checked = validateUinInput(text);
  if (!checked.ok) {
    const key = checked.reason === 'check-digit' ? 'identity.error.uin-typo' : 'identity.error.uin-format';
    throw problems.invalid([fieldError(pointer, `uin-${checked.reason}`, key)]);
  }
  const query = tx.select().from(persons).where(eq(persons.uin, checked.uin));
  const [found] = forUpdate ? await query.for('update') : await query;
  if (!found) throw problems.invalid([fieldError(pointer, 'uin-unknown', 'identity.error.uin-unknown')]);
  return found;
}

export async function personById(tx: Tx, id: string, forUpdate = false): Promise<PersonRow> {
  const query = tx.select().from(persons).where(eq(persons.id, id));
  const [found] = forUpdate ? await query.for('update') : await query;
  if (!found) throw problems.notFound();
  return found;
}
