/**
 * How many documents a collection holds, from the server's collection statistics. FerretDB 1.x
 * answers `count` (and so `estimatedDocumentCount`) by reading every document: 1.2 s at 20,000
 * customers, against 4 ms for `$collStats` (exact on both FerretDB and MongoDB; MongoDB gives one
 * row per shard, hence the sum).
 */
export async function collectionCount(model: { collection: { aggregate(pipeline: object[]): { toArray(): Promise<unknown[]> } } }): Promise<number> {
  const rows = (await model.collection.aggregate([{ $collStats: { count: {} } }]).toArray()) as Array<{ count?: number }>;
  return rows.reduce((sum, row) => sum + (row.count ?? 0), 0);
}
