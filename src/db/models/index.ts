import type { Connection } from 'mongoose';
import { createNotificationModel } from './notification.js';
import { createProcessedUpdateModel } from './processed-update.js';

/** Every model, bound to one connection. Services receive this object, never the connection. */
export function createModels(connection: Connection) {
  return {
    Notification: createNotificationModel(connection),
    ProcessedUpdate: createProcessedUpdateModel(connection),
  };
}

export type Models = ReturnType<typeof createModels>;

/** Builds every declared index (unique ones enforce invariants) before the app takes work. */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) {
    await model.createCollection().catch((error: unknown) => {
      // Another process may create it first; that is fine.
      if ((error as { code?: number }).code !== 48) throw error;
    });
    await model.createIndexes();
  }
}
