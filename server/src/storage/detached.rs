//! A [`Storage`] wrapper that runs every call on its own task.
//!
//! hyper drops a request's future when its client hangs up, and with it any query in flight.
//! sqlx cannot always recover a connection from that: a `BEGIN` cancelled at the wrong moment
//! leaves PostgreSQL inside a transaction sqlx does not know of (seen here as "there is
//! already a transaction in progress" and stale reads). Detached, a call always runs to its
//! end, so a write happens completely or not at all, and connections return to the pool clean.

use super::*;

pub struct Detached(pub Arc<dyn Storage>);

/// Spawns `$call` on `self.0` with owned copies of the arguments.
macro_rules! detach {
    ($self:ident, |$s:ident| $call:expr) => {{
        let $s = $self.0.clone();
        tokio::spawn(async move { $call.await }).await?
    }};
}

#[async_trait]
impl Storage for Detached {
    fn kind(&self) -> &'static str {
        self.0.kind()
    }

    fn hub(&self) -> &Arc<ChangeHub> {
        self.0.hub()
    }

    fn outbox(&self) -> &dyn crate::webhook::Outbox {
        self.0.outbox()
    }

    async fn create_team(&self, name: &str, now: Timestamp) -> Result<Team> {
        let name = name.to_owned();
        detach!(self, |s| s.create_team(&name, now))
    }

    async fn team_by_name(&self, name: &str) -> Result<Option<Team>> {
        let name = name.to_owned();
        detach!(self, |s| s.team_by_name(&name))
    }

    async fn has_teams(&self) -> Result<bool> {
        detach!(self, |s| s.has_teams())
    }

    async fn team(&self, team_id: &str) -> Result<Option<Team>> {
        let team_id = team_id.to_owned();
        detach!(self, |s| s.team(&team_id))
    }

    async fn create_invite(
        &self,
        team_id: &str,
        code_hash: &str,
        invitee: Invitee,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        let (team_id, code_hash) = (team_id.to_owned(), code_hash.to_owned());
        detach!(self, |s| s
            .create_invite(&team_id, &code_hash, invitee, expires_at, now))
    }

    async fn redeem_invite(
        &self,
        code_hash: &str,
        profile: &Profile,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<JoinOutcome> {
        let (code_hash, profile, token_hash) =
            (code_hash.to_owned(), profile.clone(), token_hash.to_owned());
        detach!(self, |s| s.redeem_invite(
            &code_hash,
            &profile,
            &token_hash,
            now
        ))
    }

    async fn principal(&self, token_hash: &str) -> Result<Option<Principal>> {
        let token_hash = token_hash.to_owned();
        detach!(self, |s| s.principal(&token_hash))
    }

    async fn revoke_token(&self, token_hash: &str, now: Timestamp) -> Result<bool> {
        let token_hash = token_hash.to_owned();
        detach!(self, |s| s.revoke_token(&token_hash, now))
    }

    async fn revoke_member_tokens(&self, member_id: &str, now: Timestamp) -> Result<u64> {
        let member_id = member_id.to_owned();
        detach!(self, |s| s.revoke_member_tokens(&member_id, now))
    }

    async fn member(&self, team_id: &str, member_id: &str) -> Result<Option<MemberRecord>> {
        let (team_id, member_id) = (team_id.to_owned(), member_id.to_owned());
        detach!(self, |s| s.member(&team_id, &member_id))
    }

    async fn members(&self, team_id: &str) -> Result<Vec<MemberRecord>> {
        let team_id = team_id.to_owned();
        detach!(self, |s| s.members(&team_id))
    }

    async fn update_profile(
        &self,
        team_id: &str,
        member_id: &str,
        profile: &Profile,
    ) -> Result<ProfileOutcome> {
        let (team_id, member_id, profile) =
            (team_id.to_owned(), member_id.to_owned(), profile.clone());
        detach!(self, |s| s.update_profile(&team_id, &member_id, &profile))
    }

    async fn remove_member(&self, team_id: &str, member_id: &str, now: Timestamp) -> Result<bool> {
        let (team_id, member_id) = (team_id.to_owned(), member_id.to_owned());
        detach!(self, |s| s.remove_member(&team_id, &member_id, now))
    }

    async fn state(&self, team_id: &str, member_id: &str) -> Result<MemberState> {
        let (team_id, member_id) = (team_id.to_owned(), member_id.to_owned());
        detach!(self, |s| s.state(&team_id, &member_id))
    }

    async fn write_state(
        &self,
        team_id: &str,
        member_id: &str,
        expected: u64,
        declaration: Option<&Declaration>,
        now: Timestamp,
    ) -> Result<WriteOutcome> {
        let (team_id, member_id) = (team_id.to_owned(), member_id.to_owned());
        let declaration = declaration.cloned();
        detach!(self, |s| s.write_state(
            &team_id,
            &member_id,
            expected,
            declaration.as_ref(),
            now
        ))
    }

    async fn ack(
        &self,
        team_id: &str,
        declarer_id: &str,
        version: u64,
        item: Option<&str>,
        by_id: &str,
        now: Timestamp,
    ) -> Result<AckOutcome> {
        let (team_id, declarer_id, by_id) =
            (team_id.to_owned(), declarer_id.to_owned(), by_id.to_owned());
        let item = item.map(str::to_owned);
        detach!(self, |s| s.ack(
            &team_id,
            &declarer_id,
            version,
            item.as_deref(),
            &by_id,
            now
        ))
    }

    async fn team_cursor(&self, team_id: &str) -> Result<u64> {
        let team_id = team_id.to_owned();
        detach!(self, |s| s.team_cursor(&team_id))
    }

    async fn team_states(&self, team_id: &str) -> Result<(u64, Vec<MemberState>)> {
        let team_id = team_id.to_owned();
        detach!(self, |s| s.team_states(&team_id))
    }

    async fn changes(&self, team_id: &str, after: u64) -> Result<Changes> {
        let team_id = team_id.to_owned();
        detach!(self, |s| s.changes(&team_id, after))
    }
}
