import { createHash, randomBytes } from 'node:crypto';
import { readCustomerCsv, type CsvReadResult, type ImportRow, type RowError } from '../domain/customer-csv.js';
import { maskPhone } from '../domain/phone.js';
import type { Locale } from '../i18n.js';
import type { Actor } from './access.js';
import type { ServicePieces } from './context.js';
import type { CustomerImportService, ImportOutcome } from './customer-import.js';

export type ImportUploadsDeps = Pick<ServicePieces, 'access' | 'audit' | 'claims' | 'tickets' | 'now'>;

/** How long a checked file waits for the owner's confirmation, and how long its result stays to be shown. */
const UPLOAD_LIFETIME_MS = 30 * 60_000;
const RESULT_LIFETIME_MS = 24 * 3600_000;
/** Rows shown in the preview (masked numbers). */
const SHOWN_ROWS = 10;

/** The preview's counts: created, updated (a chatting customer now marked a regular), skipped (imported before, or erased). */
export interface ImportCounts {
  created: number;
  updated: number;
  skipped: number;
  errors: number;
}

export interface ImportPreview {
  uploadId: string;
  counts: ImportCounts;
  encoding: Extract<CsvReadResult, { ok: true }>['encoding'];
  firstRows: Array<{ line: number; name: string; phone: string; points: number; visits: number; outcome: ImportOutcome }>;
  errors: RowError[];
}

export type PreviewResult =
  | { ok: true; preview: ImportPreview }
  | { ok: false; reason: 'not_allowed' }
  | { ok: false; reason: 'refused_file'; file: Exclude<CsvReadResult, { ok: true }> }
  | { ok: false; reason: 'no_rows' };

export type ConfirmResult = { ok: true; first: boolean } | { ok: false; reason: 'not_allowed' | 'expired' };

export type ImportReport =
  { ok: true; state: 'importing' } | { ok: true; state: 'done'; counts: ImportCounts } | { ok: false; reason: 'not_allowed' | 'expired' };

interface StoredUpload {
  owner: string;
  session: string;
  rows: ImportRow[];
  errors: number;
}

const uploadKey = (id: string) => `import_upload:${id}`;
const resultKey = (id: string) => `import_result:${id}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ID_SHAPE = /^[\w-]{22}$/;

function countsOf(outcomes: Record<ImportOutcome, number>, errors: number): ImportCounts {
  return { created: outcomes.created, updated: outcomes.marked, skipped: outcomes.already + outcomes.deleted, errors };
}

/**
 * The back office's customer import: the uploaded file is checked by the import's own reader
 * and planned by its own `plan` (nothing written), kept server-side as a ticket tied to the
 * owner and their session for 30 minutes, and imported by the import's own `importAll` once
 * confirmed. A confirmation is a claim, so a double post imports once; the result is kept a day.
 */
export function createImportUploads(ctx: ImportUploadsDeps, customerImport: CustomerImportService) {
  const { access, audit, claims, tickets } = ctx;

  async function readUpload(actor: Actor, id: unknown, session: string): Promise<StoredUpload | undefined> {
    if (typeof id !== 'string' || !ID_SHAPE.test(id)) return undefined;
    const text = await tickets.read(uploadKey(id));
    const upload = text ? (JSON.parse(text) as StoredUpload) : undefined;
    return upload && upload.owner === String(actor.customerId) && upload.session === sha256(session) ? upload : undefined;
  }

  /** Checks the file and says what importing it would do; `session` ties the upload to the owner's session. */
  async function preview(actor: Actor, bytes: Uint8Array, session: string): Promise<PreviewResult> {
    const allowed = await access.authorize(actor, 'import_preview', ['owner']);
    if (!allowed.ok) return allowed;
    const file = readCustomerCsv(bytes, ctx.now().getFullYear());
    if (!file.ok) return { ok: false, reason: 'refused_file', file };
    if (!file.rows.length && !file.errors.length) return { ok: false, reason: 'no_rows' };
    const outcomes = await customerImport.plan(file.rows);
    const tally: Record<ImportOutcome, number> = { created: 0, marked: 0, already: 0, deleted: 0 };
    for (const outcome of outcomes) tally[outcome]++;
    const uploadId = randomBytes(16).toString('base64url');
    const stored: StoredUpload = { owner: String(actor.customerId), session: sha256(session), rows: file.rows, errors: file.errors.length };
    if (file.rows.length) await tickets.issue(uploadKey(uploadId), JSON.stringify(stored), UPLOAD_LIFETIME_MS);
    const counts = countsOf(tally, file.errors.length);
    await audit.action(allowed.actor, 'import_preview', 'checked', undefined, { ...counts });
    const firstRows = file.rows.slice(0, SHOWN_ROWS).map((row, i) => ({
      line: row.line,
      name: row.name,
      phone: maskPhone(row.phone),
      points: row.points,
      visits: row.visits,
      outcome: outcomes[i]!,
    }));
    return { ok: true, preview: { uploadId, counts, encoding: file.encoding, firstRows, errors: file.errors } };
  }

  /**
   * Imports a previewed file once: the first confirmation imports (`first`), a repeat (a double
   * post, a reload) finds the claim taken and imports nothing. New customers get `locale`.
   */
  async function confirm(actor: Actor, uploadId: unknown, session: string, locale: Locale): Promise<ConfirmResult> {
    const allowed = await access.authorize(actor, 'import_customers', ['owner']);
    if (!allowed.ok) return allowed;
    const upload = await readUpload(actor, uploadId, session);
    if (!upload) {
      // Confirmed already (the file is dropped once imported): a repeat shows that import's result.
      const earlier = await report(allowed.actor, uploadId, session);
      return earlier.ok ? { ok: true, first: false } : { ok: false, reason: 'expired' };
    }
    const id = uploadId as string;
    if (!(await claims.take(uploadKey(id), upload.owner))) return { ok: true, first: false };
    // A failure half-way gives the claim back: importing again carries on where it stopped (each row is keyed).
    const outcomes = await customerImport.importAll(upload.rows, locale).catch(async (error: unknown) => {
      await claims.release(uploadKey(id));
      throw error;
    });
    const counts = countsOf(outcomes, upload.errors);
    await tickets.issue(resultKey(id), JSON.stringify({ owner: upload.owner, session: upload.session, counts }), RESULT_LIFETIME_MS);
    await tickets.revoke(uploadKey(id));
    await audit.action(allowed.actor, 'import_customers', 'imported', undefined, { ...counts });
    return { ok: true, first: true };
  }

  /** What became of a confirmed file: still importing, or its counts. */
  async function report(actor: Actor, uploadId: unknown, session: string): Promise<ImportReport> {
    const allowed = await access.authorize(actor, 'import_result', ['owner']);
    if (!allowed.ok) return allowed;
    if (typeof uploadId !== 'string' || !ID_SHAPE.test(uploadId)) return { ok: false, reason: 'expired' };
    const text = await tickets.read(resultKey(uploadId));
    const stored = text ? (JSON.parse(text) as { owner: string; session: string; counts: ImportCounts }) : undefined;
    if (stored && stored.owner === String(actor.customerId) && stored.session === sha256(session))
      return { ok: true, state: 'done', counts: stored.counts };
    const claim = await claims.holder(uploadKey(uploadId));
    return claim?.by === String(actor.customerId) && !stored ? { ok: true, state: 'importing' } : { ok: false, reason: 'expired' };
  }

  return { preview, confirm, report };
}

export type ImportUploads = ReturnType<typeof createImportUploads>;
