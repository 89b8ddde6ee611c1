// The part of `pg` the benchmark uses directly (knex brings pg without its types).
declare module 'pg' {
  interface PoolClient {
    query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
    release(): void;
  }
  export class Pool {
    constructor(config: { connectionString: string; max?: number });
    query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
    connect(): Promise<PoolClient>;
    end(): Promise<void>;
  }
  const pg: { Pool: typeof Pool };
  export default pg;
}
