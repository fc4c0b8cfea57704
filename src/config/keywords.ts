// libpq's connection parameters (PostgreSQL docs: libpq, "Parameter Key Words") and the
// environment variables that supply them ("Environment Variables"). Which of them this driver
// acts on, which it accepts without effect, and which it refuses is decided in options.ts and
// documented in README "Configuration (libpq compatible)".

/** Every keyword libpq 17 accepts in a connection string, a URI or a service file. */
export const LIBPQ_KEYWORDS = [
  "host",
  "hostaddr",
  "port",
  "dbname",
  "user",
  "password",
  "passfile",
  "require_auth",
  "channel_binding",
  "connect_timeout",
  "client_encoding",
  "options",
  "application_name",
  "fallback_application_name",
  "keepalives",
  "keepalives_idle",
  "keepalives_interval",
  "keepalives_count",
  "tcp_user_timeout",
  "replication",
  "gssencmode",
  "sslmode",
  "sslnegotiation",
  "sslcompression",
  "sslcert",
  "sslkey",
  "sslpassword",
  "sslcertmode",
  "sslrootcert",
  "sslcrl",
  "sslcrldir",
  "sslsni",
  "requirepeer",
  "ssl_min_protocol_version",
  "ssl_max_protocol_version",
  "krbsrvname",
  "gsslib",
  "gssdelegation",
  "service",
  "target_session_attrs",
  "load_balance_hosts",
] as const;

export type LibpqKeyword = (typeof LIBPQ_KEYWORDS)[number];

const KEYWORD_SET: ReadonlySet<string> = new Set(LIBPQ_KEYWORDS);

export function isLibpqKeyword(name: string): name is LibpqKeyword {
  return KEYWORD_SET.has(name);
}

/** Raw keyword values as a connection string, service file or the environment gives them. */
export type Keywords = Partial<Record<LibpqKeyword, string>>;

/** The environment variable libpq reads for each keyword. */
export const ENVIRONMENT: Readonly<Partial<Record<LibpqKeyword, string>>> = {
  host: "PGHOST",
  hostaddr: "PGHOSTADDR",
  port: "PGPORT",
  dbname: "PGDATABASE",
  user: "PGUSER",
  password: "PGPASSWORD",
  passfile: "PGPASSFILE",
  service: "PGSERVICE",
  options: "PGOPTIONS",
  application_name: "PGAPPNAME",
  sslmode: "PGSSLMODE",
  sslnegotiation: "PGSSLNEGOTIATION",
  sslcompression: "PGSSLCOMPRESSION",
  sslcert: "PGSSLCERT",
  sslkey: "PGSSLKEY",
  sslcertmode: "PGSSLCERTMODE",
  sslrootcert: "PGSSLROOTCERT",
  sslcrl: "PGSSLCRL",
  sslcrldir: "PGSSLCRLDIR",
  sslsni: "PGSSLSNI",
  requirepeer: "PGREQUIREPEER",
  ssl_min_protocol_version: "PGSSLMINPROTOCOLVERSION",
  ssl_max_protocol_version: "PGSSLMAXPROTOCOLVERSION",
  gssencmode: "PGGSSENCMODE",
  krbsrvname: "PGKRBSRVNAME",
  gsslib: "PGGSSLIB",
  gssdelegation: "PGGSSDELEGATION",
  connect_timeout: "PGCONNECT_TIMEOUT",
  client_encoding: "PGCLIENTENCODING",
  target_session_attrs: "PGTARGETSESSIONATTRS",
  load_balance_hosts: "PGLOADBALANCEHOSTS",
  channel_binding: "PGCHANNELBINDING",
  require_auth: "PGREQUIREAUTH",
};

/** Keywords libpq reads from the environment, in the order it documents them. */
export function keywordsFromEnvironment(env: Readonly<Record<string, string | undefined>>): Keywords {
  const out: Keywords = {};
  for (const [keyword, variable] of Object.entries(ENVIRONMENT) as [LibpqKeyword, string][]) {
    const value = env[variable];
    // libpq treats an empty variable as unset.
    if (value !== undefined && value !== "") out[keyword] = value;
  }
  return out;
}

/**
 * Server settings libpq sends at startup from the environment (PGTZ, PGDATESTYLE, PGGEQO).
 * PGDATESTYLE is left out: the driver's decoders read ISO dates, so it always sends ISO.
 */
export function serverSettingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (env.PGTZ) out.TimeZone = env.PGTZ;
  if (env.PGGEQO) out.geqo = env.PGGEQO;
  return out;
}
