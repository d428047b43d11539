/**
 * The workspace catalog: one SQLite database (WAL) indexing everything on disk. Schema changes are numbered
 * migrations recorded in `schema_version`; opening a catalog applies the ones it hasn't seen, in a transaction.
 */
import Database from 'better-sqlite3';

export type DB = Database.Database;

export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'bars, imports, findings, settings history',
    sql: `
      CREATE TABLE bar_sets (
        symbol TEXT NOT NULL,
        timeframe TEXT NOT NULL,
        rows INTEGER NOT NULL,
        first_ts REAL,
        last_ts REAL,
        content_hash TEXT NOT NULL,
        path TEXT NOT NULL,
        source_file TEXT,
        adjusted INTEGER NOT NULL DEFAULT 0,
        tz TEXT NOT NULL DEFAULT 'UTC',
        import_id INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (symbol, timeframe)
      );
      CREATE TABLE imports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        source TEXT NOT NULL,
        status TEXT NOT NULL,
        on_error TEXT NOT NULL,
        files INTEGER NOT NULL DEFAULT 0,
        rows_in INTEGER NOT NULL DEFAULT 0,
        rows_stored INTEGER NOT NULL DEFAULT 0,
        dropped INTEGER NOT NULL DEFAULT 0,
        fixed INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0,
        report TEXT NOT NULL
      );
      CREATE TABLE import_findings (
        import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
        symbol TEXT,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        file TEXT NOT NULL,
        line INTEGER,
        field TEXT,
        message TEXT NOT NULL,
        action TEXT,
        fixed_to TEXT
      );
      CREATE INDEX import_findings_symbol ON import_findings(symbol, import_id);
      CREATE TABLE settings_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        changed_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'run history',
    sql: `
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        created_at TEXT NOT NULL,
        strategy TEXT NOT NULL,
        symbols TEXT NOT NULL,
        params TEXT NOT NULL,
        config TEXT NOT NULL,
        data_hash TEXT NOT NULL,
        version TEXT NOT NULL,
        final_equity REAL,
        metrics TEXT NOT NULL,
        summary TEXT NOT NULL,
        equity_ts BLOB,
        equity BLOB
      );
      CREATE INDEX runs_created ON runs (created_at);
      CREATE INDEX runs_strategy ON runs (strategy);
    `,
  },
  {
    version: 3,
    name: 'model registry',
    sql: `
      CREATE TABLE models (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        task TEXT NOT NULL,
        created_at TEXT NOT NULL,
        features TEXT NOT NULL,
        meta TEXT NOT NULL,
        artifact TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        version TEXT NOT NULL
      );
      CREATE INDEX models_name ON models (name);
    `,
  },
  {
    version: 4,
    name: 'hyperparameter studies',
    sql: `
      CREATE TABLE studies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        config TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE trials (
        study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        state TEXT NOT NULL,
        params TEXT NOT NULL,
        value REAL,
        intermediate TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        PRIMARY KEY (study_id, number)
      );
    `,
  },
];

export function openCatalog(file: string): DB {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function schemaVersion(db: DB): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

export function migrate(db: DB): number {
  const current = schemaVersion(db);
  const pending = MIGRATIONS.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  const apply = db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
  });
  apply();
  return schemaVersion(db);
}
