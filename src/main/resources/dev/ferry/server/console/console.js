// Ferry console: plain JavaScript, no library. Talks only to this server's /api/v1, with the bearer token the
// user gave (kept in sessionStorage). Data from the API is only ever set as text (textContent), never as HTML.
'use strict';

const API = '/api/v1';
const TOKEN_KEY = 'ferry.apiToken';
const POLL_MS = 1000;
const CHART_POINTS = 300;

const $ = (id) => document.getElementById(id);
/** Per task: lag samples [{t, lag}] for the chart, and the last writes count for ops/s. */
const history = new Map();
let pollTimer = null;
let pollRound = 0;
let offline = false;

class Unauthorized extends Error {}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showToken(data && data.error);
    throw new Unauthorized();
  }
  return { status: res.status, data };
}

// ---- small helpers -------------------------------------------------------------------------------------------

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.appendChild(c instanceof Node ? c : el('td', c));
  return tr;
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function say(message, bad) {
  const s = $('status');
  s.textContent = message || '';
  s.classList.toggle('bad', !!bad);
}

function lagText(ms) {
  if (ms === null || ms === undefined || ms < 0) return '—';
  return ms < 10000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}

function stateClass(state) {
  if (state === 'streaming' || state === 'finished') return 'good';
  if (state === 'snapshot' || state === 'prechecking') return 'busy';
  if (state === 'paused' || state === 'retrying' || state === 'stopping') return 'warn';
  if (state === 'failed' || state === 'precheck-failed') return 'bad';
  return 'idle';
}

function stateBadge(span, state) {
  span.textContent = state;
  span.className = 'state ' + stateClass(state);
}

/** The snapshot's progress as [done, total, text]; total is the source's key count when the task started. */
function snapshotOf(state, snapshot) {
  const done = snapshot ? snapshot.keysDone : 0;
  const total = snapshot ? snapshot.keysTotal : -1;
  const following = ['streaming', 'paused', 'stopped', 'finished'].includes(state);
  if (following && done === 0) return [1, 1, 'none needed: the stream continued'];
  if (total < 0) return [0, -1, done > 0 ? done + ' keys, total not known yet' : 'not started'];
  if (total === 0) return [1, 1, 'empty source'];
  if (done >= total || following) return [1, 1, '100% (' + done + ' keys)'];
  return [done, total, Math.floor(100 * done / total) + '% (' + done + ' / ' + total + ' keys)'];
}

function progressCell(name, state, snapshot) {
  const td = document.createElement('td');
  const [done, total, text] = snapshotOf(state, snapshot);
  const bar = document.createElement('progress');
  bar.setAttribute('aria-label', 'Snapshot of ' + name);
  if (total > 0) {
    bar.max = total;
    bar.value = done;
  }
  td.append(bar, text);
  return td;
}

/** Records a poll of a task; returns its writes per second since the previous poll (null on the first). */
function record(task) {
  const now = Date.now();
  let h = history.get(task.name);
  if (!h) {
    h = { samples: [], writes: null, at: 0, ops: null };
    history.set(task.name, h);
  }
  if (task.lagMillis >= 0) {
    h.samples.push({ t: now, lag: task.lagMillis });
    if (h.samples.length > CHART_POINTS) h.samples.shift();
  }
  if (h.writes !== null && now > h.at && task.writesForwarded >= h.writes) {
    h.ops = Math.round((task.writesForwarded - h.writes) * 1000 / (now - h.at));
  }
  h.writes = task.writesForwarded;
  h.at = now;
  return h.ops;
}

function precheckRows(rows) {
  return (rows || []).map((r) => row([el('td', r.check), el('td', r.status, r.status), el('td', r.detail),
    el('td', r.fix || '')]));
}

// ---- views ---------------------------------------------------------------------------------------------------

function show(view) {
  for (const v of ['token', 'list', 'task', 'new']) $('view-' + v).hidden = v !== view;
  $('forget-token').hidden = !sessionStorage.getItem(TOKEN_KEY);
}

function showToken(why) {
  stopPolling();
  show('token');
  say(why ? 'The server refused the request: ' + why : '', !!why);
  $('token').value = '';
  $('token').focus();
}

async function listView() {
  const { data } = await api('GET', '/tasks');
  const tasks = data.tasks || [];
  fill($('tasks').querySelector('tbody'), tasks.map((t) => {
    const link = el('a', t.name);
    link.href = '#/task/' + encodeURIComponent(t.name);
    const name = el('th');
    name.scope = 'row';
    name.appendChild(link);
    const state = el('td');
    const badge = el('span');
    stateBadge(badge, t.state);
    state.appendChild(badge);
    const ops = record(t);
    const tr = row([name, state, progressCell(t.name, t.state, t.snapshot), el('td', lagText(t.lagMillis), 'num'),
      el('td', ops === null ? '—' : ops, 'num')]);
    tr.dataset.task = t.name;
    return tr;
  }));
  $('tasks').hidden = tasks.length === 0;
  $('no-tasks').hidden = tasks.length !== 0;
}

async function taskView(name) {
  const path = '/tasks/' + encodeURIComponent(name);
  const [detail, events] = await Promise.all([api('GET', path), api('GET', path + '/events')]);
  if (detail.status !== 200) {
    say(detail.data && detail.data.error ? detail.data.error : 'cannot read task ' + name, true);
    return;
  }
  const t = detail.data;
  const ops = record(t);
  $('task-name').textContent = t.name;
  stateBadge($('task-state'), t.state);
  $('task-snapshot').textContent = snapshotOf(t.state, t.snapshot)[2];
  const def = t.definition || {};
  $('task-route').textContent = def.source + ' → ' + def.target + (def.mode ? ' (' + def.mode + ')' : '');
  $('task-lag').textContent = lagText(t.lagMillis);
  $('task-ops').textContent = ops === null ? '—' : String(ops);
  $('task-writes').textContent = String(t.writesForwarded);
  $('task-backlog-row').hidden = !t.backlogCovers;
  $('task-backlog').textContent = t.backlogCovers ? t.backlogCovers.text : '';
  const problem = t.error || t.retryReason;
  $('task-problem-row').hidden = !problem;
  $('task-problem-kind').textContent = t.error ? 'Error' : 'Retrying because';
  $('task-problem').textContent = problem || '';
  const running = ['prechecking', 'snapshot', 'streaming', 'retrying'].includes(t.state);
  $('pause').disabled = !running;
  $('resume').disabled = running || t.state === 'stopping';
  $('stop').disabled = t.state === 'stopped' || t.state === 'stopping';
  fill($('shards').querySelector('tbody'), (t.shards || []).map((s) => row([s.source, s.state,
    el('td', s.appliedOffset, 'num'), el('td', s.fullResyncs, 'num'), el('td', s.partialResyncs, 'num'),
    s.lastEvent || ''])));
  fill($('precheck').querySelector('tbody'), precheckRows(t.precheck));
  $('precheck').hidden = !t.precheck;
  $('precheck-none').hidden = !!t.precheck;
  const list = events.status === 200 ? events.data.events || [] : [];
  fill($('events').querySelector('tbody'), list.slice().reverse().map((e) => row([e.time, e.kind, e.message])));
  drawChart(history.get(t.name).samples);
}

/** The smallest 1, 2 or 5 times a power of ten that is at least {@code v}: round numbers on the axis. */
function niceCeiling(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  return [1, 2, 5, 10].map((m) => m * p).find((c) => c >= v);
}

/** The lag chart: one polyline over the samples of the last few minutes, with a 0 and a max line. */
function drawChart(samples) {
  const svg = $('lag-chart');
  const ns = 'http://www.w3.org/2000/svg';
  const W = 640, H = 200, left = 64, right = 8, top = 10, bottom = 24;
  const node = (tag, attrs, text) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    return n;
  };
  const parts = [];
  const max = niceCeiling(Math.max(10, ...samples.map((s) => s.lag)));
  const now = Date.now();
  const span = samples.length > 1 ? Math.max(10000, now - samples[0].t) : 10000;
  const x = (t) => left + (W - left - right) * (1 - (now - t) / span);
  const y = (lag) => top + (H - top - bottom) * (1 - lag / max);
  for (const v of [0, max / 2, max]) {
    parts.push(node('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }));
    parts.push(node('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, lagText(Math.round(v))));
  }
  parts.push(node('text', { x: left, y: H - 6 }, '−' + Math.round(span / 1000) + ' s'));
  parts.push(node('text', { x: W - right, y: H - 6, 'text-anchor': 'end' }, 'now'));
  if (samples.length > 0) {
    const points = samples.map((s) => x(s.t).toFixed(1) + ',' + y(s.lag).toFixed(1)).join(' ');
    parts.push(node('polyline', { points, class: 'line' }));
  }
  svg.replaceChildren(...parts);
  const last = samples.length ? samples[samples.length - 1].lag : null;
  const highest = samples.length ? Math.max(...samples.map((s) => s.lag)) : null;
  $('lag-caption').textContent = samples.length === 0 ? 'No lag measured yet.'
    : 'Lag over the last ' + Math.round(span / 1000) + ' s: now ' + lagText(last) + ', highest ' + lagText(highest)
      + ' (' + samples.length + ' samples).';
}

async function act(action) {
  const name = currentTask();
  const buttons = ['pause', 'resume', 'stop', 'verify'].map($);
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const { status, data } = await api('POST', '/tasks/' + encodeURIComponent(name) + '/' + action, {});
    if (action === 'verify') {
      showVerify(status, data);
    } else {
      say(status === 202 ? action + ' asked of ' + name : (data && data.error) || action + ' failed', status !== 202);
    }
  } catch (e) {
    if (!(e instanceof Unauthorized)) say(action + ' failed: ' + e.message, true);
  } finally {
    if (currentTask() === name) {
      $('verify').disabled = false;
      stopPolling();
      refresh();
    }
  }
}

function showVerify(status, data) {
  const box = $('verify-result');
  if (status !== 200) {
    box.replaceChildren(el('p', 'Verify failed: ' + ((data && data.error) || 'HTTP ' + status), 'message bad'));
    return;
  }
  const verdict = el('strong', data.consistent ? 'consistent' : 'not consistent');
  verdict.id = 'verify-verdict';
  const differences = data.differences ? data.differences.length : 0;
  const p = el('p', null, 'message ' + (data.consistent ? 'ok' : 'bad'));
  p.append('Verify: ', verdict, ' — ' + data.keys.source + ' source keys, ' + data.keys.target + ' target keys, '
    + differences + ' difference(s), ' + data.elapsedMillis + ' ms (' + new Date().toLocaleTimeString() + ').');
  const parts = [p];
  if (differences > 0) {
    const table = el('table');
    table.appendChild(el('caption', 'Differences (first ones)'));
    table.appendChild(row([el('th', 'DB'), el('th', 'Key'), el('th', 'Kind'), el('th', 'Detail')]));
    data.differences.slice(0, 50).forEach((d) => table.appendChild(row([d.db, d.key, d.kind, d.detail])));
    parts.push(table);
  }
  box.replaceChildren(...parts);
}

function formBody() {
  const body = {};
  for (const input of $('new-form').querySelectorAll('input:not([type=checkbox]), select')) {
    const v = input.value.trim();
    if (v !== '') body[input.name] = v;
  }
  if ($('f-skip').checked) body.skipPrecheck = true;
  return body;
}

/** Shows the answer to a precheck or a create: a message, and the precheck table when there is one. */
function showCreateResult(message, ok, rows, link) {
  const p = el('p', message, 'message ' + (ok ? 'ok' : 'bad'));
  if (link) p.append(' ', link);
  $('create-result').replaceChildren(p);
  const table = $('create-precheck');
  fill(table.querySelector('tbody'), precheckRows(rows));
  table.hidden = !rows;
}

/** Submitting the form runs the precheck only (or, with the precheck skipped, creates at once). */
async function submitForm(event) {
  event.preventDefault();
  const body = formBody();
  if (body.skipPrecheck) return create(body);
  $('create').hidden = true;
  $('run-precheck').disabled = true;
  $('create-result').replaceChildren(el('p', 'Running the precheck…', 'message'));
  try {
    const { status, data } = await api('POST', '/tasks', Object.assign({ precheckOnly: true }, body));
    if (status === 200) {
      showCreateResult('Precheck passed; nothing is created yet. Read the table, then create the task.', true,
        data.precheck);
      $('create').textContent = 'Create and start ' + body.name;
      $('create').hidden = false;
      $('create').onclick = () => create(body);
    } else if (status === 422) {
      showCreateResult('Precheck failed, nothing was created: ' + data.error
        + ' Fix what the table says and run it again.', false, data.precheck);
    } else {
      showCreateResult('Cannot run the precheck: ' + ((data && data.error) || 'HTTP ' + status), false, null);
    }
  } catch (e) {
    if (!(e instanceof Unauthorized)) showCreateResult('Cannot run the precheck: ' + e.message, false, null);
  } finally {
    $('run-precheck').disabled = false;
  }
}

async function create(body) {
  $('create').disabled = true;
  $('create-result').replaceChildren(el('p', 'Creating ' + body.name + '…', 'message'));
  try {
    const { status, data } = await api('POST', '/tasks', body);
    if (status === 201) {
      const link = el('a', 'Open task ' + data.name);
      link.href = '#/task/' + encodeURIComponent(data.name);
      link.id = 'open-created';
      showCreateResult((data.precheck ? 'Precheck passed again: ' : 'Precheck skipped: ') + 'task ' + data.name
        + ' is created and starting.', true, data.precheck, link);
      $('create').hidden = true;
    } else {
      showCreateResult('Not created: ' + ((data && data.error) || 'HTTP ' + status), false, data && data.precheck);
    }
  } catch (e) {
    if (!(e instanceof Unauthorized)) showCreateResult('Not created: ' + e.message, false, null);
  } finally {
    $('create').disabled = false;
  }
}

// ---- routing and polling -------------------------------------------------------------------------------------

function currentTask() {
  const m = location.hash.match(/^#\/task\/(.+)$/);
  return m ? decodeURIComponent(m[1]) : null;
}

async function refresh() {
  const round = pollRound;
  try {
    if (currentTask() !== null) await taskView(currentTask());
    else if (location.hash === '#/new') return;
    else await listView();
    if (offline && round === pollRound) say('');
    offline = false;
  } catch (e) {
    if (e instanceof Unauthorized) return;
    offline = true;
    say('Cannot reach the server: ' + e.message + ' (retrying)', true);
  }
  if (round === pollRound) pollTimer = setTimeout(refresh, POLL_MS);
}

function stopPolling() {
  pollRound++;
  clearTimeout(pollTimer);
}

function route() {
  stopPolling();
  say('');
  const task = currentTask();
  const view = task !== null ? 'task' : location.hash === '#/new' ? 'new' : 'list';
  if (view === 'task') {
    $('verify-result').replaceChildren();
    $('task-name').textContent = task;
  }
  show(view);
  const title = { list: 'Tasks', task: 'Task ' + task, new: 'New task' }[view];
  document.title = title + ' · Ferry console';
  $(view + '-title').focus();
  refresh();
}

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    route();
  });
  $('forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showToken();
  });
  for (const action of ['pause', 'resume', 'stop', 'verify']) {
    $(action).addEventListener('click', () => act(action));
  }
  $('new-form').addEventListener('submit', submitForm);
  // A changed form needs its precheck again before it can be created.
  $('new-form').addEventListener('input', () => { $('create').hidden = true; });
  window.addEventListener('hashchange', route);
  route();
});
