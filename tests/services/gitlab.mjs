// A local GitLab REST API (v4) for tests: the calls issue 15's mirror makes, each checked against
// GitLab's documented API (docs.gitlab.com/api/): method, path, token header, and every
// parameter's type and allowed values.
//
//   const gl = await startGitLab({ tokens: { 'glpat-alice': { username: 'alice', scopes: ['api'] } } });
//   … the client calls gl.apiUrl + '/user/status' with `PRIVATE-TOKEN: glpat-alice` …
//   gl.shown('alice')   // what GitLab shows now: { emoji, message, availability, clear_status_at } or null
//
// Served: GET /user, GET and PUT /user/status, GET /personal_access_tokens/self. Parameters come
// from the query string, a form body or a JSON body, as GitLab takes them (REST API ›
// "Request payload"). An unknown parameter is refused too: GitLab would ignore it silently, so a
// misspelt one would be lost without anyone noticing.
import { bearer, chars, json, readBody, startEndpoint } from './endpoint.mjs';

/** Users API › Set your user status: "message: … Maximum length 100 characters". */
export const MESSAGE_LIMIT = 100;
/** Users API › Set your user status: `clear_status_after` takes exactly these. */
export const CLEAR_STATUS_AFTER = {
  '30_minutes': 30 * 60_000,
  '3_hours': 3 * 3600_000,
  '8_hours': 8 * 3600_000,
  '1_day': 24 * 3600_000,
  '3_days': 3 * 24 * 3600_000,
  '7_days': 7 * 24 * 3600_000,
  '30_days': 30 * 24 * 3600_000,
};
/** Users API › Get your user status: `availability` is `not_set` or `busy`. */
const AVAILABILITY = ['not_set', 'busy'];
/** GitLab's emoji are names without colons (`coffee`, `speech_balloon`, `+1`); the default one
 *  when a message comes without an emoji is `speech_balloon`. */
const EMOJI_NAME = /^[a-z0-9_+-]+$/;
const DEFAULT_EMOJI = 'speech_balloon';

/** Grape's answer to a parameter off its declaration (400 `{"error": …}`). */
const paramError = (problem) => ({ ...json(400, { error: problem }), problem });
/** ActiveRecord's validation answer (400 `{"message": {field: [why]}}`). */
const validationError = (field, why, section) => ({ ...json(400, { message: { [field]: [why] } }), problem: `${field} ${why} (${section})` });
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The GitLab service for `startEndpoint`. `tokens`: token → { username, scopes } (a personal
 * access token's scopes: `api`, `read_api`, `read_user`, …).
 */
export function gitlabService({ tokens }) {
  const statuses = new Map();
  const tokenIds = new Map(Object.keys(tokens).map((t, i) => [t, i + 1]));
  const userIds = new Map([...new Set(Object.values(tokens).map((t) => t.username))].map((u, i) => [u, i + 1]));

  /** The status GitLab shows for `username` at `now`: none once `clear_status_at` has passed. */
  function shown(username, now = new Date()) {
    const status = statuses.get(username) ?? null;
    return status && status.clear_status_at && Date.parse(status.clear_status_at) <= now.getTime() ? null : status;
  }
  const present = (username) => shown(username) ?? { emoji: null, availability: 'not_set', message: null, message_html: '', clear_status_at: null };

  // Users API › Set your user status (PUT /user/status): emoji, message, availability,
  // clear_status_after; "When both parameters emoji and message are empty, the status is
  // cleared."
  function setStatus(username, params) {
    const section = 'Users API › Set your user status';
    const known = ['emoji', 'message', 'availability', 'clear_status_after'];
    for (const [name, value] of Object.entries(params)) {
      if (!known.includes(name)) return paramError(`${name} is not a parameter of PUT /user/status (${section}: ${known.join(', ')})`);
      if (typeof value !== 'string') return paramError(`${name} is invalid: a string is documented, got ${JSON.stringify(value)} (${section})`);
    }
    const { emoji = '', message = '', availability, clear_status_after: after } = params;
    if (availability !== undefined && !AVAILABILITY.includes(availability)) {
      return paramError(`availability does not have a valid value: ${JSON.stringify(availability)} is not one of ${AVAILABILITY.join(', ')} (${section})`);
    }
    if (after !== undefined && !(after in CLEAR_STATUS_AFTER)) {
      const allowed = Object.keys(CLEAR_STATUS_AFTER).join(', ');
      return paramError(`clear_status_after does not have a valid value: ${JSON.stringify(after)} is not one of ${allowed} (${section})`);
    }
    if (emoji && !EMOJI_NAME.test(emoji)) {
      return validationError('emoji', `is not a valid emoji name: ${JSON.stringify(emoji)} (a name without colons, e.g. coffee)`, section);
    }
    if (chars(message) > MESSAGE_LIMIT) {
      return validationError('message', `is too long (maximum is ${MESSAGE_LIMIT} characters; got ${chars(message)})`, section);
    }
    if (!emoji && !message) {
      statuses.delete(username);
      return json(200, present(username));
    }
    const status = {
      emoji: emoji || DEFAULT_EMOJI,
      availability: availability ?? 'not_set',
      message: message || null,
      message_html: escapeHtml(message),
      clear_status_at: after ? new Date(Date.now() + CLEAR_STATUS_AFTER[after]).toISOString() : null,
    };
    statuses.set(username, status);
    return json(200, status);
  }

  // Each route: the scopes that may call it (Personal access tokens › Personal access token scopes).
  const READ = ['api', 'read_api', 'read_user'];
  const routes = {
    'GET /api/v4/user': { scopes: READ, run: (username) => json(200, user(username, userIds.get(username))) },
    'GET /api/v4/user/status': { scopes: READ, run: (username) => json(200, present(username)) },
    'PUT /api/v4/user/status': { scopes: ['api'], run: setStatus },
    'GET /api/v4/personal_access_tokens/self': {
      scopes: null,
      run: (username, _, secret) => json(200, selfToken(tokenIds.get(secret), userIds.get(username), tokens[secret].scopes)),
    },
  };

  return {
    shown,
    /** The status last set for `username`, expired or not (null once cleared). */
    status: (username) => statuses.get(username) ?? null,
    failures: {
      unauthorized: () => json(401, { message: '401 Unauthorized' }),
      forbidden: () => json(403, { message: '403 Forbidden' }),
      // Rate limits › "Response headers": RateLimit-* and Retry-After; the body is text.
      'rate-limited': ({ retryAfter }) => ({
        status: 429,
        headers: {
          'content-type': 'text/plain',
          'retry-after': String(retryAfter),
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(Math.floor(Date.now() / 1000) + retryAfter),
        },
        body: 'Retry later\n',
      }),
      'server-error': () => json(500, { message: '500 Internal Server Error' }),
    },
    handle(request) {
      const route = routes[`${request.method} ${request.path}`];
      if (!route) {
        const other = Object.keys(routes).some((r) => r.endsWith(` ${request.path}`));
        return other
          ? { ...json(405, { error: '405 Not Allowed' }), problem: `${request.method} ${request.path}: not a documented method of this path` }
          : { ...json(404, { error: '404 Not Found' }), problem: `${request.path}: not a path of this API (${Object.keys(routes).join(', ')})` };
      }
      // REST API › Authentication › Personal/project/group access tokens: the PRIVATE-TOKEN
      // header or the OAuth-compliant `Authorization: Bearer`. (The documented `private_token`
      // query parameter is refused: a token in a URL ends up in logs.)
      if (request.query.has('private_token') || request.query.has('access_token')) {
        return { ...json(401, { message: '401 Unauthorized' }), problem: 'private_token: a token in the query string (send the PRIVATE-TOKEN header)' };
      }
      const secret = request.headers['private-token'] ?? bearer(request.headers, ['bearer']);
      if (!secret) {
        return { ...json(401, { message: '401 Unauthorized' }), problem: 'PRIVATE-TOKEN or Authorization: Bearer: missing (REST API › Authentication)' };
      }
      const token = tokens[secret];
      if (!token) return json(401, { message: '401 Unauthorized' });
      if (route.scopes && !token.scopes.some((s) => route.scopes.includes(s))) {
        const why = 'The request requires higher privileges than provided by the access token.';
        const scope = route.scopes.join(' ');
        return json(403, { error: 'insufficient_scope', error_description: why, scope }, {
          'www-authenticate': `Bearer realm="GitLab", error="insufficient_scope", error_description="${why}", scope="${scope}"`,
        });
      }
      const read = readBody(request);
      if (read.type === 'unreadable') return { ...json(400, { error: read.reason }), problem: `body: ${read.reason}` };
      if (read.type === 'json' && (typeof read.value !== 'object' || read.value === null || Array.isArray(read.value))) {
        return paramError('body: a JSON object of parameters is documented');
      }
      const params = { ...Object.fromEntries(request.query), ...(read.value ?? {}) };
      if (request.method === 'GET' && Object.keys(params).length) {
        return paramError(`${Object.keys(params).join(', ')}: ${request.path} takes no parameters`);
      }
      return route.run(token.username, params, secret);
    },
  };
}

/** Users API › "Get the current user" (the fields a token check reads). */
function user(username, id) {
  return {
    id,
    username,
    name: username,
    state: 'active',
    locked: false,
    avatar_url: `https://gitlab.example/uploads/-/system/user/avatar/${id}/avatar.png`,
    web_url: `https://gitlab.example/${username}`,
    created_at: '2024-01-01T00:00:00.000Z',
  };
}

/** Personal access tokens API › "Get details on a personal access token" (GET …/self). */
function selfToken(id, userId, scopes) {
  return {
    id,
    name: 'StandIn',
    revoked: false,
    created_at: '2024-01-01T00:00:00.000Z',
    description: null,
    scopes,
    user_id: userId,
    last_used_at: new Date().toISOString(),
    active: true,
    expires_at: null,
  };
}

/** Starts a local GitLab (options as `gitlabService`, plus `https`). Besides the endpoint's
 *  fields: `apiUrl` (…/api/v4), `shown(username, now)`, `status(username)`. */
export async function startGitLab({ https = false, ...options }) {
  const service = gitlabService(options);
  const endpoint = await startEndpoint(service, { https });
  return { ...endpoint, apiUrl: `${endpoint.origin}/api/v4`, shown: service.shown, status: service.status };
}
