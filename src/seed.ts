import { sql } from 'drizzle-orm';
import { systemActor } from './core/actors/index.js';
import { rows } from './core/db/index.js';
import { change, type Kernel } from './core/kernel/index.js';
import { publishAnnouncement } from './modules/messaging/index.js';

const DEMO_SEED = 'demo-2026-11';

/**
 * Demo data for a first start, applied once: the mark and the data commit together, so a crash
 * half-way leaves neither and the next start tries again.
 */
export async function seedDemoData(kernel: Kernel): Promise<boolean> {
  return change(kernel, { actor: systemActor('seed') }, async (c) => {
    const marked = await rows(
      c.tx,
      sql`INSERT INTO core.seeds (name) VALUES (${DEMO_SEED}) ON CONFLICT DO NOTHING RETURNING name`,
    );
    if (marked.length === 0) return false;
    await publishAnnouncement(c, {
      title: { en: 'Welcome to Mmuso', st: 'Rea u amohela ho Mmuso' },
      body: {
        en: 'This is a demonstration of the government services portal of Lesotho.',
        st: 'Ena ke pontšo ea sebaka sa litšebeletso tsa ’Muso oa Lesotho.',
      },
    });
    await publishAnnouncement(c, {
      title: { en: 'Mokhotlong service centre hours', st: 'Linako tsa setsi sa litšebeletso sa Mokhotlong' },
      body: {
        en: 'The Mokhotlong service centre is open Monday to Friday, 08:00 to 16:30.',
        st: 'Setsi sa litšebeletso sa Mokhotlong se bulehile ho tloha Mantaha ho isa Labohlano, 08:00 ho isa 16:30.',
      },
      district: 'J',
    });
    return true;
  });
}
