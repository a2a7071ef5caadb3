// A local GitHub API for tests: GraphQL (`POST /graphql`) checked against GitHub's public schema
// from @octokit/graphql-schema, and the REST token check (`GET /user`). GitHub Enterprise
// Server's forms (`/api/graphql`, `/api/v3/user`) with `enterprise: true`.
//
//   const gh = await startGitHub({ tokens: { ghp_alice: { login: 'octo-alice', scopes: ['user'] } } });
//   (a fine-grained token: { login: 'octo-alice', fineGrained: true }, answered without X-OAuth-Scopes)
//   … the client calls gh.graphqlUrl / gh.restUrl + '/user' with `Authorization: bearer ghp_alice` …
//   gh.shown('octo-alice')  // what GitHub would show now: { message, emoji, … } or null
//
// Every query and mutation is parsed, validated against the schema (graphql-js `validate`) and
// executed with its variables (graphql-js coerces each against its declared type), so a field,
// argument or variable off the schema gets GitHub's `errors` answer. Resolvers exist for
// `viewer`, `changeUserStatus` and, for the items a test lists, `resource(url:)` and `node(id:)`
// with the fields issue 16's live state reads (state, draft, title, labels, review decision,
// the last opinionated review, the head commit's check rollup, assignees, review requests,
// merged and closed, who closed); a field the schema has but no resolver fills, if non-null,
// fails loudly as well. Connections take `first` or `last`, 1 to 100, as GitHub demands
// (Rate limits and node limits › Node limit). `gh.change(url, fields)` changes an item (merge
// it, close it) between two reads. `gh.page(path, html)` serves an item's web page at its
// path, as a GitHub Enterprise Server serves its pages beside its API on one origin.
//
// GitHub answers GraphQL errors with HTTP 200 and an `errors` list (docs: "Forming calls with
// GraphQL"); so does this endpoint, and it records each such request as a problem
// (`rejected()`), so a test can demand that its client sent none.
import { buildClientSchema, execute, getOperationAST, GraphQLError, parse, validate } from 'graphql';
import { schema as published } from '@octokit/graphql-schema';
import { bearer, chars, json, own, startEndpoint } from './endpoint.mjs';

const DOCS = 'https://docs.github.com/graphql';

/** A secondary rate limit as GitHub answers it, with `status` 429 or 403 (Rate limits and node
 *  limits for the GraphQL API › Exceeding the rate limit: "403 or 429", and "If the
 *  retry-after response header is present, you should not retry … until after that many
 *  seconds has elapsed."). */
const secondaryLimit = (status, retryAfter) =>
  json(
    status,
    {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: `${DOCS}/overview/rate-limits-and-node-limits-for-the-graphql-api#secondary-rate-limits`,
    },
    { 'retry-after': String(retryAfter) },
  );
/** Where the checks below come from, named in each refusal. */
const INPUT_DOCS = 'GraphQL API reference › Input objects › ChangeUserStatusInput';
const STATUS_DOCS = 'Setting up your profile › Setting a status';
const CALL_DOCS = 'Forming calls with GraphQL';
const SCHEMA_DOCS = "GitHub's public schema, @octokit/graphql-schema";
/** GitHub's status dialog (Settings › Profile › "Set status") takes at most 80 characters, and
 *  `changeUserStatus` refuses a longer message. The schema itself has no length. */
export const MESSAGE_LIMIT = 80;

const SCHEMA = buildClientSchema(published.json);

/** "Using CORS and JSONP to make cross-origin requests": what GitHub answers a request with an Origin. */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers':
    'ETag, Link, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval',
};

/** The schema's description of DateTime: "An ISO-8601 encoded UTC date string". */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
function parseDateTime(value) {
  if (typeof value !== 'string' || !ISO_8601.test(value) || Number.isNaN(Date.parse(value))) {
    throw new TypeError(`DateTime takes an ISO-8601 encoded UTC date string; got ${JSON.stringify(value)}`);
  }
  return new Date(value);
}
/** URI: "An RFC 3986, RFC 3987, and RFC 6570 (level 4) compliant URI string"; absolute here. */
function parseUri(value) {
  if (typeof value !== 'string' || !URL.canParse(value)) throw new TypeError(`URI takes an absolute URI string; got ${JSON.stringify(value)}`);
  return value;
}
// Scalars built from introspection accept anything; give the two this API takes their rules.
for (const [name, parseValue] of [['DateTime', parseDateTime], ['URI', parseUri]]) {
  const scalar = SCHEMA.getType(name);
  scalar.parseValue = parseValue;
  scalar.parseLiteral = (ast) => {
    if (ast.kind !== 'StringValue') throw new TypeError(`${name} takes a string`);
    return parseValue(ast.value);
  };
}
SCHEMA.getType('DateTime').serialize = (value) => (value instanceof Date ? value.toISOString().replace(/\.\d{3}Z$/, 'Z') : value);

/** An error GitHub gives with a `type` (NOT_FOUND, UNPROCESSABLE, INSUFFICIENT_SCOPES, …). */
class Refusal extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

/** ChangeUserStatusInput.emoji: "Can either be a native Unicode emoji or an emoji name with
 *  colons, e.g., :grinning:." */
const EMOJI = /^(:[a-z0-9_+\-]+:|\p{RGI_Emoji})$/v;

const graphqlError = (e) => ({ ...e.toJSON(), ...(e.originalError?.type ? { type: e.originalError.type } : {}) });

/** Rate limits and node limits for the GraphQL API › Node limit: "You must supply a first or
 *  last argument on any connection", "Values of first and last must be within 1-100". */
const LIMITS_DOCS = 'Rate limits and node limits for the GraphQL API › Node limit';
function page(list, { first, last }) {
  const bound = first ?? last;
  if (bound === undefined || bound === null) {
    throw new Refusal('MISSING_PAGINATION_BOUNDARIES', `You must provide a \`first\` or \`last\` value to properly paginate the connection. (${LIMITS_DOCS})`);
  }
  if (bound < 1 || bound > 100) {
    throw new Refusal('EXCESSIVE_PAGINATION', `Requesting ${bound} records on the connection exceeds the limit of 100 records. (${LIMITS_DOCS})`);
  }
  const nodes = first !== undefined && first !== null ? list.slice(0, first) : list.slice(-last);
  return { nodes, edges: nodes.map((node) => ({ node, cursor: 'c' })), totalCount: list.length, pageInfo: { hasNextPage: false, hasPreviousPage: false } };
}

const actor = (login) => (login ? { __typename: 'User', id: `U_${login}`, login, url: `https://github.com/${login}` } : null);

/**
 * An item as the schema's PullRequest or Issue, read from `item` when asked (so a change made
 * with `change` shows in the next read). The item's own fields: `__typename`, `url`, `number`,
 * `title`, `state` (OPEN, CLOSED, MERGED), and optionally `isDraft`, `reviewDecision`,
 * `labels` (names), `assignees` and `reviewers` (logins), `reviews` ([{ state, submittedAt }]),
 * `checks` (a StatusState: SUCCESS, FAILURE, PENDING, …), `mergedAt`, `mergedBy`, `closedAt`,
 * `closedBy`.
 */
function resolved(item, id) {
  const date = (value) => (value ? new Date(value) : null);
  const closed = () =>
    item.closedBy
      ? [{ __typename: 'ClosedEvent', id: `CE_${id}`, actor: actor(item.closedBy), createdAt: date(item.closedAt) }]
      : [];
  return {
    id,
    ...item,
    isDraft: item.isDraft ?? false,
    closed: item.state !== 'OPEN',
    merged: item.state === 'MERGED',
    reviewDecision: item.reviewDecision ?? null,
    mergedAt: date(item.mergedAt),
    closedAt: date(item.closedAt),
    mergedBy: actor(item.mergedBy),
    labels: (args) => page((item.labels ?? []).map((name) => ({ __typename: 'Label', id: `L_${name}`, name, color: 'ededed' })), args),
    assignees: (args) => page((item.assignees ?? []).map(actor), args),
    reviewRequests: (args) =>
      page((item.reviewers ?? []).map((login) => ({ __typename: 'ReviewRequest', id: `RR_${login}`, requestedReviewer: actor(login) })), args),
    reviews: ({ states, ...args }) =>
      page(
        (item.reviews ?? [])
          .filter((r) => !states || states.includes(r.state))
          .map((r, i) => ({ __typename: 'PullRequestReview', id: `PRR_${i}`, state: r.state, submittedAt: date(r.submittedAt) })),
        args,
      ),
    commits: (args) =>
      page([{ __typename: 'PullRequestCommit', id: `PRC_${id}`, commit: { __typename: 'Commit', statusCheckRollup: item.checks ? { state: item.checks } : null } }], args),
    timelineItems: ({ itemTypes, ...args }) => page(!itemTypes || itemTypes.includes('CLOSED_EVENT') ? closed() : [], args),
  };
}

/**
 * The GitHub service for `startEndpoint`. `tokens`: token → { login, scopes } (classic token
 * scopes, sent back in X-OAuth-Scopes) or { login, fineGrained: true } (a fine-grained token:
 * no X-OAuth-Scopes, and changeUserStatus refused as not accessible to it). `items`: pull requests and issues for `resource(url:)`
 * and `node(id:)`, each `{ __typename: 'PullRequest' | 'Issue', url, number, title, state, … }`
 * (see `resolved` for the optional fields).
 */
export function githubService({ tokens, enterprise = false, items = [] }) {
  const paths = enterprise ? { graphql: '/api/graphql', user: '/api/v3/user' } : { graphql: '/graphql', user: '/user' };
  const statuses = new Map();
  const users = new Map(
    Object.values(tokens).map(({ login }, i) => [
      login,
      { __typename: 'User', id: `U_kgDO${1000 + i}`, databaseId: 1000 + i, login, name: login, url: `https://github.com/${login}` },
    ]),
  );
  const records = items.map((item, i) => ({ id: `${item.__typename === 'PullRequest' ? 'PR' : 'I'}_kwDO${i}`, item: { ...item } }));
  /** Web pages by path (`page`): what a browser gets there, not the API. */
  const pages = new Map();
  const find = (test) => {
    const found = records.find(test);
    return found ? resolved(found.item, found.id) : null;
  };

  /** The status GitHub shows for `login` at `now`: none once `expiresAt` has passed. */
  function shown(login, now = new Date()) {
    const status = statuses.get(login) ?? null;
    return status && status.expiresAt && status.expiresAt <= now ? null : status;
  }

  const root = {
    viewer: (_, { user }) => ({ ...user, status: () => shown(user.login) }),
    resource: ({ url }) => find((r) => r.item.url === url),
    node: ({ id }) => find((r) => r.id === id),
    // Mutation.changeUserStatus(input: ChangeUserStatusInput!): ChangeUserStatusPayload
    changeUserStatus: ({ input }, { user }) => {
      const { clientMutationId = null, emoji = null, expiresAt = null, limitedAvailability = false, message = null, organizationId = null } = input;
      if (organizationId !== null) {
        throw new Refusal('NOT_FOUND', `Could not resolve to a node with the global id of '${organizationId}'. (${INPUT_DOCS}: organizationId)`);
      }
      if (message !== null && chars(message) > MESSAGE_LIMIT) {
        throw new Refusal('UNPROCESSABLE', `message is too long (maximum is ${MESSAGE_LIMIT} characters; got ${chars(message)}) (${STATUS_DOCS})`);
      }
      if (emoji && !EMOJI.test(emoji)) {
        throw new Refusal('UNPROCESSABLE', `emoji ${JSON.stringify(emoji)} is neither a native emoji nor an emoji name with colons (${INPUT_DOCS}: emoji)`);
      }
      if (!message && !emoji && !limitedAvailability) {
        statuses.delete(user.login);
        return { clientMutationId, status: null };
      }
      const now = new Date();
      const status = {
        __typename: 'UserStatus',
        id: `US_${user.login}_${now.getTime()}`,
        createdAt: statuses.get(user.login)?.createdAt ?? now,
        updatedAt: now,
        emoji: emoji || null,
        emojiHTML: null,
        message: message || null,
        expiresAt,
        indicatesLimitedAvailability: limitedAvailability,
        organization: null,
        user,
      };
      statuses.set(user.login, status);
      return { clientMutationId, status };
    },
  };

  function graphql(request, token) {
    const { user, scopes, fineGrained } = token;
    // Each problem names where its rule comes from (a resolver's refusal names it itself).
    const refuse = (problem, errors, data, source = CALL_DOCS) => ({
      ...json(200, { ...(data !== undefined ? { data } : {}), errors }),
      problem: source ? `${problem} (${source})` : problem,
    });
    let body;
    try {
      body = JSON.parse(request.body);
    } catch {
      const answer = json(400, { message: 'Problems parsing JSON', documentation_url: `${DOCS}/guides/forming-calls-with-graphql` });
      return { ...answer, problem: `body: not JSON (${CALL_DOCS} › Communicating with GraphQL)` };
    }
    const { query, variables = null, operationName = null } = body ?? {};
    if (typeof query !== 'string') {
      return refuse('query: missing or not a string', [{ message: 'A query attribute must be specified and must be a string.' }]);
    }
    if (variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
      return refuse('variables: not an object', [{ message: 'Variables are invalid JSON.' }]);
    }
    let document;
    try {
      document = parse(query);
    } catch (e) {
      return refuse(`query: ${e.message}`, [graphqlError(e)], undefined, 'the GraphQL specification');
    }
    const invalid = validate(SCHEMA, document);
    if (invalid.length) return refuse(`query: ${invalid.map((e) => e.message).join('; ')}`, invalid.map(graphqlError), undefined, SCHEMA_DOCS);
    const operation = getOperationAST(document, operationName);
    if (!operation) return refuse('operationName: no such operation', [{ message: `No operation named "${operationName}"` }]);
    // Classic tokens: changeUserStatus needs the `user` scope (Scopes for OAuth apps: "user").
    const mutates = operation.operation === 'mutation' && operation.selectionSet.selections.some((s) => s.name?.value === 'changeUserStatus');
    // A fine-grained token has permissions, not scopes: none of them writes the user's status here.
    if (mutates && fineGrained) {
      return json(200, { data: { changeUserStatus: null }, errors: [{ type: 'FORBIDDEN', path: ['changeUserStatus'], message: 'Resource not accessible by personal access token' }] });
    }
    if (mutates && !scopes.includes('user')) {
      return json(200, {
        data: null,
        errors: [
          {
            type: 'INSUFFICIENT_SCOPES',
            message:
              "Your token has not been granted the required scopes to execute this query. The 'changeUserStatus' field requires one of the " +
              `following scopes: ['user'], but your token has only been granted the: [${scopes.map((s) => `'${s}'`).join(', ')}] scopes. ` +
              "Please modify your token's scopes at: https://github.com/settings/tokens.",
          },
        ],
      });
    }
    // Execution coerces every variable against its declared type before any resolver runs.
    const { data, errors } = execute({ schema: SCHEMA, document, operationName, variableValues: variables ?? {}, rootValue: root, contextValue: { user } });
    if (!errors) return json(200, { data });
    // A variable off its type fails before execution (no `data`); a resolver's refusal beside it.
    // Resolver refusals name their own source; a variable's type comes from the schema.
    const source = errors.every((e) => e.originalError?.type) ? null : SCHEMA_DOCS;
    return refuse(errors.map((e) => e.message).join('; '), errors.map(graphqlError), data, source);
  }

  return {
    paths,
    shown,
    /** Lists one more item (its URL may name the endpoint's own origin, known once started). */
    add(item) {
      records.push({ id: `${item.__typename === 'PullRequest' ? 'PR' : 'I'}_kwDO${records.length}`, item: { ...item } });
    },
    /** Changes the listed item at `url` (e.g. `{ state: 'MERGED', mergedAt, mergedBy }`): the next
     *  read sees it. */
    change(url, fields) {
      const found = records.find((r) => r.item.url === url);
      if (!found) throw new Error(`no item ${url}`);
      Object.assign(found.item, fields);
    },
    /** Serves `html` at `path` (e.g. an item's `/acme/api/pull/12`) to GET, as the item's web
     *  page; any other path outside the API stays a problem. */
    page(path, html) {
      pages.set(path, html);
    },
    /** The status last set for `login`, expired or not (null once cleared). */
    status: (login) => statuses.get(login) ?? null,
    failures: {
      unauthorized: () => json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }),
      forbidden: () =>
        json(403, {
          message: 'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
          documentation_url: 'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/',
        }),
      'rate-limited': ({ retryAfter }) => secondaryLimit(429, retryAfter),
      'rate-limited-403': ({ retryAfter }) => secondaryLimit(403, retryAfter),
      // The same section: past the primary limit "the response status will still be 200", with an
      // error, x-ratelimit-remaining 0 and x-ratelimit-reset (unix seconds) saying when to retry.
      'rate-limit-exhausted': ({ retryAfter }) =>
        json(
          200,
          { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1000.' }] },
          { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + retryAfter) },
        ),
      'server-error': () => json(502, { message: 'Server Error' }),
    },
    handle(request) {
      if (request.method === 'GET' && pages.has(request.path)) {
        return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: pages.get(request.path) };
      }
      const route = request.path === paths.graphql ? 'POST' : request.path === paths.user ? 'GET' : null;
      if (route !== request.method) {
        const problem = route
          ? `${request.method} ${request.path}: takes ${route} (${CALL_DOCS} › The GraphQL endpoint; REST: Get the authenticated user)`
          : `${request.path}: not an endpoint of this API (${Object.values(paths).join(', ')})`;
        return { ...json(404, { message: 'Not Found', documentation_url: DOCS }), problem };
      }
      // Forming calls with GraphQL › Authenticating with GraphQL; REST: "Authorization: Bearer"
      // or "token" (Authenticating to the REST API).
      const secret = bearer(request.headers, ['bearer', 'token']);
      if (secret === null) {
        return {
          ...json(401, { message: 'Requires authentication', documentation_url: `${DOCS}/guides/forming-calls-with-graphql#authenticating-with-graphql` }),
          problem: `Authorization: missing or not "bearer <token>" / "token <token>" (${CALL_DOCS} › Authenticating with GraphQL)`,
        };
      }
      const configured = own(tokens, secret);
      if (!configured) return json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const fineGrained = configured.fineGrained === true;
      const token = { user: users.get(configured.login), scopes: configured.scopes ?? [], fineGrained };
      const answer = request.path === paths.graphql ? graphql(request, token) : json(200, rest(token.user));
      // Scopes for OAuth apps › Checking granted scopes: X-OAuth-Scopes on every answer to a
      // classic token ("repo, user"; empty for none). A fine-grained token has no scopes and
      // gets no such header.
      if (!fineGrained) answer.headers['x-oauth-scopes'] = token.scopes.join(', ');
      // Using CORS and JSONP to make cross-origin requests: any origin, and these headers
      // readable by a page (an extension with the host permission reads them regardless).
      if (request.headers.origin) Object.assign(answer.headers, CORS);
      return answer;
    },
  };
}

/** REST "Get the authenticated user" (GET /user), the fields a token check reads. */
function rest(user) {
  const { login, databaseId: id, id: node_id, name, url: html_url } = user;
  return { login, id, node_id, type: 'User', site_admin: false, name, html_url, avatar_url: `https://avatars.githubusercontent.com/u/${id}` };
}

/** Starts a local GitHub (options as `githubService`, plus `https`). Besides the endpoint's
 *  fields: `graphqlUrl`, `restUrl` (the REST base: append `/user`), `shown(login, now)`, `status(login)`. */
export async function startGitHub({ https = false, ...options }) {
  const service = githubService(options);
  const endpoint = await startEndpoint(service, { https });
  return {
    ...endpoint,
    graphqlUrl: endpoint.origin + service.paths.graphql,
    restUrl: endpoint.origin + service.paths.user.replace(/\/user$/, ''),
    shown: service.shown,
    status: service.status,
    add: service.add,
    change: service.change,
    page: service.page,
  };
}
