//! Migrated databases for the suite's instances, copied from a template instead of migrated one
//! by one: a SQLite file kept in `target/tmp/copse-test-db`, or a PostgreSQL template database,
//! each named by a hash of the migrations, so a changed migration makes a new template. Copying
//! costs a few milliseconds where running every migration costs far more, for each of the many
//! hundred instances of a pass. The template is made by `copse::db::run_migrations`, the function
//! `copse serve` and `copse migrate` run; tests of migrating itself take an empty database.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    path::{Path, PathBuf},
    sync::{Mutex, OnceLock},
};

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");

/// A hash of every file under `migrations/<engine>`, names and contents, in hex.
fn migrations_hash(engine: &str) -> String {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("migrations folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.push(path);
            }
        }
    }
    let root = Path::new(MIGRATIONS).join(engine);
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in files {
        file.strip_prefix(&root)
            .expect("under root")
            .hash(&mut hasher);
        std::fs::read(&file).expect("migration").hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// A migrated SQLite file to copy (made on first use, then kept for later runs).
pub fn sqlite_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("copse-test-db");
        let path = dir.join(format!("sqlite-{}.db", migrations_hash("sqlite")));
        if path.exists() {
            return path;
        }
        std::fs::create_dir_all(&dir).expect("template folder");
        // Made under another name and renamed whole: a suite running beside this one copies a
        // complete template or makes its own. A plain connection (rollback journal): closing
        // it leaves the file alone, with no write-ahead log beside it to copy.
        let partial = dir.join(format!("{}.partial", uuid::Uuid::new_v4().simple()));
        {
            let conn = diesel::Connection::establish(&partial.display().to_string())
                .expect("template file");
            let mut conn = copse::db::DbConn::Sqlite(conn);
            copse::db::run_migrations(&mut conn).expect("migrating the template");
        }
        std::fs::rename(&partial, &path).expect("template in place");
        path
    })
}

/// The name of a migrated template database on the PostgreSQL server at `server` (made on first
/// use, then kept for later runs; older templates of this suite are dropped when a new one is
/// made).
pub fn postgres_template(server: &str) -> String {
    static TEMPLATES: Mutex<Option<HashMap<String, String>>> = Mutex::new(None);
    let mut templates = TEMPLATES.lock().unwrap_or_else(|e| e.into_inner());
    let templates = templates.get_or_insert_with(HashMap::new);
    if let Some(name) = templates.get(server) {
        return name.clone();
    }
    let name = format!("copse_template_{}", migrations_hash("postgres"));
    let mut admin = connect(server, "postgres");
    let exists = |admin: &mut diesel::PgConnection| {
        !names(
            admin,
            &format!("SELECT datname AS name FROM pg_database WHERE datname = '{name}'"),
        )
        .is_empty()
    };
    if !exists(&mut admin) {
        let partial = format!("copse_partial_{}", uuid::Uuid::new_v4().simple());
        execute(&mut admin, &format!("CREATE DATABASE {partial}"));
        {
            let mut conn = copse::db::DbConn::Pg(connect(server, &partial));
            copse::db::run_migrations(&mut conn).expect("migrating the template");
        }
        // The rename fails when another suite put its template in place first: that one is
        // as good, and this one goes.
        let renamed = diesel::RunQueryDsl::execute(
            diesel::sql_query(format!("ALTER DATABASE {partial} RENAME TO {name}")),
            &mut admin,
        );
        if renamed.is_err() {
            execute(&mut admin, &format!("DROP DATABASE IF EXISTS {partial}"));
        }
        let stale = names(
            &mut admin,
            &format!(
                "SELECT datname AS name FROM pg_database \
                 WHERE datname LIKE 'copse\\_template\\_%' AND datname <> '{name}'"
            ),
        );
        for old in stale {
            let _ = diesel::RunQueryDsl::execute(
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {old}")),
                &mut admin,
            );
        }
    }
    templates.insert(server.to_string(), name.clone());
    name
}

fn connect(server: &str, database: &str) -> diesel::PgConnection {
    copse::db::init_openssl();
    diesel::Connection::establish(&format!("{server}/{database}"))
        .unwrap_or_else(|e| panic!("connecting to {server}/{database}: {e}"))
}

fn execute(conn: &mut diesel::PgConnection, sql: &str) {
    diesel::RunQueryDsl::execute(diesel::sql_query(sql), conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn names(conn: &mut diesel::PgConnection, sql: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    diesel::RunQueryDsl::load::<Name>(diesel::sql_query(sql), conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|n| n.name)
        .collect()
}
