//! The command line: `serve`, and the admin commands that work on the database directly
//! (`team create`, `invite`, `member list|remove`, `token revoke`, `webhook …`). Every flag also
//! reads an environment variable (`STANDIN_…`).

mod webhook;

use crate::hub::ChangeHub;
use crate::net::{self, Limits};
use crate::storage::{self, Invitee, Storage, StorageError};
use crate::{app, now, token, AppState, Options};
use clap::{Args, Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// The Chrome extension id of StandIn's unpacked development build: fixed by the public `key`
/// in its manifest (`extension/manifest.mjs`, docs/architecture.md), so join links work.
pub const DEV_EXTENSION_ID: &str = "gfphhdbndifanjakdneehfighdkdkokg";

const DEFAULT_DATABASE_URL: &str = "sqlite://standin.db";

#[derive(Debug, Parser)]
#[command(name = "standin-server", version, about = "StandIn team server")]
pub struct Cli {
    /// Database: `sqlite://FILE` (created on first start) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        global = true,
        env = "STANDIN_DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL
    )]
    pub database_url: String,
    /// Log filter, e.g. `info` or `info,standin_server=debug`.
    #[arg(
        long,
        global = true,
        env = "STANDIN_LOG",
        default_value = "info,sqlx=warn"
    )]
    pub log: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates the database first).
    Serve(ServeArgs),
    /// Manage teams.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Print a one-time invite code for a team.
    Invite(InviteArgs),
    /// List or remove members.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Revoke bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Post team events to chat channels (Slack, Teams, Mattermost, Discord, JSON).
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the chosen one is printed).
    #[arg(long, env = "STANDIN_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Sustained requests per second allowed per token (0 = unlimited).
    #[arg(long, env = "STANDIN_RATE_LIMIT", default_value_t = 10.0)]
    pub rate_limit: f64,
    /// Requests a token may burst before the rate limit applies.
    #[arg(long, env = "STANDIN_RATE_BURST", default_value_t = 60)]
    pub rate_burst: u32,
    /// Sustained requests per second per client address to endpoints without a token
    /// (`POST /v1/join`; 0 = unlimited).
    #[arg(long, env = "STANDIN_ADDRESS_RATE_LIMIT", default_value_t = 1.0)]
    pub address_rate_limit: f64,
    /// Such requests an address may burst before its rate limit applies.
    #[arg(long, env = "STANDIN_ADDRESS_RATE_BURST", default_value_t = 20)]
    pub address_rate_burst: u32,
    /// Reverse proxy whose `X-Forwarded-For` names the client (an IP address; repeat the flag,
    /// or separate with commas). None by default: the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "STANDIN_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// A request's head must arrive within this time of the connection opening (or of its
    /// first byte, on a kept-alive connection).
    #[arg(long, env = "STANDIN_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_read_timeout: Duration,
    /// A connection with no request in flight is closed after this long.
    #[arg(long, env = "STANDIN_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Connections served at once; more wait until one closes. Each is an open file: keep it
    /// below `ulimit -n`.
    #[arg(long, env = "STANDIN_MAX_CONNECTIONS", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
    #[command(flatten)]
    pub webhooks: webhook::WebhookServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Create a team.
    Create {
        #[arg(env = "STANDIN_TEAM")]
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The team to invite into.
    #[arg(long, env = "STANDIN_TEAM")]
    pub team: String,
    /// The new member will be an admin.
    #[arg(long, env = "STANDIN_INVITE_ADMIN", conflicts_with = "member")]
    pub admin: bool,
    /// An invite for this existing member (`m_…`, see `member list`): it signs one more browser
    /// in as them, keeping their id, names and declaration (a new laptop after `token revoke`).
    #[arg(long, env = "STANDIN_INVITE_MEMBER")]
    pub member: Option<String>,
    /// How long the code stays valid: `30m`, `12h`, `7d`.
    #[arg(long, env = "STANDIN_INVITE_EXPIRES", default_value = "7d", value_parser = parse_duration)]
    pub expires: Duration,
    /// How many codes to print, one per line (each works once).
    #[arg(long, env = "STANDIN_INVITE_COUNT", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub count: u32,
    /// The server's address as members reach it, for the join link.
    #[arg(
        long,
        env = "STANDIN_SERVER_URL",
        default_value = "http://127.0.0.1:8787"
    )]
    pub server_url: String,
    /// The Chrome extension id for the join link printed beside each code (the development
    /// build's by default; a store build's id differs). Empty: no link.
    #[arg(long, env = "STANDIN_EXTENSION_ID", default_value = DEV_EXTENSION_ID)]
    pub extension_id: String,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// List a team's members.
    List {
        #[arg(long, env = "STANDIN_TEAM")]
        team: String,
    },
    /// Remove a member: their tokens stop working and their declaration is cleared.
    Remove {
        #[arg(long, env = "STANDIN_TEAM")]
        team: String,
        /// Member id (`m_…`, see `member list`).
        member: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Revoke every token of a member (`--team` and `--member`: a lost laptop) or one token
    /// (`--token`). Takes effect within 2 s.
    Revoke {
        /// The member's team (with `--member`).
        #[arg(long, env = "STANDIN_TEAM", requires = "member")]
        team: Option<String>,
        /// The member whose tokens to revoke (`m_…`, see `member list`).
        #[arg(long, env = "STANDIN_REVOKE_MEMBER")]
        member: Option<String>,
        /// One token itself (as the member's extension holds it; admins rarely have it).
        #[arg(long, env = "STANDIN_REVOKE_TOKEN", conflicts_with = "member")]
        token: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("no team named {0:?} (create it with `standin-server team create NAME`)")]
    NoTeam(String),
    #[error("no member {0:?} in that team")]
    NoMember(String),
    #[error("nothing was revoked (unknown or already revoked token)")]
    NothingRevoked,
    #[error("say which token: --token TOKEN, or --team NAME --member ID")]
    RevokeWhat,
    #[error("a team name must be 1–100 characters on one line")]
    BadTeamName,
    #[error("webhook not added: {0}")]
    BadWebhook(String),
    #[error("no webhook {0:?} (see `webhook list`)")]
    NoWebhook(String),
    #[error("no finished delivery {0:?} (see `webhook deliveries`)")]
    NoDelivery(String),
    #[error("--webhook-ca-file {}: {source}", path.display())]
    CaFile {
        path: std::path::PathBuf,
        source: crate::webhook::roots::CaFileError,
    },
}

/// `30s`, `15m`, `12h`, `7d`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text.len().saturating_sub(1);
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("expected e.g. 7d, 12h, 30m or 45s, not {text:?}"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("unknown unit in {text:?}: use s, m, h or d")),
    };
    if secs == 0 || secs > 366 * 86_400 {
        return Err("must be between 1 second and a year".into());
    }
    Ok(Duration::from_secs(secs))
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    init_logging(&cli.log);
    let hub = Arc::new(ChangeHub::new());
    let store = storage::open(&cli.database_url, hub).await?;
    match cli.command {
        Command::Serve(args) => serve(store, &cli.database_url, args).await,
        Command::Team(TeamCommand::Create { name }) => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
                return Err(CliError::BadTeamName);
            }
            let team = store.create_team(name, now()).await?;
            println!("created team {} ({})", team.name, team.id);
            Ok(())
        }
        Command::Invite(args) => {
            let team = team_named(store.as_ref(), &args.team).await?;
            let expires_ms = i64::try_from(args.expires.as_millis()).unwrap_or(i64::MAX);
            let expires_at = standin::time::Timestamp(now().millis().saturating_add(expires_ms));
            let (invitee, whom) = match args.member {
                Some(id) => {
                    let Some(record) = store.member(&team.id, &id).await? else {
                        return Err(CliError::NoMember(id));
                    };
                    let whom = format!("signing in as {} ({id})", record.member.display_name);
                    (Invitee::Existing(id), whom)
                }
                None if args.admin => (Invitee::Admin, "a new admin".to_owned()),
                None => (Invitee::Member, "a new member".to_owned()),
            };
            eprintln!(
                "invite code(s) for team {}, {whom}, each works once, until {}:",
                team.name, expires_at
            );
            for _ in 0..args.count {
                let code = token::new_invite_code();
                store
                    .create_invite(
                        &team.id,
                        &token::hash(&code),
                        invitee.clone(),
                        expires_at,
                        now(),
                    )
                    .await?;
                println!("{code}");
                // Beside the code, on stderr: scripts read the codes alone from stdout.
                if !args.extension_id.is_empty() {
                    let origin = format!("chrome-extension://{}", args.extension_id);
                    let link = standin::connect::join_link(&origin, &args.server_url, &code);
                    eprintln!("  join link (Chrome): {link}");
                }
            }
            Ok(())
        }
        Command::Member(MemberCommand::List { team }) => {
            let team = team_named(store.as_ref(), &team).await?;
            println!(
                "{:<20} {:<6} {:<24} {:<20} github",
                "id", "admin", "name", "timezone"
            );
            for record in store.members(&team.id).await? {
                let m = record.member;
                println!(
                    "{:<20} {:<6} {:<24} {:<20} {}",
                    m.id,
                    if record.is_admin { "yes" } else { "" },
                    m.display_name,
                    m.timezone,
                    m.handles.github.unwrap_or_default()
                );
            }
            Ok(())
        }
        Command::Member(MemberCommand::Remove { team, member }) => {
            let team = team_named(store.as_ref(), &team).await?;
            if !store.remove_member(&team.id, &member, now()).await? {
                return Err(CliError::NoMember(member));
            }
            println!("removed {member} from {}", team.name);
            Ok(())
        }
        Command::Token(TokenCommand::Revoke {
            token: Some(secret),
            ..
        }) => {
            if !store
                .revoke_token(&token::hash(secret.trim()), now())
                .await?
            {
                return Err(CliError::NothingRevoked);
            }
            println!("revoked");
            Ok(())
        }
        Command::Token(TokenCommand::Revoke {
            team: Some(team),
            member: Some(member),
            ..
        }) => {
            let team = team_named(store.as_ref(), &team).await?;
            if store.member(&team.id, &member).await?.is_none() {
                return Err(CliError::NoMember(member));
            }
            let n = store.revoke_member_tokens(&member, now()).await?;
            println!("revoked {n} token(s) of {member}");
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { .. }) => Err(CliError::RevokeWhat),
        Command::Webhook(command) => webhook::run(store.as_ref(), command).await,
    }
}

async fn team_named(store: &dyn Storage, name: &str) -> Result<storage::Team, CliError> {
    store
        .team_by_name(name)
        .await?
        .ok_or_else(|| CliError::NoTeam(name.to_owned()))
}

/// The command that creates a team in this database. A `postgres://` URL may hold a password,
/// so only a SQLite file is named; otherwise the admin adds their own `--database-url`.
fn create_command(database_url: &str) -> String {
    match database_url {
        DEFAULT_DATABASE_URL => "standin-server team create NAME".to_owned(),
        url if url.starts_with("sqlite:") => {
            format!("standin-server --database-url {url} team create NAME")
        }
        _ => "standin-server team create NAME (with this server's --database-url)".to_owned(),
    }
}

async fn serve(
    store: Arc<dyn Storage>,
    database_url: &str,
    args: ServeArgs,
) -> Result<(), CliError> {
    let webhooks = args.webhooks.settings()?;
    let options = Options {
        rate_per_second: args.rate_limit,
        rate_burst: args.rate_burst,
        address_rate_per_second: args.address_rate_limit,
        address_rate_burst: args.address_rate_burst,
        trusted_proxies: args.trusted_proxies,
        ..Options::default()
    };
    let limits = Limits {
        header_read: args.header_read_timeout,
        idle: args.idle_timeout,
        max_connections: args.max_connections,
    };
    let kind = store.kind();
    if !store.has_teams().await? {
        tracing::warn!(
            "no team exists yet: create one with `{}`",
            create_command(database_url)
        );
    }
    let hub = store.hub().clone();
    tokio::spawn(crate::webhook::deliver::run(store.clone(), webhooks));
    if let webhook::Retention(Some(retention)) = args.webhooks.webhook_retention {
        use crate::webhook::retention;
        tokio::spawn(retention::run(store.clone(), retention, retention::EVERY));
    }
    let router = app(AppState::new(store, options));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError::Listen(args.listen, e))?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::Listen(args.listen, e))?;
    // Scripts and tests read this line to learn the port.
    println!("standin-server listening on http://{local} ({kind})");
    let shutdown = async move {
        shutdown_signal().await;
        // Open long polls answer now, so their connections can close.
        hub.close();
    };
    net::serve(listener, router, limits, shutdown).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

fn init_logging(filter: &str) {
    let targets: Targets = filter
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO));
    // Logs go to stderr so stdout stays for command output (invite codes).
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_filter(targets),
        )
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        for bad in ["", "7", "d", "0h", "7w", "-1d", "999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_create_command_names_a_sqlite_file_but_no_postgres_password() {
        assert_eq!(
            create_command("sqlite://standin.db"),
            "standin-server team create NAME"
        );
        assert_eq!(
            create_command("sqlite:///var/lib/standin/db.sqlite"),
            "standin-server --database-url sqlite:///var/lib/standin/db.sqlite team create NAME"
        );
        assert!(!create_command("postgres://u:secret@db/standin").contains("secret"));
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
