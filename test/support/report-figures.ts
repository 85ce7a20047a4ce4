import { createLogger } from '../../src/logger.js';
import { createServicePieces } from '../../src/services/context.js';
import { createReportFigures, type ReportFigures } from '../../src/services/reports.js';
import { createRollups } from '../../src/services/rollups.js';
import { PUBLIC_URL, type ServiceHarness } from './services.js';

/** The report figures (with the rollups) built like the services' own, over the harness's database and clock, and the pieces they come from. */
export function reportParts(h: ServiceHarness, timezone: string): { figures: ReportFigures; pieces: ReturnType<typeof createServicePieces> } {
  const pieces = createServicePieces({
    models: h.db.models,
    program: h.program,
    logger: createLogger('silent'),
    timezone,
    publicUrl: PUBLIC_URL,
    now: h.clock.now,
  });
  const rollups = createRollups({ ...pieces, models: h.db.models });
  return { figures: createReportFigures({ models: h.db.models, timezone, now: h.clock.now, rollups }), pieces };
}
