import { Schema, type Connection } from 'mongoose';

/**
 * The audit log. `action` rows: every staff or owner action, one row each (who, what, when,
 * on whom). `refused` rows: attempts refused to someone without the role, rolled up into one
 * row per person and hour (`key`), with the attempts counted per action in `actions` and in
 * total in `count`; `at` and `action` are the latest attempt's.
 */
const auditLogSchema = new Schema(
  {
    kind: { type: String, enum: ['action', 'refused'], default: 'action' },
    /** On `refused` rows: `refused:<actorId>:<hour>`; on the one row of an erasure: `erasure:<customerId>`. */
    key: { type: String },
    actorId: { type: Schema.Types.ObjectId, required: true, index: true },
    actorIdentity: { type: String },
    action: { type: String, required: true },
    targetId: { type: Schema.Types.ObjectId, index: true },
    outcome: { type: String, required: true },
    details: { type: Schema.Types.Mixed, default: {} },
    hour: { type: Date },
    count: { type: Number },
    actions: { type: Schema.Types.Mixed },
    at: { type: Date, required: true, index: true },
  },
  { versionKey: false },
);
// One rolled-up row per person and hour, one row per erasure; sparse because other action rows have no key.
auditLogSchema.index({ key: 1 }, { unique: true, sparse: true });
// The dashboard's two lists: the latest actions and the latest refused attempts.
auditLogSchema.index({ kind: 1, at: -1 });

export function createAuditLogModel(connection: Connection) {
  return connection.model('AuditLog', auditLogSchema, 'audit_log');
}
