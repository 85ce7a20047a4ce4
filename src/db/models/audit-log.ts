import { Schema, type Connection } from 'mongoose';

/** Every staff or owner action: who, what, when, on whom. */
const auditLogSchema = new Schema(
  {
    actorId: { type: Schema.Types.ObjectId, required: true, index: true },
    actorIdentity: { type: String },
    action: { type: String, required: true },
    targetId: { type: Schema.Types.ObjectId, index: true },
    outcome: { type: String, required: true },
    details: { type: Schema.Types.Mixed, default: {} },
    at: { type: Date, required: true, index: true },
  },
  { versionKey: false },
);

export function createAuditLogModel(connection: Connection) {
  return connection.model('AuditLog', auditLogSchema, 'audit_log');
}
