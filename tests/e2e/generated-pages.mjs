// Generated GitHub pull-request pages in the React view's markup (the attributes the GitHub
// adapter's current rules key on: issue-body-header-author, react-issue-comment with
// avatar-link, data-wrapper-timeline-id, the sidebar sections), with a little inline CSS so a
// screenshot reads like a tracker page. GitHub's CSP allows inline styles ('unsafe-inline' in
// style-src) and no inline scripts, so these pages carry none.
//
// Used by the README screenshot (inline.test.mjs), the XSS corpus test and the benchmark.

const STYLE = `
  body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; background: #fff; }
  header { display: flex; gap: 16px; align-items: center; padding: 12px 24px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; }
  header a { color: #1f2328; font-weight: 600; text-decoration: none; }
  main { display: flex; gap: 24px; max-width: 1080px; margin: 0 auto; padding: 24px; }
  .timeline { flex: 1; min-width: 0; }
  aside { width: 240px; font-size: 12px; }
  aside h3 { font-size: 12px; color: #59636e; margin: 16px 0 6px; }
  aside a { display: inline-block; margin: 2px 0; color: #1f2328; }
  h1 { font-size: 26px; font-weight: 400; margin: 0 0 4px; }
  h1 .num { color: #59636e; }
  .meta { color: #59636e; margin-bottom: 16px; }
  .meta a, .comment-header a, [data-wrapper-timeline-id] a { color: #1f2328; font-weight: 600; text-decoration: none; }
  .react-issue-comment, .react-issue-body { border: 1px solid #d1d9e0; border-radius: 6px; margin: 0 0 16px; }
  [data-testid="comment-header"], [data-testid="issue-body-header"] { padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0; color: #59636e; }
  .markdown-body { padding: 8px 16px; }
  [data-wrapper-timeline-id].event { margin: 0 0 16px 16px; color: #59636e; }
  .avatar { width: 20px; height: 20px; border-radius: 50%; vertical-align: middle; background: #d1d9e0; }
`;

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function userLink(login, { testid, avatar = false } = {}) {
  const t = testid ? ` data-testid="${testid}"` : '';
  const inner = avatar ? `<img class="avatar" alt="@${esc(login)}" src="https://avatars.githubusercontent.com/u/1?v=4">` : esc(login);
  return `<a${t} href="/${esc(login)}" data-hovercard-url="/users/${esc(login)}/hovercard">${inner}</a>`;
}

/** One timeline entry: a comment (`c`) or an event (`e`) by `login`. */
export function timelineItem(n, login, kind = n % 3 === 2 ? 'e' : 'c', mention) {
  if (kind === 'e') {
    return `<div class="event" data-wrapper-timeline-id="e${n}">${userLink(login, { avatar: true })} ${userLink(login)} added the <a href="/acme/widgets/labels/bug">bug</a> label</div>`;
  }
  const cc = mention ? ` cc <a class="user-mention notranslate" data-hovercard-type="user" data-hovercard-url="/users/${esc(mention)}/hovercard" href="https://github.com/${esc(mention)}">@${esc(mention)}</a>` : '';
  return `<div data-wrapper-timeline-id="c${n}"><div class="react-issue-comment">
    <div data-testid="comment-header">${userLink(login, { testid: 'avatar-link' })} commented <relative-time datetime="2025-05-02T09:00:00Z">May 2</relative-time></div>
    <div class="markdown-body"><p>Comment ${n}: looks good once the retry covers the timeout path.${cc}</p></div>
  </div></div>`;
}

/**
 * A PR conversation page: `author`, `assignees`, `participants` and `timeline` (entries from
 * timelineItem, or [login, kind, mention] triples). Signed in as `viewer`.
 */
export function prPage({ owner = 'acme', repo = 'widgets', number, title, author, assignees = [], timeline = [], viewer = 'zed', extraHead = '' }) {
  const items = timeline.map((t, n) => (typeof t === 'string' ? t : timelineItem(n, ...t))).join('\n');
  const participants = [...new Set([author, ...timeline.filter((t) => Array.isArray(t)).map((t) => t[0])])].slice(0, 40);
  return `<!doctype html>
<html lang="en" data-color-mode="light"><head><meta charset="utf-8">
<title>${esc(title)} by ${esc(author)} · Pull Request #${number} · ${owner}/${repo} · GitHub</title>
<meta name="user-login" content="${esc(viewer)}">
<style>${STYLE}</style>${extraHead}</head>
<body class="logged-in">
<header><a href="/${owner}" data-hovercard-type="organization">${owner}</a> / <a href="/${owner}/${repo}">${repo}</a>
  <span style="flex:1"></span><a href="/pulls">Pull requests</a><a href="/issues">Issues</a></header>
<main>
  <div class="timeline" data-testid="issue-viewer-issue-container">
    <h1><bdi data-testid="issue-title">${esc(title)}</bdi> <span class="num">#${number}</span></h1>
    <div class="meta">${userLink(author, { testid: 'issue-body-header-author' })} wants to merge 3 commits into <code>main</code></div>
    <div class="react-issue-body"><div data-testid="issue-body-header">${userLink(author, { testid: 'github-avatar', avatar: true })} ${userLink(author, { testid: 'issue-body-header-author' })} opened this pull request</div>
      <div data-testid="markdown-body" class="markdown-body"><p>Retries the export when the upstream times out.</p></div></div>
    <div data-testid="issue-timeline">
${items}
    </div>
  </div>
  <aside data-testid="issue-viewer-metadata-pane">
    <div data-testid="sidebar-assignees-section"><h3>Assignees</h3>${assignees.map((a) => `${userLink(a, { avatar: true })} ${userLink(a)}`).join('<br>')}</div>
    <div data-testid="sidebar-participants-section"><h3>Participants</h3>${participants.map((p) => userLink(p, { avatar: true })).join(' ')}</div>
  </aside>
</main></body></html>`;
}
