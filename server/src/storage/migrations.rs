//! The numbered migrations of each backend, embedded in the binary and run on start.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::borrow::Cow;

fn migrator(files: &[(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = files
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        // PostgreSQL: replicas starting together take an advisory lock and migrate once.
        locking: true,
        ..Migrator::DEFAULT
    }
}

pub fn sqlite() -> Migrator {
    migrator(&[
        (
            1,
            "initial",
            include_str!("../../migrations/sqlite/0001_initial.sql"),
        ),
        (
            2,
            "claims",
            include_str!("../../migrations/sqlite/0002_claims.sql"),
        ),
        (
            3,
            "member invites",
            include_str!("../../migrations/sqlite/0003_member_invites.sql"),
        ),
        (
            4,
            "webhooks",
            include_str!("../../migrations/sqlite/0004_webhooks.sql"),
        ),
        (
            5,
            "webhook retention",
            include_str!("../../migrations/sqlite/0005_webhook_retention.sql"),
        ),
    ])
}

pub fn postgres() -> Migrator {
    migrator(&[
        (
            1,
            "initial",
            include_str!("../../migrations/postgres/0001_initial.sql"),
        ),
        (
            2,
            "claims",
            include_str!("../../migrations/postgres/0002_claims.sql"),
        ),
        (
            3,
            "member invites",
            include_str!("../../migrations/postgres/0003_member_invites.sql"),
        ),
        (
            4,
            "webhooks",
            include_str!("../../migrations/postgres/0004_webhooks.sql"),
        ),
        (
            5,
            "webhook retention",
            include_str!("../../migrations/postgres/0005_webhook_retention.sql"),
        ),
    ])
}
