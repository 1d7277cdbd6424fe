// The review console: sign in with a tenant key, work through the records waiting for a
// person with the keyboard, and read the labelers' agreement. Plain DOM, no build step.

const KEY = 'refinery.review.key';
const REASONS = {
  review_requested: 'review requested',
  low_confidence: 'low confidence',
  unlabeled: 'no label',
  negative_feedback: 'negative feedback',
};

const $ = (id) => document.getElementById(id);

/** An element with attributes (`on*` as listeners) and children; text is never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const state = {
  items: [],
  total: 0,
  selected: 0,
  /** The record whose details and correction form are on screen. */
  shown: null,
  choices: { labels: [], actions: [] },
  busy: false,
  /** Counts the queue's loads and decisions: an answer to an older load is dropped. */
  loads: 0,
  learningLoads: 0,
};

// ---- talking to the service ----

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(method, path, body, key = sessionStorage.getItem(KEY)) {
  const res = await fetch(path, {
    method,
    headers: {
      'x-api-key': key ?? '',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiError(res.status, answer?.detail ?? `the service answered ${res.status}`);
  }
  return answer;
}

let quiet;

/** Says something to everyone: shown for a while at the foot of the screen, and read aloud. */
function announce(message, bad = false) {
  const status = $('status');
  status.classList.toggle('bad', bad);
  status.textContent = '';
  clearTimeout(quiet);
  // A new text node after clearing, so the same message twice is read twice.
  requestAnimationFrame(() => (status.textContent = message));
  quiet = setTimeout(() => (status.textContent = ''), 8000);
}

/** A key that stopped working mid-session sends the reviewer back to sign in. */
function handle(error) {
  if (error instanceof ApiError && error.status === 401) {
    signOut({ problem: 'Your key is no longer accepted: sign in again.' });
    return;
  }
  announce(error.message, true);
}

// ---- signing in ----

function loginMessage(error) {
  if (!(error instanceof ApiError)) return `The service cannot be reached: ${error.message}`;
  if (error.status === 401) return 'This API key is not known or has been revoked.';
  if (error.status === 403) {
    return 'This key does not have the review scope, so it cannot review records. Sign in with a key that has the review scope.';
  }
  return error.message;
}

async function signIn(event) {
  event.preventDefault();
  const input = $('api-key');
  const error = $('login-error');
  const key = input.value.trim();
  if (!key) {
    error.textContent = 'Enter your API key.';
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  try {
    const queue = await api('GET', '/api/review/queue?limit=1', undefined, key);
    state.choices = queue.choices;
  } catch (failure) {
    error.textContent = loginMessage(failure);
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    input.select();
    return;
  }
  sessionStorage.setItem(KEY, key);
  input.value = '';
  input.removeAttribute('aria-invalid');
  error.textContent = '';
  // A change of address routes by itself (hashchange); the same address needs a nudge.
  if (location.hash === '#/queue') await route();
  else location.hash = '#/queue';
}

/** Forgets the key; `problem` is shown as the reason, a plain sign-out is only announced. */
function signOut({ problem = '', notice = '' } = {}) {
  sessionStorage.removeItem(KEY);
  state.items = [];
  state.shown = null;
  showLogin(problem);
  if (notice) announce(notice);
}

function showLogin(message) {
  for (const id of ['queue', 'labeling', 'nav', 'sign-out']) $(id).hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  document.title = 'Sign in · Refinery review console';
  $('api-key').focus();
}

// ---- pages ----

async function route() {
  if (!sessionStorage.getItem(KEY)) return showLogin('');
  const page = location.hash === '#/labeling' ? 'labeling' : 'queue';
  $('login').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  $('queue').hidden = page !== 'queue';
  $('labeling').hidden = page !== 'labeling';
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (page === 'queue') {
    document.title = 'Review queue · Refinery review console';
    await Promise.all([loadQueue(), loadLearningItems()]);
    $('records').focus();
  } else {
    document.title = 'Labeling · Refinery review console';
    await loadLabeling();
    $('labeling-heading').setAttribute('tabindex', '-1');
    $('labeling-heading').focus();
  }
}

// ---- the queue ----

const titleOf = (item) =>
  item.input.order_number ??
  item.input.external_id ??
  `${item.record_type} ${item.record_id.slice(0, 8)}`;
const percent = (confidence) =>
  confidence === null || confidence === undefined
    ? 'no confidence'
    : `${Math.round(confidence * 100)}%`;

async function loadQueue() {
  const asked = ++state.loads;
  try {
    const queue = await api('GET', '/api/review/queue?limit=100');
    // Asked before a later load or decision: it may still list a record just settled.
    if (asked !== state.loads) return;
    const selectedId = state.items[state.selected]?.record_id;
    state.items = queue.items;
    state.total = queue.total;
    state.choices = queue.choices;
    const kept = state.items.findIndex((item) => item.record_id === selectedId);
    state.selected = Math.max(
      0,
      Math.min(kept >= 0 ? kept : state.selected, state.items.length - 1),
    );
    renderChoices();
    renderQueue();
  } catch (error) {
    handle(error);
  }
}

function renderChoices() {
  const fill = (select, values, what, key) => {
    if (select.options.length === values.length + 1) return;
    select.replaceChildren(
      h('option', { value: '' }, `Keep the model's ${what}`),
      ...values.map((value, i) => h('option', { value }, `${key(i + 1)}  ${value}`)),
    );
  };
  fill($('label'), state.choices.labels, 'label', (n) => `${n} ·`);
  fill($('action'), state.choices.actions, 'action', (n) => `⇧${n} ·`);
}

function renderQueue() {
  const list = $('records');
  const shown = state.items.length;
  $('total').textContent =
    state.total > shown ? `(${shown} of ${state.total})` : `(${state.total})`;
  $('records-empty').hidden = shown > 0;
  list.replaceChildren(
    ...state.items.map((item, i) =>
      h(
        'li',
        {
          id: `record-${item.record_id}`,
          role: 'option',
          'aria-selected': String(i === state.selected),
          'data-record-id': item.record_id,
          onclick: () => select(i, true),
        },
        h('span', { class: 'rec-title' }, titleOf(item)),
        typeof item.input.description === 'string'
          ? h('span', { class: 'rec-said' }, item.input.description)
          : null,
        h(
          'span',
          { class: 'rec-answer' },
          `${item.answer.label ?? 'no label'} · ${percent(item.answer.confidence)}`,
        ),
        h(
          'span',
          { class: 'chips' },
          item.reasons.map((r) => h('span', { class: `chip ${r}` }, REASONS[r] ?? r)),
        ),
      ),
    ),
  );
  if (shown > 0)
    list.setAttribute('aria-activedescendant', `record-${state.items[state.selected].record_id}`);
  else list.removeAttribute('aria-activedescendant');
  renderDetail();
}

function select(index, focus = false) {
  if (state.items.length === 0) return;
  state.selected = Math.max(0, Math.min(index, state.items.length - 1));
  for (const [i, li] of [...$('records').children].entries()) {
    li.setAttribute('aria-selected', String(i === state.selected));
  }
  const current = $('records').children[state.selected];
  $('records').setAttribute('aria-activedescendant', current.id);
  current.scrollIntoView({ block: 'nearest' });
  renderDetail();
  if (focus) $('records').focus();
}

function renderDetail() {
  const item = state.items[state.selected];
  $('correction').hidden = !item;
  if (!item) {
    state.shown = null;
    $('detail-heading').textContent = 'Record';
    $('summary').replaceChildren(h('p', { class: 'help' }, 'Nothing to review.'));
    $('detail').replaceChildren();
    return;
  }
  $('detail-heading').textContent = `Record ${titleOf(item)}`;
  // A refresh of the same record keeps what the reviewer has picked so far.
  if (state.shown !== item.record_id) {
    for (const field of [$('label'), $('action')]) {
      field.value = '';
      field.classList.remove('picked');
    }
    $('reason').value = '';
  }
  state.shown = item.record_id;
  const { description, ...rest } = item.input;
  $('summary').replaceChildren(
    typeof description === 'string' ? h('p', { class: 'said', id: 'said' }, description) : null,
    answerOf(item),
    h(
      'ul',
      { class: 'chips', 'aria-label': 'Why it waits' },
      item.reasons.map((r) => h('li', { class: `chip ${r}` }, REASONS[r] ?? r)),
    ),
    h('h3', {}, 'Why the model answered so'),
    explanationOf(item.explanation),
  );
  $('detail').replaceChildren(
    h('h3', {}, 'The record'),
    h(
      'dl',
      { class: 'facts' },
      [
        ['Type', item.record_type],
        ...Object.entries(rest).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : JSON.stringify(value),
        ]),
        ['Model version', item.model_version ?? '—'],
        ['Waiting since', new Date(item.waiting_since).toLocaleString()],
        ['Record id', item.record_id],
      ].map(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]),
    ),
  );
}

function answerOf(item) {
  const confidence = item.answer.confidence;
  const meter =
    confidence === null
      ? null
      : h('span', { class: 'meter', 'aria-hidden': 'true' }, h('span', {}));
  // Sized here, not in markup: the page's style rules allow no inline style attributes.
  if (meter) meter.firstChild.style.width = `${Math.round(confidence * 100)}%`;
  return h(
    'p',
    { class: 'answer', id: 'answer' },
    h('span', {}, 'Label ', h('strong', {}, item.answer.label ?? '—')),
    h('span', {}, 'Action ', h('strong', {}, item.answer.action ?? '—')),
    h('span', {}, `Confidence ${percent(confidence)} `, meter),
  );
}

function explanationOf(explanation) {
  if (!explanation)
    return h('p', { class: 'help' }, 'No explanation was recorded for this answer.');
  const weights = new Map(explanation.contributions.map((c) => [c.feature, c.weight]));
  const top = explanation.top_features.length
    ? explanation.top_features
    : explanation.contributions.map((c) => c.feature);
  const signed = (w) => `${w > 0 ? '+' : ''}${w.toFixed(2)}`;
  return h(
    'div',
    { class: 'explanation' },
    h('p', { class: 'explanation-text', id: 'explanation' }, explanation.text ?? ''),
    top.length
      ? h(
          'ol',
          { class: 'features', 'aria-label': 'Top features' },
          top.map((feature) =>
            h(
              'li',
              {},
              feature,
              weights.has(feature)
                ? h('span', { class: 'weight' }, ` (${signed(weights.get(feature))})`)
                : null,
            ),
          ),
        )
      : null,
  );
}

function pick(select, values, index) {
  if (index < 0 || index >= values.length) return;
  select.value = values[index];
  select.classList.add('picked');
  const what = select.id === 'label' ? 'Label' : 'Action';
  announce(`${what} ${values[index]}`);
}

async function submitCorrection(event) {
  event?.preventDefault();
  const item = state.items[state.selected];
  if (!item || state.busy) return;
  const label = $('label').value;
  const action = $('action').value;
  if (!label && !action) {
    announce('Pick a label (1 to 8) or an action (Shift + 1 to 6) first.', true);
    return;
  }
  const reason = $('reason').value.trim();
  await settle(
    item,
    `Corrected ${titleOf(item)}: ${[label, action].filter(Boolean).join(', ')}.`,
    () =>
      api('POST', '/api/feedback/correction', {
        record_id: item.record_id,
        corrected_answer: { ...(label ? { label } : {}), ...(action ? { action } : {}) },
        // A reviewer's correction is approved as it is made.
        priority: 'urgent',
        ...(reason ? { reason } : {}),
      }),
  );
}

async function accept() {
  const item = state.items[state.selected];
  if (!item || state.busy) return;
  await settle(item, `Accepted ${titleOf(item)} as answered.`, () =>
    api('POST', '/api/feedback/rating', { record_id: item.record_id, feedback_type: 'thumbs_up' }),
  );
}

/** Sends the decision, takes the record off the list and refreshes both lists. */
async function settle(item, message, send) {
  state.loads++;
  state.busy = true;
  $('submit').disabled = true;
  $('accept').disabled = true;
  try {
    await send();
  } catch (error) {
    handle(error);
    return;
  } finally {
    state.busy = false;
    $('submit').disabled = false;
    $('accept').disabled = false;
  }
  const at = state.items.indexOf(item);
  if (at >= 0) state.items.splice(at, 1);
  state.total = Math.max(0, state.total - 1);
  state.selected = Math.min(Math.max(at, 0), Math.max(0, state.items.length - 1));
  renderQueue();
  announce(`${message} ${state.total} waiting.`);
  await Promise.all([loadQueue(), loadLearningItems()]);
}

async function loadLearningItems() {
  const list = $('learning-items');
  const asked = ++state.learningLoads;
  try {
    const { items } = await api('GET', '/api/learning/queue?limit=20');
    if (asked !== state.learningLoads) return;
    $('learning-note').textContent = items.length
      ? "The tenant's latest learning items, newest first."
      : 'No learning items yet: corrections become learning items.';
    list.replaceChildren(...items.map(learningItem));
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      $('learning-note').textContent = `Learning items cannot be shown: ${error.message}.`;
      list.replaceChildren();
      return;
    }
    handle(error);
  }
}

function learningItem(item) {
  const proposed = item.proposed_content ?? {};
  const corrected = proposed.corrected_answer;
  const subject =
    proposed.input?.order_number ?? item.record_id?.slice(0, 8) ?? item.id.slice(0, 8);
  return h(
    'li',
    { 'data-record-id': item.record_id ?? '', 'data-status': item.status },
    h(
      'div',
      { class: 'item-head' },
      h('span', { class: `chip ${item.status}` }, item.status),
      h('strong', {}, subject),
      h('span', { class: 'item-when' }, new Date(item.created_at).toLocaleTimeString()),
    ),
    h(
      'div',
      {},
      corrected
        ? `${item.source_type}: ${[corrected.label, corrected.action].filter(Boolean).join(', ')}`
        : `${item.source_type}: ${item.content.slice(0, 120)}`,
    ),
  );
}

// ---- labeling ----

const figure = (value) => (typeof value === 'number' ? value.toFixed(2) : '—');

async function loadLabeling() {
  const box = $('datasets');
  box.replaceChildren(h('p', { class: 'help' }, 'Loading…'));
  try {
    const { datasets } = await api('GET', '/api/review/labeling');
    box.replaceChildren(
      ...(datasets.length
        ? datasets.map(datasetFigures)
        : [h('p', {}, 'This tenant has no datasets yet.')]),
    );
  } catch (error) {
    box.replaceChildren(
      h('p', { class: 'error' }, `The labeling figures cannot be shown: ${error.message}`),
    );
    if (error instanceof ApiError && error.status === 401) handle(error);
  }
}

function datasetFigures(dataset) {
  const a = dataset.agreement ?? {};
  const id = `dataset-${dataset.name}`;
  const columns = [
    ['Labeler', (l) => l.labeler],
    ['Sessions', (l) => l.sessions, true],
    ['Labels', (l) => l.labels, true],
    ['Labels per session', (l) => figure(l.examples_per_session), true],
    ['Seconds per label', (l) => figure(l.avg_seconds_per_example), true],
    ['Agreement with others', (l) => figure(l.agreement_with_others), true],
    ['Agreement with Gold', (l) => figure(l.agreement_with_gold), true],
  ];
  return h(
    'section',
    { class: 'dataset', 'aria-labelledby': id, 'data-dataset': dataset.name },
    h('h2', { id }, dataset.name),
    dataset.description ? h('p', { class: 'help' }, dataset.description) : null,
    h(
      'dl',
      { class: 'figures' },
      [
        ["Cohen's κ", figure(a.cohen?.kappa)],
        ["Fleiss' κ", figure(a.fleiss?.kappa)],
        ["Krippendorff's α", figure(a.krippendorff_alpha)],
        ['Items labelled', a.items ?? 0],
        ['Labelers', a.raters ?? 0],
      ].map(([name, value]) => h('div', {}, h('dt', {}, name), h('dd', {}, value))),
    ),
    dataset.labelers.length
      ? h(
          'table',
          {},
          h('caption', {}, `Labelers of ${dataset.name}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              columns.map(([name, , num]) =>
                h('th', { scope: 'col', class: num ? 'num' : null }, name),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            dataset.labelers.map((labeler) =>
              h(
                'tr',
                {},
                columns.map(([name, value, num], i) =>
                  h(
                    i === 0 ? 'th' : 'td',
                    {
                      scope: i === 0 ? 'row' : null,
                      class: num ? 'num' : null,
                      'data-label': name,
                    },
                    value(labeler),
                  ),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'help' }, 'No labeling sessions yet.'),
    a.notes?.length
      ? h(
          'ul',
          { class: 'notes' },
          a.notes.map((note) => h('li', {}, note)),
        )
      : null,
  );
}

// ---- keys ----

/** Shortcuts apply while the focus is not in a field, where the keys type or choose. */
function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || $('queue').hidden) return;
  const target = event.target;
  if (target.closest?.('input, select, textarea, button, a')) return;
  const digit = /^Digit([1-9])$/.exec(event.code)?.[1];
  let handled = true;
  if (digit && event.shiftKey) pick($('action'), state.choices.actions, Number(digit) - 1);
  else if (digit) pick($('label'), state.choices.labels, Number(digit) - 1);
  else if (event.key === 'j' || event.key === 'ArrowDown') select(state.selected + 1, true);
  else if (event.key === 'k' || event.key === 'ArrowUp') select(state.selected - 1, true);
  else if (event.key === 'Home') select(0, true);
  else if (event.key === 'End') select(state.items.length - 1, true);
  else if (event.key === 'a' && !event.shiftKey) void accept();
  else if (event.key === 'Enter') void submitCorrection();
  else handled = false;
  if (handled) event.preventDefault();
}

document.addEventListener('keydown', onKey);
$('login-form').addEventListener('submit', signIn);
$('correction').addEventListener('submit', submitCorrection);
$('accept').addEventListener('click', () => void accept());
$('sign-out').addEventListener('click', () => signOut({ notice: 'You have signed out.' }));
window.addEventListener('hashchange', () => void route());
void route();
