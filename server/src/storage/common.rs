//! The [`Storage`](super::Storage) implementation both backends share. Their SQL is the same
//! (`sql.rs`); what differs is how a transaction begins (SQLite: `BEGIN IMMEDIATE` on the one
//! writer; PostgreSQL: the team row's lock, REPEATABLE READ snapshots) and how a committed
//! write reaches other processes (PostgreSQL: NOTIFY). Each backend supplies those as inherent
//! methods `write_tx`, `read_tx`, `pool`, `announce`, and this macro writes the rest once.

macro_rules! impl_storage {
    ($store:ty, $db:ty, $kind:literal) => {
        impl $store {
            /// Raises the team's change counter and returns it. Every write that teammates must
            /// hear of takes this first, which also locks the team row (one lock order for all).
            async fn bump_seq(
                tx: &mut sqlx::Transaction<'static, $db>,
                team_id: &str,
            ) -> Result<i64> {
                let (seq,): (i64,) = sqlx::query_as(sql::BUMP_SEQ)
                    .bind(team_id)
                    .fetch_one(&mut **tx)
                    .await?;
                Ok(seq)
            }

            /// Ends every write that raised the team's change counter to `seq`: announce it to
            /// other replicas inside the transaction (so only a committed change is heard), commit,
            /// then wake this process's long polls.
            async fn commit_change(
                &self,
                mut tx: sqlx::Transaction<'static, $db>,
                team_id: &str,
                seq: i64,
            ) -> Result<()> {
                self.announce(&mut tx, team_id, seq).await?;
                tx.commit().await?;
                self.hub.publish(team_id, to_u64(seq));
                Ok(())
            }

            /// Runs one token revocation (`$1` the time, `$2` whose tokens) in a write
            /// transaction; how many tokens it revoked.
            async fn revoke(
                &self,
                statement: &'static str,
                now: Timestamp,
                whose: &str,
            ) -> Result<u64> {
                let mut tx = self.write_tx().await?;
                let done = sqlx::query(statement)
                    .bind(now.millis())
                    .bind(whose)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected())
            }

            /// The state in `row` with its acknowledgements, read through `db` (the pool, or
            /// the write's transaction so they are the ones it leaves).
            async fn with_acks<'e, E>(db: E, row: StateRow) -> Result<MemberState>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let acks: Vec<AckRow> = sqlx::query_as(sql::ACKS_OF)
                    .bind(&row.0)
                    .fetch_all(db)
                    .await?;
                state_from_row(row, acks.iter().map(ack_from_row).collect())
            }

            /// The team's live members, read through `db` (the pool, or a write's transaction).
            async fn members_in<'e, E>(db: E, team_id: &str) -> Result<Vec<MemberRecord>>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let rows: Vec<MemberRow> = sqlx::query_as(sql::MEMBERS)
                    .bind(team_id)
                    .fetch_all(db)
                    .await?;
                rows.into_iter().map(member_from_row).collect()
            }

            /// Writes `profile` over a live member's (`seq` the write's); false when the team
            /// has no such live member.
            async fn set_profile(
                tx: &mut sqlx::Transaction<'static, $db>,
                team_id: &str,
                member_id: &str,
                profile: &Profile,
                seq: i64,
            ) -> Result<bool> {
                let (handles, working_hours) = profile_json(profile)?;
                let done = sqlx::query(sql::UPDATE_PROFILE)
                    .bind(&profile.display_name)
                    .bind(&handles)
                    .bind(&profile.timezone)
                    .bind(&working_hours)
                    .bind(seq)
                    .bind(team_id)
                    .bind(member_id)
                    .execute(&mut **tx)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            /// Makes `profile`'s names `member_id`'s claims, replacing what they held; or, when
            /// another member of the team holds one, the fields naming it (nothing written).
            async fn claim(
                tx: &mut sqlx::Transaction<'static, $db>,
                team_id: &str,
                member_id: &str,
                profile: &Profile,
            ) -> Result<Vec<FieldError>> {
                let others: Vec<(String, String)> = sqlx::query_as(sql::OTHERS_CLAIMS)
                    .bind(team_id)
                    .bind(member_id)
                    .fetch_all(&mut **tx)
                    .await?;
                let taken = taken_fields(profile, &others);
                if !taken.is_empty() {
                    return Ok(taken);
                }
                sqlx::query(sql::DELETE_CLAIMS)
                    .bind(member_id)
                    .execute(&mut **tx)
                    .await?;
                Self::insert_claims(tx, team_id, member_id, claims(profile)).await?;
                Ok(Vec::new())
            }

            async fn insert_claims(
                tx: &mut sqlx::Transaction<'static, $db>,
                team_id: &str,
                member_id: &str,
                rows: Vec<(&'static str, String)>,
            ) -> Result<()> {
                for (namespace, key) in rows {
                    sqlx::query(sql::INSERT_CLAIM)
                        .bind(team_id)
                        .bind(namespace)
                        .bind(&key)
                        .bind(member_id)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            /// A hand-off goes to whoever held the name when it was written. One that named no
            /// one then (its recipient had not joined yet, or went by another name) goes to the
            /// member who claims the name later, within the write that made the claim
            /// (`seq`); a resolved hand-off never moves.
            async fn resolve_pending(
                tx: &mut sqlx::Transaction<'static, $db>,
                team_id: &str,
                seq: i64,
            ) -> Result<()> {
                let members = Self::members_in(&mut **tx, team_id).await?;
                let states: Vec<StateRow> = sqlx::query_as(sql::TEAM_STATES)
                    .bind(team_id)
                    .fetch_all(&mut **tx)
                    .await?;
                for (member_id, _, body, _, recipients) in states {
                    let Some(body) = body else { continue };
                    let declaration: Declaration = serde_json::from_str(&body)?;
                    let mut known: Vec<Recipient> = recipients
                        .as_deref()
                        .map(serde_json::from_str)
                        .transpose()?
                        .unwrap_or_default();
                    let before = known.len();
                    for found in resolve_handoffs(&declaration, &members) {
                        if !known.iter().any(|r| r.item == found.item) {
                            known.push(found);
                        }
                    }
                    if known.len() > before {
                        sqlx::query(sql::SET_RECIPIENTS)
                            .bind(serde_json::to_string(&known)?)
                            .bind(seq)
                            .bind(&member_id)
                            .bind(team_id)
                            .execute(&mut **tx)
                            .await?;
                    }
                }
                Ok(())
            }

            /// Drops `declarer_id`'s acknowledgements whose hand-off no longer goes to the
            /// member who gave them.
            async fn prune_acks(
                tx: &mut sqlx::Transaction<'static, $db>,
                declarer_id: &str,
                recipients: &[Recipient],
            ) -> Result<()> {
                let ackers: Vec<(String, String)> = sqlx::query_as(sql::ACKERS)
                    .bind(declarer_id)
                    .fetch_all(&mut **tx)
                    .await?;
                for (item_key, by_id) in ackers {
                    let item = (!item_key.is_empty()).then_some(item_key.as_str());
                    let stands = recipients
                        .iter()
                        .any(|r| r.item.as_deref() == item && r.member == by_id);
                    if !stands {
                        sqlx::query(sql::DELETE_ACK)
                            .bind(declarer_id)
                            .bind(&item_key)
                            .bind(&by_id)
                            .execute(&mut **tx)
                            .await?;
                    }
                }
                Ok(())
            }

            /// Brings rows from before schema v2 up to it; run at every start, a no-op once
            /// done, and safe with replicas starting together (each step re-checks under its
            /// team's lock). Members who hold no names claim theirs, oldest first: a handle an
            /// earlier member holds is cleared from the later member's profile, and a display
            /// name an earlier member holds stays on the profile unclaimed (it names no one
            /// until they change it). Declarations get their hand-offs resolved.
            pub(crate) async fn settle(&self) -> Result<()> {
                let unclaimed: Vec<MemberRow> = sqlx::query_as(sql::UNCLAIMED_MEMBERS)
                    .fetch_all(self.pool())
                    .await?;
                for row in unclaimed {
                    let record = member_from_row(row)?;
                    let (team_id, id) = (&record.team_id, &record.member.id);
                    let mut tx = self.write_tx().await?;
                    let seq = Self::bump_seq(&mut tx, team_id).await?;
                    let others: Vec<(String, String)> = sqlx::query_as(sql::OTHERS_CLAIMS)
                        .bind(team_id)
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await?;
                    let mine: Option<(String,)> = sqlx::query_as(sql::HAS_CLAIMS)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let m = &record.member;
                    let profile = Profile {
                        display_name: m.display_name.clone(),
                        handles: m.handles.clone(),
                        timezone: m.timezone.clone(),
                        working_hours: m.working_hours.clone(),
                    };
                    let kept = without_taken_handles(&profile, &taken_fields(&profile, &others));
                    let rows: Vec<_> = claims(&kept)
                        .into_iter()
                        .filter(|(n, k)| !others.iter().any(|(on, ok)| on == n && ok == k))
                        .collect();
                    let cleared = kept.handles != profile.handles;
                    if mine.is_some() || (rows.is_empty() && !cleared) {
                        tx.rollback().await?;
                        continue;
                    }
                    if cleared {
                        tracing::warn!(member = id, "cleared handles another member holds");
                        sqlx::query(sql::SET_HANDLES)
                            .bind(serde_json::to_string(&kept.handles)?)
                            .bind(seq)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Self::insert_claims(&mut tx, team_id, id, rows).await?;
                    self.commit_change(tx, team_id, seq).await?;
                }
                let unresolved: Vec<(String, String, String)> =
                    sqlx::query_as(sql::UNRESOLVED_STATES)
                        .fetch_all(self.pool())
                        .await?;
                for (member_id, team_id, body) in unresolved {
                    let declaration: Declaration = serde_json::from_str(&body)?;
                    let mut tx = self.write_tx().await?;
                    let seq = Self::bump_seq(&mut tx, &team_id).await?;
                    let members = Self::members_in(&mut *tx, &team_id).await?;
                    let recipients = resolve_handoffs(&declaration, &members);
                    let done = sqlx::query(sql::RESOLVE_STATE)
                        .bind(serde_json::to_string(&recipients)?)
                        .bind(seq)
                        .bind(&member_id)
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        tx.rollback().await?;
                        continue;
                    }
                    Self::prune_acks(&mut tx, &member_id, &recipients).await?;
                    self.commit_change(tx, &team_id, seq).await?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::Storage for $store {
            fn kind(&self) -> &'static str {
                $kind
            }

            fn outbox(&self) -> &dyn $crate::webhook::Outbox {
                self
            }

            fn hub(&self) -> &std::sync::Arc<$crate::hub::ChangeHub> {
                &self.hub
            }

            async fn create_team(&self, name: &str, now: Timestamp) -> Result<Team> {
                let id = new_id("t_");
                let mut tx = self.write_tx().await?;
                let exists: Option<(String, String)> = sqlx::query_as(sql::TEAM_BY_NAME)
                    .bind(name)
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_some() {
                    return Err(StorageError::TeamExists(name.to_owned()));
                }
                sqlx::query(sql::INSERT_TEAM)
                    .bind(&id)
                    .bind(name)
                    .bind(now.millis())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Team {
                    id,
                    name: name.to_owned(),
                })
            }

            async fn team_by_name(&self, name: &str) -> Result<Option<Team>> {
                let row: Option<(String, String)> = sqlx::query_as(sql::TEAM_BY_NAME)
                    .bind(name)
                    .fetch_optional(self.pool())
                    .await?;
                Ok(row.map(|(id, name)| Team { id, name }))
            }

            async fn has_teams(&self) -> Result<bool> {
                let (any,): (bool,) = sqlx::query_as(sql::ANY_TEAM).fetch_one(self.pool()).await?;
                Ok(any)
            }

            async fn team(&self, team_id: &str) -> Result<Option<Team>> {
                let row: Option<(String, String)> = sqlx::query_as(sql::TEAM_BY_ID)
                    .bind(team_id)
                    .fetch_optional(self.pool())
                    .await?;
                Ok(row.map(|(id, name)| Team { id, name }))
            }

            async fn create_invite(
                &self,
                team_id: &str,
                code_hash: &str,
                invitee: Invitee,
                expires_at: Timestamp,
                now: Timestamp,
            ) -> Result<()> {
                let (is_admin, member_id) = match invitee {
                    Invitee::Member => (false, None),
                    Invitee::Admin => (true, None),
                    Invitee::Existing(id) => (false, Some(id)),
                };
                sqlx::query(sql::INSERT_INVITE)
                    .bind(code_hash)
                    .bind(team_id)
                    .bind(is_admin)
                    .bind(now.millis())
                    .bind(expires_at.millis())
                    .bind(member_id)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn redeem_invite(
                &self,
                code_hash: &str,
                profile: &Profile,
                token_hash: &str,
                now: Timestamp,
            ) -> Result<JoinOutcome> {
                // Unknown, used and expired codes are answered from a read: a flood of bad
                // codes never queues on the writer (SQLite has one for the whole server).
                let status: Option<InviteStatus> = sqlx::query_as(sql::INVITE_STATUS)
                    .bind(code_hash)
                    .fetch_optional(self.pool())
                    .await?;
                if let Some(refused) = invite_refusal(status, now) {
                    return Ok(refused);
                }
                let mut tx = self.write_tx().await?;
                let taken: Option<(String, bool, Option<String>)> =
                    sqlx::query_as(sql::TAKE_INVITE)
                        .bind(now.millis())
                        .bind(code_hash)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((team_id, is_admin, existing)) = taken else {
                    // Someone else took it since the read (or it expired meanwhile).
                    let status: Option<InviteStatus> = sqlx::query_as(sql::INVITE_STATUS)
                        .bind(code_hash)
                        .fetch_optional(&mut *tx)
                        .await?;
                    return Ok(invite_refusal(status, now).unwrap_or(JoinOutcome::ExpiredInvite));
                };
                let seq = Self::bump_seq(&mut tx, &team_id).await?;
                let member_id = match existing {
                    // An existing member's invite: this browser signs in as them, with the
                    // profile it brings.
                    Some(id) => {
                        if !Self::set_profile(&mut tx, &team_id, &id, profile, seq).await? {
                            tx.rollback().await?;
                            return Ok(JoinOutcome::MemberRemoved);
                        }
                        id
                    }
                    None => {
                        let (handles, working_hours) = profile_json(profile)?;
                        let id = new_id("m_");
                        sqlx::query(sql::INSERT_MEMBER)
                            .bind(&id)
                            .bind(&team_id)
                            .bind(&profile.display_name)
                            .bind(&handles)
                            .bind(&profile.timezone)
                            .bind(&working_hours)
                            .bind(is_admin)
                            .bind(seq)
                            .bind(now.millis())
                            .execute(&mut *tx)
                            .await?;
                        id
                    }
                };
                let taken = Self::claim(&mut tx, &team_id, &member_id, profile).await?;
                if !taken.is_empty() {
                    // The invite stays unused: the member may join with other names.
                    tx.rollback().await?;
                    return Ok(JoinOutcome::NameTaken(taken));
                }
                Self::resolve_pending(&mut tx, &team_id, seq).await?;
                sqlx::query(sql::INSERT_TOKEN)
                    .bind(token_hash)
                    .bind(&member_id)
                    .bind(now.millis())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(sql::MARK_INVITE_USER)
                    .bind(&member_id)
                    .bind(code_hash)
                    .execute(&mut *tx)
                    .await?;
                let (team_name,): (String,) =
                    sqlx::query_as("SELECT name FROM teams WHERE id = $1")
                        .bind(&team_id)
                        .fetch_one(&mut *tx)
                        .await?;
                let row: MemberRow = sqlx::query_as(sql::MEMBER)
                    .bind(&team_id)
                    .bind(&member_id)
                    .fetch_one(&mut *tx)
                    .await?;
                self.commit_change(tx, &team_id, seq).await?;
                Ok(JoinOutcome::Joined {
                    team: Team {
                        id: team_id,
                        name: team_name,
                    },
                    member: Box::new(member_from_row(row)?),
                })
            }

            async fn principal(&self, token_hash: &str) -> Result<Option<Principal>> {
                let row: Option<(String, String, bool)> = sqlx::query_as(sql::PRINCIPAL)
                    .bind(token_hash)
                    .fetch_optional(self.pool())
                    .await?;
                Ok(row.map(|(member_id, team_id, is_admin)| Principal {
                    member_id,
                    team_id,
                    is_admin,
                }))
            }

            async fn revoke_token(&self, token_hash: &str, now: Timestamp) -> Result<bool> {
                Ok(self.revoke(sql::REVOKE_TOKEN, now, token_hash).await? > 0)
            }

            async fn revoke_member_tokens(&self, member_id: &str, now: Timestamp) -> Result<u64> {
                self.revoke(sql::REVOKE_MEMBER_TOKENS, now, member_id).await
            }

            async fn member(&self, team_id: &str, member_id: &str) -> Result<Option<MemberRecord>> {
                let row: Option<MemberRow> = sqlx::query_as(sql::MEMBER)
                    .bind(team_id)
                    .bind(member_id)
                    .fetch_optional(self.pool())
                    .await?;
                row.map(member_from_row).transpose()
            }

            async fn members(&self, team_id: &str) -> Result<Vec<MemberRecord>> {
                Self::members_in(self.pool(), team_id).await
            }

            async fn update_profile(
                &self,
                team_id: &str,
                member_id: &str,
                profile: &Profile,
            ) -> Result<ProfileOutcome> {
                let mut tx = self.write_tx().await?;
                let seq = Self::bump_seq(&mut tx, team_id).await?;
                if !Self::set_profile(&mut tx, team_id, member_id, profile, seq).await? {
                    tx.rollback().await?;
                    return Ok(ProfileOutcome::NoSuchMember);
                }
                let taken = Self::claim(&mut tx, team_id, member_id, profile).await?;
                if !taken.is_empty() {
                    tx.rollback().await?;
                    return Ok(ProfileOutcome::NameTaken(taken));
                }
                Self::resolve_pending(&mut tx, team_id, seq).await?;
                let row: MemberRow = sqlx::query_as(sql::MEMBER)
                    .bind(team_id)
                    .bind(member_id)
                    .fetch_one(&mut *tx)
                    .await?;
                self.commit_change(tx, team_id, seq).await?;
                Ok(ProfileOutcome::Updated(Box::new(member_from_row(row)?)))
            }

            async fn remove_member(
                &self,
                team_id: &str,
                member_id: &str,
                now: Timestamp,
            ) -> Result<bool> {
                let mut tx = self.write_tx().await?;
                let seq = Self::bump_seq(&mut tx, team_id).await?;
                let done = sqlx::query(sql::REMOVE_MEMBER)
                    .bind(now.millis())
                    .bind(seq)
                    .bind(team_id)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                sqlx::query(sql::REVOKE_MEMBER_TOKENS)
                    .bind(now.millis())
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(sql::CLEAR_STATE)
                    .bind(seq)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(sql::DELETE_ACKS_OF)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
                // A removed member's names are free for others.
                sqlx::query(sql::DELETE_CLAIMS)
                    .bind(member_id)
                    .execute(&mut *tx)
                    .await?;
                self.commit_change(tx, team_id, seq).await?;
                Ok(true)
            }

            async fn state(&self, team_id: &str, member_id: &str) -> Result<MemberState> {
                let row: Option<StateRow> = sqlx::query_as(sql::STATE)
                    .bind(member_id)
                    .bind(team_id)
                    .fetch_optional(self.pool())
                    .await?;
                match row {
                    Some(row) => Self::with_acks(self.pool(), row).await,
                    None => Ok(never_declared(member_id)),
                }
            }

            async fn write_state(
                &self,
                team_id: &str,
                member_id: &str,
                expected: u64,
                declaration: Option<&Declaration>,
                now: Timestamp,
            ) -> Result<WriteOutcome> {
                let mut tx = self.write_tx().await?;
                // Lock order: the team row first (all writers do), then the member's rows.
                let seq = Self::bump_seq(&mut tx, team_id).await?;
                let members = Self::members_in(&mut *tx, team_id).await?;
                if !members.iter().any(|m| m.member.id == member_id) {
                    tx.rollback().await?;
                    return Ok(WriteOutcome::NoSuchMember);
                }
                let row: Option<StateRow> = sqlx::query_as(sql::STATE)
                    .bind(member_id)
                    .bind(team_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let current = row.as_ref().map_or(0, |r| to_u64(r.1));
                if current != expected {
                    let state = match row {
                        Some(row) => Self::with_acks(&mut *tx, row).await?,
                        None => never_declared(member_id),
                    };
                    tx.rollback().await?;
                    return Ok(WriteOutcome::Conflict(state));
                }
                let version = to_i64(current.saturating_add(1));
                let body = declaration.map(serde_json::to_string).transpose()?;
                let declared_at = declaration.map(|_| now.millis());
                // Hand-offs name members as the team is now; a later rename moves nothing.
                let recipients = declaration.map(|d| resolve_handoffs(d, &members));
                let stored = recipients.as_ref().map(serde_json::to_string).transpose()?;
                sqlx::query(sql::UPSERT_STATE)
                    .bind(member_id)
                    .bind(team_id)
                    .bind(version)
                    .bind(&body)
                    .bind(declared_at)
                    .bind(seq)
                    .bind(&stored)
                    .execute(&mut *tx)
                    .await?;
                // Acknowledgements outlive a rewrite only while their hand-off still goes to
                // whoever gave them.
                Self::prune_acks(
                    &mut tx,
                    member_id,
                    recipients.as_deref().unwrap_or_default(),
                )
                .await?;
                let before = row;
                let row: StateRow = (member_id.to_owned(), version, body, declared_at, stored);
                let state = Self::with_acks(&mut *tx, row).await?;
                // The events go out with the write or not at all (the outbox).
                Self::record_events(&mut tx, team_id, before.as_ref(), &state, &members, now)
                    .await?;
                self.commit_change(tx, team_id, seq).await?;
                Ok(WriteOutcome::Written(state))
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
                let mut tx = self.write_tx().await?;
                let seq = Self::bump_seq(&mut tx, team_id).await?;
                let touched = sqlx::query(sql::TOUCH_STATE)
                    .bind(seq)
                    .bind(declarer_id)
                    .bind(team_id)
                    .bind(to_i64(version))
                    .execute(&mut *tx)
                    .await?;
                let row: Option<StateRow> = sqlx::query_as(sql::STATE)
                    .bind(declarer_id)
                    .bind(team_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                // Only the member the hand-off was resolved to at this version may acknowledge.
                let resolved = row
                    .clone()
                    .map(|r| state_from_row(r, Vec::new()))
                    .transpose()?;
                let to = resolved.as_ref().and_then(|s| s.recipient(item));
                let (Some(row), true, 1) = (row, to == Some(by_id), touched.rows_affected()) else {
                    tx.rollback().await?;
                    return Ok(AckOutcome::StateChanged);
                };
                sqlx::query(sql::INSERT_ACK)
                    .bind(declarer_id)
                    .bind(item.unwrap_or(""))
                    .bind(by_id)
                    .bind(team_id)
                    .bind(now.millis())
                    .execute(&mut *tx)
                    .await?;
                let state = Self::with_acks(&mut *tx, row).await?;
                self.commit_change(tx, team_id, seq).await?;
                Ok(AckOutcome::Recorded(Box::new(state)))
            }

            async fn team_cursor(&self, team_id: &str) -> Result<u64> {
                let row: Option<(i64,)> = sqlx::query_as(sql::TEAM_SEQ)
                    .bind(team_id)
                    .fetch_optional(self.pool())
                    .await?;
                Ok(row.map_or(0, |(seq,)| to_u64(seq)))
            }

            async fn team_states(&self, team_id: &str) -> Result<(u64, Vec<MemberState>)> {
                let mut tx = self.read_tx().await?;
                // The cursor is read first: rows may be newer than it, never older.
                let (seq,): (i64,) = sqlx::query_as(sql::TEAM_SEQ)
                    .bind(team_id)
                    .fetch_one(&mut *tx)
                    .await?;
                let rows: Vec<StateRow> = sqlx::query_as(sql::TEAM_STATES)
                    .bind(team_id)
                    .fetch_all(&mut *tx)
                    .await?;
                let acks: Vec<AckRow> = sqlx::query_as(sql::TEAM_ACKS)
                    .bind(team_id)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok((to_u64(seq), states_from_rows(rows, &acks)?))
            }

            async fn changes(&self, team_id: &str, after: u64) -> Result<Changes> {
                let mut tx = self.read_tx().await?;
                let (seq,): (i64,) = sqlx::query_as(sql::TEAM_SEQ)
                    .bind(team_id)
                    .fetch_one(&mut *tx)
                    .await?;
                let after = to_i64(after);
                let rows: Vec<StateRow> = sqlx::query_as(sql::CHANGED_STATES)
                    .bind(team_id)
                    .bind(after)
                    .bind(seq)
                    .fetch_all(&mut *tx)
                    .await?;
                let acks: Vec<AckRow> = if rows.is_empty() {
                    Vec::new()
                } else {
                    sqlx::query_as(sql::TEAM_ACKS)
                        .bind(team_id)
                        .fetch_all(&mut *tx)
                        .await?
                };
                let member_rows: Vec<(
                    String,
                    String,
                    String,
                    String,
                    String,
                    Option<String>,
                    bool,
                    bool,
                )> = sqlx::query_as(sql::CHANGED_MEMBERS)
                    .bind(team_id)
                    .bind(after)
                    .bind(seq)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                let (members, removed_members) = split_members(
                    member_rows
                        .into_iter()
                        .map(|(a, b, c, d, e, f, g, removed)| ((a, b, c, d, e, f, g), removed))
                        .collect(),
                )?;
                Ok(Changes {
                    cursor: to_u64(seq),
                    reset: false,
                    states: states_from_rows(rows, &acks)?,
                    members,
                    removed_members,
                })
            }
        }
    };
}

pub(crate) use impl_storage;
