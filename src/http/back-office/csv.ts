import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Request, Response } from 'express';
import type { ExportFile } from '../../services/exports.js';

/**
 * Sends a file as UTF-8 CSV with a BOM (so spreadsheet programs read Vietnamese right), written
 * through a pipeline: the socket's backpressure paces the rows' cursor, and a browser that goes
 * away destroys the pipeline, which closes the cursor.
 */
export async function sendCsv(req: Request, res: Response, file: ExportFile, kind: string): Promise<void> {
  res.set({
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${file.fileName}"`,
  });
  try {
    await pipeline(Readable.from(file.rows), stringify({ bom: true, header: true, columns: [...file.columns] }), res);
  } catch (error) {
    // The browser went away (cancelled, closed): the pipeline closed the cursor; nothing to say.
    if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    req.log.error({ err: error, kind }, 'export failed');
    if (!res.headersSent) res.status(500).end();
    else res.destroy();
  }
}
