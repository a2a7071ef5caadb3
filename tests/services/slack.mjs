// A local Slack Web API for tests: `auth.test` (the token check) and `users.profile.set` (the
// custom status), each checked against Slack's method docs (api.slack.com/methods/…) and the
// Web API basics: POST, the token in `Authorization: Bearer`, a form or JSON body, and the
// status fields' types and limits.
//
//   const slack = await startSlack({ tokens: { 'xoxp-alice': { user: 'alice', scopes: ['users.profile:write'] } } });
//   … the client posts to slack.apiUrl + 'users.profile.set' …
//   slack.shown('alice')   // what Slack shows now: { status_text, status_emoji, status_expiration } or null
//
// As Slack does, a refusal is HTTP 200 with `{"ok": false, "error": …}` (429 for rate limits);
// argument problems are `invalid_arguments` with the reason in `response_metadata.messages`.
// Each off-contract request is also recorded as a problem (`rejected()`).
import { bearer, chars, json, readBody, startEndpoint } from './endpoint.mjs';

/** users.profile.set › Profile fields › status_text: "up to 100 characters". */
export const STATUS_TEXT_LIMIT = 100;
/** The status fields of a profile; the mirror sets nothing else. */
const STATUS_FIELDS = ['status_text', 'status_emoji', 'status_expiration'];
/** An emoji in Slack's `:name:` form, with an optional skin tone (`:wave::skin-tone-3:`). */
const EMOJI = /^:[a-z0-9_+'-]+:(:skin-tone-[2-6]:)?$/;
/** Unix seconds past this (year 5138) are milliseconds sent by mistake. */
const SECONDS_CEILING = 1e11;

const ok = (value, headers) => json(200, { ok: true, ...value }, headers);
const refuse = (error, problem, extra = {}) => ({ ...json(200, { ok: false, error, ...extra }), ...(problem ? { problem } : {}) });
/** Web API basics › Errors: `invalid_arguments`, the reasons in response_metadata.messages. */
const invalid = (problem) => refuse('invalid_arguments', problem, { response_metadata: { messages: [`[ERROR] ${problem}`] } });

/** The status fields of `profile`, checked (users.profile.set › Profile fields), or a refusal. */
function statusFields(profile) {
  const section = 'users.profile.set › Profile fields';
  for (const name of Object.keys(profile)) {
    if (!STATUS_FIELDS.includes(name)) return { refusal: invalid(`profile.${name}: not a status field (${section}: ${STATUS_FIELDS.join(', ')})`) };
  }
  const { status_text: text, status_emoji: emoji, status_expiration: expiration } = profile;
  if (text !== undefined && typeof text !== 'string') {
    return { refusal: invalid(`profile.status_text: a string is documented, got ${JSON.stringify(text)} (${section})`) };
  }
  if (text !== undefined && chars(text) > STATUS_TEXT_LIMIT) {
    return { refusal: invalid(`profile.status_text: at most ${STATUS_TEXT_LIMIT} characters, got ${chars(text)} (${section})`) };
  }
  if (emoji !== undefined && (typeof emoji !== 'string' || (emoji !== '' && !EMOJI.test(emoji)))) {
    return { refusal: refuse('invalid_emoji_not_allowed', `profile.status_emoji: ${JSON.stringify(emoji)} is not an emoji in :name: form (${section})`) };
  }
  if (expiration !== undefined && !(Number.isInteger(expiration) && expiration >= 0 && expiration < SECONDS_CEILING)) {
    return { refusal: invalid(`profile.status_expiration: an integer of unix seconds (0: never) is documented, got ${JSON.stringify(expiration)} (${section})`) };
  }
  return { fields: profile };
}

/**
 * The Slack service for `startEndpoint`. `tokens`: token → { user, scopes } (a user token,
 * `xoxp-…`, with its OAuth scopes; a bot token, `xoxb-…`, cannot set a user's profile).
 */
export function slackService({ tokens, team = 'Acme' }) {
  const profiles = new Map();
  const userId = (user) => `U${user.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;

  /** The status Slack shows for `user` at `now`: none once status_expiration has passed. */
  function shown(user, now = new Date()) {
    const p = profiles.get(user);
    if (!p || (!p.status_text && !p.status_emoji)) return null;
    return p.status_expiration && p.status_expiration <= now.getTime() / 1000 ? null : p;
  }

  const methods = {
    // auth.test: any valid token; who it belongs to.
    'auth.test': {
      scope: null,
      run: (user) => ok({ url: `https://${team.toLowerCase()}.slack.com/`, team, user, team_id: 'T0TEAM', user_id: userId(user), is_enterprise_install: false }),
    },
    // users.profile.set: a user token with users.profile:write; `profile`, or `name` + `value`.
    'users.profile.set': {
      scope: 'users.profile:write',
      run(user, args, secret) {
        if (secret.startsWith('xoxb-')) {
          return refuse('not_allowed_token_type', 'token: a bot token cannot set a user profile (users.profile.set › Usage info: a user token, xoxp-)');
        }
        const known = ['profile', 'name', 'value', 'user'];
        const unknown = Object.keys(args).find((a) => !known.includes(a));
        if (unknown) return refuse('invalid_arg_name', `${unknown}: not an argument of users.profile.set (users.profile.set › Arguments: ${known.join(', ')})`);
        if (args.user !== undefined && args.user !== userId(user)) {
          return refuse('not_admin', `user: ${args.user} is another user; only admins may set another user's profile (users.profile.set › Arguments)`);
        }
        let profile = args.profile;
        if (profile === undefined) {
          if (typeof args.name !== 'string' || args.value === undefined) {
            return invalid('profile: missing (or the pair name and value) (users.profile.set › Arguments)');
          }
          // A form value is text; status_expiration's digits are its integer.
          profile = { [args.name]: args.name === 'status_expiration' && /^\d+$/.test(args.value) ? Number(args.value) : args.value };
        } else if (typeof profile === 'string') {
          // Form bodies: "a URL-encoded JSON hash".
          try {
            profile = JSON.parse(profile);
          } catch {
            return refuse('invalid_profile', 'profile: not valid JSON (users.profile.set › Errors: invalid_profile)');
          }
        }
        if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
          return refuse('invalid_profile', 'profile: not a JSON object (users.profile.set › Errors: invalid_profile)');
        }
        const { fields, refusal } = statusFields(profile);
        if (refusal) return refusal;
        const next = { status_text: '', status_emoji: '', status_expiration: 0, ...profiles.get(user), ...fields };
        // "To clear a status, set status_text and status_emoji to empty strings."
        if (!next.status_text && !next.status_emoji) next.status_expiration = 0;
        profiles.set(user, next);
        return ok({ profile: { ...next, real_name: user, display_name: user } });
      },
    },
  };

  /** A request from a known token: its scope, then its body, then the method. */
  function call(method, name, request, token, secret) {
    if (method.scope && !token.scopes.includes(method.scope)) {
      return refuse('missing_scope', null, { needed: method.scope, provided: token.scopes.join(',') });
    }
    const read = readBody(request);
    if (read.type === 'unreadable') {
      // Web API basics › Errors: invalid_json for broken JSON, invalid_post_type for another Content-Type.
      return refuse(read.brokenJson ? 'invalid_json' : 'invalid_post_type', `body: ${read.reason} (${name} › Facts: content types)`);
    }
    const args = read.value ?? {};
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      return refuse('invalid_json', 'body: a JSON object of arguments is documented (Web API basics › JSON-encoded bodies)');
    }
    if ('token' in args) return invalid('token: send it in the Authorization header, not the body');
    return method.run(token.user, args, secret);
  }

  return {
    shown,
    /** The status fields last set for `user`, expired or not. */
    profile: (user) => profiles.get(user) ?? null,
    failures: {
      unauthorized: () => refuse('invalid_auth'),
      forbidden: () => refuse('missing_scope', null, { needed: 'users.profile:write', provided: 'identify' }),
      // Rate limits › "Responding to rate limiting conditions": HTTP 429 and Retry-After seconds.
      'rate-limited': ({ retryAfter }) => json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) }),
      'server-error': () => json(500, { ok: false, error: 'fatal_error' }),
    },
    handle(request) {
      const name = request.path.startsWith('/api/') ? request.path.slice('/api/'.length) : null;
      const method = methods[name];
      if (!method) {
        const problem = `${request.path}: not a method of this API (/api/${Object.keys(methods).join(', /api/')})`;
        return { ...json(404, { ok: false, error: 'unknown_method', req_method: name ?? request.path }), problem };
      }
      if (request.method !== 'POST') {
        return invalid(`${request.method} /api/${name}: the documented method is POST (${name} › Facts)`);
      }
      if ([...request.query.keys()].length) {
        return invalid(`${[...request.query.keys()].join(', ')}: arguments belong in the body, not the URL (Web API basics › POST bodies)`);
      }
      // Web API basics › Authentication: "Authorization: Bearer", the one form a JSON body takes.
      const secret = bearer(request.headers, ['bearer']);
      if (!secret) return refuse('not_authed', 'Authorization: no "Bearer <token>" header (Web API basics › Authentication)');
      const token = tokens[secret];
      if (!token) return refuse('invalid_auth');
      const answer = call(method, name, request, token, secret);
      // Scopes and permissions: every answer names the token's scopes and the ones the method takes.
      answer.headers = { ...answer.headers, 'x-oauth-scopes': token.scopes.join(','), 'x-accepted-oauth-scopes': method.scope ?? '' };
      return answer;
    },
  };
}

/** Starts a local Slack (options as `slackService`, plus `https`). Besides the endpoint's
 *  fields: `apiUrl` (…/api/, as `slackApiUrl` takes it), `shown(user, now)`, `profile(user)`. */
export async function startSlack({ https = false, ...options }) {
  const service = slackService(options);
  const endpoint = await startEndpoint(service, { https });
  return { ...endpoint, apiUrl: `${endpoint.origin}/api/`, shown: service.shown, profile: service.profile };
}
