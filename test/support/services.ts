import { beforeAll } from 'vitest';
import { cleanDisplayName } from '../../src/domain/names.js';
import { createLogger } from '../../src/logger.js';
import { parseProgram } from '../../src/program/load.js';
import type { Program } from '../../src/program/schema.js';
import { createServices, type Actor, type Services } from '../../src/services/index.js';
import defaultProgram from '../../src/program/default-program.json' with { type: 'json' };
import { useTestDatabase, type TestDatabase } from './database.js';

/** The base of the links the services hand out in these tests. */
export const PUBLIC_URL = 'http://127.0.0.1:8080';

/** A clock tests move by hand; services read it through `now`. */
export class TestClock {
  constructor(public current = new Date('2026-06-01T03:00:00Z')) {}
  now = () => new Date(this.current);
  advanceDays(days: number): void {
    this.current = new Date(this.current.getTime() + days * 24 * 3600 * 1000);
  }
}

export interface ServiceHarness {
  db: TestDatabase;
  clock: TestClock;
  program: Program;
  readonly services: Services;
  /** Joins a person on Telegram (a numeric id) or Zalo, agreed to the privacy notice, and returns their customer. */
  join(id: number | string, name: string): ReturnType<Services['customers']['join']>;
  /** Joins a person and makes them staff (or owner); returns the actor for commands. */
  staff(id: number, name: string, role?: 'staff' | 'owner'): Promise<Actor>;
}

/** Services over this test file's own database, with a hand-moved clock. */
export function useServices(label: string, programOverrides: (p: Program) => Program = (p) => p): ServiceHarness {
  const db = useTestDatabase(label);
  const clock = new TestClock();
  const program = programOverrides(parseProgram(structuredClone(defaultProgram)));
  let services: Services | undefined;
  beforeAll(() => {
    services = createServices({
      models: db.models,
      program,
      logger: createLogger('silent'),
      timezone: 'Asia/Ho_Chi_Minh',
      publicUrl: PUBLIC_URL,
      now: clock.now,
    });
  });
  const harness: ServiceHarness = {
    db,
    clock,
    program,
    get services() {
      if (!services) throw new Error('services are built in beforeAll');
      return services;
    },
    join: async (id, name) => {
      const identity = typeof id === 'number' ? `telegram:${id}` : `zalo:${id}`;
      const input = { identity, chatId: String(id), displayName: name, locale: 'vi' as const };
      const first = await harness.services.customers.join(input);
      if (first.customer.consentVersion) return first;
      // As in the chat: the person agrees to the notice, and the program keeps their name from then on.
      await harness.services.consent.agree(first.actor, first.customer, program.privacy.noticeVersion, cleanDisplayName(name));
      return { ...(await harness.services.customers.join(input)), created: first.created };
    },
    staff: async (id, name, role = 'staff') => {
      const { customer } = await harness.join(id, name);
      await db.models.Customer.updateOne({ _id: customer._id }, { $set: { role } });
      return { customerId: customer._id, identity: `telegram:${id}` };
    },
  };
  return harness;
}
