/** The embedded database chain, in the order it is tried (kept apart so config.ts loads no driver). */
export const EMBEDDED_KINDS = ['mongod', 'mongodb-memory-server', 'ferretdb-postgresql', 'ferretdb-sqlite'] as const;

export type EmbeddedKind = (typeof EMBEDDED_KINDS)[number];
