import { actorSummary } from '../../core/actors/index.js';
import { newId } from '../../core/ids/index.js';
import type { Change } from '../../core/kernel/index.js';
import type { Caller } from './caller.js';
import type { Catalogue } from './catalogue.js';
import { openApplication } from './lookup.js';
import { comments } from './schema.js';

export const COMMENT_ADDED = 'services.application.comment-added';

export type CommentVisibility = 'internal' | 'applicant';

/**
 * A comment on an application. Staff choose whether the applicant sees it; what the applicant (or
 * the agent serving them) writes is always visible to both sides.
 */
export async function addComment(
  c: Change,
  catalogue: Catalogue,
  caller: Caller,
  reference: string,
  input: { body: string; visibility?: CommentVisibility },
) {
  const { row, relation } = await openApplication(c, catalogue, caller, reference);
  const visibility = relation === 'staff' ? (input.visibility ?? 'internal') : 'applicant';
  const comment = {
    id: newId(),
    applicationId: row.id,
    authorId: c.actor.id,
    author: actorSummary(c.actor),
    visibility,
    body: input.body.trim(),
    at: c.now,
  };
  await c.tx.insert(comments).values(comment);
  c.audit({
    action: COMMENT_ADDED,
    subject: { type: 'application', id: row.reference },
    after: { id: comment.id, visibility },
  });
  if (visibility === 'applicant') {
    c.publish({
      topic: COMMENT_ADDED,
      payload: { applicationId: row.id, reference: row.reference, visibility },
    });
  }
  return { id: comment.id, visibility, body: comment.body, at: c.now.toISOString() };
}
