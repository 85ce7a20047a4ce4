// A delivery worker that dies right after the platform accepted the message and before
// the outcome is recorded: `node --import tsx crash-delivery-worker.ts <mongoUri> <notificationId>`.
import mongoose from 'mongoose';
import { createModels } from '../../src/db/models/index.js';
import { createI18n } from '../../src/i18n.js';
import { createLogger } from '../../src/logger.js';
import { parseProgram } from '../../src/program/load.js';
import { createNotificationRenderer } from '../../src/channels/conversation/notifications.js';
import { createNotificationDelivery } from '../../src/services/notification-delivery.js';
import defaultProgram from '../../src/program/default-program.json' with { type: 'json' };
import { createOutboxSender } from './outbox-sender.js';

const [uri, notificationId] = process.argv.slice(2);
const connection = await mongoose.createConnection(uri!).asPromise();
const delivery = createNotificationDelivery({
  models: createModels(connection),
  render: createNotificationRenderer(await createI18n({ defaultLocale: 'vi', timezone: 'Asia/Ho_Chi_Minh' }), parseProgram(defaultProgram)),
  logger: createLogger('silent'),
  timezone: 'Asia/Ho_Chi_Minh',
  senders: new Map([['telegram', createOutboxSender(connection)]]),
  afterSend: () => process.exit(17),
});
await delivery.deliver(notificationId!);
process.exit(0);
