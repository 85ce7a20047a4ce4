import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Connection } from 'mongoose';

export interface AgendaOptions {
  /** How often each process polls for due jobs, in milliseconds (Agenda misreads some strings). */
  processEveryMs?: number;
  name?: string;
}

/** Agenda on the app's own MongoDB connection, jobs in the `agendaJobs` collection. */
export function createAgenda(connection: Connection, options: AgendaOptions = {}): Agenda {
  if (!connection.db) throw new Error('createAgenda needs an open MongoDB connection');
  return new Agenda({
    backend: new MongoBackend({ mongo: connection.db }),
    processEvery: options.processEveryMs ?? 5_000,
    name: options.name,
    defaultLockLifetime: 10 * 60_000,
  });
}
