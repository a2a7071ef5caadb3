// A local GitLab REST API (v4) for tests: the calls issue 15's mirror makes, each checked against
// GitLab's documented API (docs.gitlab.com/api/): method, path, token header, and every
// parameter's type and allowed values.
//
//   const gl = await startGitLab({ tokens: { 'glpat-alice': { username: 'alice', scopes: ['api'] } } });
//   … the client calls gl.apiUrl + '/user/status' with `PRIVATE-TOKEN: glpat-alice` …
//   gl.shown('alice')   // what GitLab shows now: { emoji, message, availability, clear_status_at } or null
//
// Served: GET /user, GET and PUT /user/status, GET /personal_access_tokens/self, and (issue 16's
// live state) GET /projects/:id/merge_requests and /projects/:id/issues for the `projects` a test
// lists, with `iids[]`. Parameters come
// from the query string, a form body or a JSON body, as GitLab takes them (REST API ›
// "Request payload"). An unknown parameter is refused too: GitLab would ignore it silently, so a
// misspelt one would be lost without anyone noticing.
import { bearer, chars, json, own, readBody, startEndpoint } from './endpoint.mjs';

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

/** Merge requests API › List project merge requests, and Issues API › List project issues: the
 *  documented parameters (any other is refused, as above). */
const LIST_PARAMS = {
  merge_requests: [
    'approved_by_ids', 'approved_by_usernames', 'approver_ids', 'assignee_id', 'author_id', 'author_username',
    'created_after', 'created_before', 'deployed_after', 'deployed_before', 'environment', 'iids[]', 'labels',
    'merge_user_id', 'merge_user_username', 'milestone', 'my_reaction_emoji', 'not', 'order_by', 'page', 'per_page',
    'reviewer_id', 'reviewer_username', 'scope', 'search', 'sort', 'source_branch', 'state', 'target_branch',
    'updated_after', 'updated_before', 'view', 'wip', 'with_labels_details', 'with_merge_status_recheck',
  ],
  issues: [
    'assignee_id', 'assignee_username', 'author_id', 'author_username', 'confidential', 'created_after',
    'created_before', 'due_date', 'epic_id', 'iids[]', 'issue_type', 'iteration_id', 'iteration_title', 'labels',
    'milestone', 'milestone_id', 'my_reaction_emoji', 'not', 'order_by', 'page', 'per_page', 'scope', 'search',
    'sort', 'state', 'updated_after', 'updated_before', 'weight', 'with_labels_details',
  ],
};
const LIST_DOCS = { merge_requests: 'Merge requests API › List project merge requests', issues: 'Issues API › List project issues' };
const LIST_STATES = { merge_requests: ['opened', 'closed', 'locked', 'merged', 'all'], issues: ['opened', 'closed', 'all'] };
const POSITIVE = /^[1-9]\d*$/;

const glUser = (username) => (username ? { id: username.length, username, name: username, state: 'active', avatar_url: null, web_url: `https://gitlab.example/${username}` } : null);

/** A listed item in the documented answer's shape. An item's own fields: `iid`, `title`, `state`,
 *  and optionally `draft`, `labels`, `assignees`, `reviewers` (usernames), `merged_at`,
 *  `merged_by`, `closed_at`, `closed_by` (usernames), `detailed_merge_status`. */
function listed(project, kind, item) {
  const common = {
    id: 1000 + item.iid,
    iid: item.iid,
    project_id: project.id,
    title: item.title ?? '',
    description: '',
    state: item.state ?? 'opened',
    created_at: '2026-12-01T09:00:00.000Z',
    updated_at: '2026-12-04T17:00:00.000Z',
    closed_at: item.closed_at ?? null,
    closed_by: glUser(item.closed_by),
    labels: item.labels ?? [],
    author: glUser('author'),
    assignees: (item.assignees ?? []).map(glUser),
    web_url: `https://gitlab.example/${project.path}/-/${kind}/${item.iid}`,
  };
  if (kind === 'issues') return { ...common, type: 'ISSUE', issue_type: 'issue', confidential: false };
  return {
    ...common,
    draft: item.draft ?? false,
    work_in_progress: item.draft ?? false,
    merged_at: item.merged_at ?? null,
    merged_by: glUser(item.merged_by),
    merge_user: glUser(item.merged_by),
    reviewers: (item.reviewers ?? []).map(glUser),
    detailed_merge_status: item.detailed_merge_status ?? 'mergeable',
    merge_status: 'can_be_merged',
    source_branch: `feature-${item.iid}`,
    target_branch: 'main',
  };
}

/** Grape's answer to a parameter off its declaration (400 `{"error": …}`). */
const paramError = (problem) => ({ ...json(400, { error: problem }), problem });
/** ActiveRecord's validation answer (400 `{"message": {field: [why]}}`). */
const validationError = (field, why, section) => ({ ...json(400, { message: { [field]: [why] } }), problem: `${field} ${why} (${section})` });
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The GitLab service for `startEndpoint`. `tokens`: token → { username, scopes } (a personal
 * access token's scopes: `api`, `read_api`, `read_user`, …). `tokenSelf: false` is an older
 * self-managed instance, without `GET /personal_access_tokens/self`: a plain 404 there, as
 * GitLab answers any route it does not have (a client may ask; not a problem).
 */
export function gitlabService({ tokens, projects = {}, tokenSelf = true }) {
  const listedProjects = new Map(
    Object.entries(projects).map(([path, lists], i) => [
      path,
      { id: 100 + i, path, merge_requests: (lists.merge_requests ?? []).map((m) => ({ ...m })), issues: (lists.issues ?? []).map((m) => ({ ...m })) },
    ]),
  );

  // List project merge requests / issues: `iids[]` positive integers, `per_page` 1 to 100
  // (REST API › Pagination), `state` one of the documented values; every other parameter must
  // be documented for the endpoint.
  function list(kind, id, query) {
    const section = LIST_DOCS[kind];
    for (const name of new Set(query.keys())) {
      if (!LIST_PARAMS[kind].includes(name)) return paramError(`${name} is not a parameter of ${section}`);
    }
    const iids = query.getAll('iids[]');
    const bad = iids.find((n) => !POSITIVE.test(n));
    if (bad !== undefined) return paramError(`iids[] is invalid: ${JSON.stringify(bad)} is not an integer (${section})`);
    const perPage = query.get('per_page');
    if (perPage !== null && (!POSITIVE.test(perPage) || Number(perPage) > 100)) {
      return paramError(`per_page is invalid: ${JSON.stringify(perPage)} (1 to 100, REST API › Pagination)`);
    }
    const state = query.get('state');
    if (state !== null && !LIST_STATES[kind].includes(state)) return paramError(`state does not have a valid value (${section})`);
    const project = listedProjects.get(id) ?? [...listedProjects.values()].find((p) => String(p.id) === id);
    if (!project) return json(404, { message: '404 Project Not Found' });
    const wanted = iids.map(Number);
    const found = project[kind]
      .filter((item) => !wanted.length || wanted.includes(item.iid))
      .filter((item) => !state || state === 'all' || item.state === state)
      .sort((a, b) => b.iid - a.iid) // order_by created_at, sort desc: the newest first
      .slice(0, Number(perPage ?? 20));
    return json(200, found.map((item) => listed(project, kind, item)), { 'x-per-page': String(perPage ?? 20), 'x-page': '1' });
  }

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
    if (after !== undefined && !Object.hasOwn(CLEAR_STATUS_AFTER, after)) {
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
    // Personal access tokens API › Get details on a personal access token: any token may read
    // its own, whatever its scopes (`allow_access_with_scope(all_available_scopes)`).
    'GET /api/v4/personal_access_tokens/self': {
      scopes: null,
      run: (username, _, secret) => json(200, selfToken(tokenIds.get(secret), userIds.get(username), tokens[secret].scopes)),
    },
  };

  return {
    shown,
    /** Changes a listed item (`kind` merge_requests or issues), e.g. `{ state: 'merged',
     *  merged_by: 'bob', merged_at }`: the next read sees it. */
    change(project, kind, iid, fields) {
      const item = listedProjects.get(project)?.[kind]?.find((i) => i.iid === iid);
      if (!item) throw new Error(`no ${kind} ${iid} in ${project}`);
      Object.assign(item, fields);
    },
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
      // Projects are named by id or by their URL-encoded path (REST API › Namespaced paths).
      const listRoute = /^\/api\/v4\/projects\/([^/]+)\/(merge_requests|issues)$/.exec(request.path);
      const route = listRoute
        ? { scopes: ['api', 'read_api'], run: (_username, _params, _secret, query) => list(listRoute[2], decodeURIComponent(listRoute[1]), query) }
        : own(routes, `${request.method} ${request.path}`);
      if (listRoute && request.method !== 'GET') {
        return { ...json(405, { error: '405 Not Allowed' }), problem: `${request.method} ${request.path}: not a documented method of this path` };
      }
      if (!tokenSelf && request.path === '/api/v4/personal_access_tokens/self') return json(404, { error: '404 Not Found' });
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
      const token = own(tokens, secret);
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
      if (listRoute) {
        if (read.type !== 'none') return paramError(`body: ${request.path} takes its parameters in the query string`);
        return route.run(token.username, null, secret, request.query);
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
  return { ...endpoint, apiUrl: `${endpoint.origin}/api/v4`, shown: service.shown, status: service.status, change: service.change };
}
