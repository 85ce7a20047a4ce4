/** Under this many, the count is exact (counting is quick there, and the statistics may not exist yet). */
const EXACT_BELOW = 10_000;

interface Counted {
  collection: { aggregate(pipeline: object[]): { toArray(): Promise<unknown[]> } };
  countDocuments(filter: Record<string, never>): PromiseLike<number>;
}

/**
 * How many documents a collection holds. FerretDB 1.x answers `count` (and so
 * `estimatedDocumentCount`) by reading every document: 1.2 s at 20,000 customers, against 4 ms
 * for `$collStats`. On PostgreSQL `$collStats` reads the planner's statistics: an estimate, and
 * -1 for a table PostgreSQL has not analysed yet (a new shop's). So a small collection is
 * counted (exact, and cheap), a large one estimated (MongoDB gives one row per shard, hence the sum).
 */
export async function collectionCount(model: Counted): Promise<number> {
  const rows = (await model.collection.aggregate([{ $collStats: { count: {} } }]).toArray()) as Array<{ count?: number }>;
  const estimate = rows.reduce((sum, row) => sum + (row.count ?? 0), 0);
  return estimate < EXACT_BELOW ? await model.countDocuments({}) : estimate;
}
