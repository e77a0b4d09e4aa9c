// The example provincial portal: plain JavaScript over the Grassroots HTTP/JSON
// gateway (docs/api-http.md). No framework and no build step.
//
// Every piece of data from the API reaches the page through textContent (the
// el() helper below), never innerHTML, so a display name cannot inject markup.
'use strict';

(() => {
  const TOKEN_KEY = 'grassroots.portal.token';
  const GATEWAY_KEY = 'grassroots.portal.gateway';
  const DEFAULT_GATEWAY = 'http://127.0.0.1:8080';
  const MEMBER_PAGE_SIZE = 20;
  const CHILD_PAGE_SIZE = 1000;   // the maximum ListOrganizations allows
  const COUNT_BATCH = 1000;       // the most organizations CountMembers takes at once

  // Vietnamese labels for the enums the page shows (the API sends names).
  const MEMBER_STATUS = {
    MEMBER_STATUS_PROSPECT: 'Quần chúng ưu tú',
    MEMBER_STATUS_ADMITTED: 'Đã có quyết định kết nạp',
    MEMBER_STATUS_PROBATIONARY: 'Đảng viên dự bị',
    MEMBER_STATUS_OFFICIAL: 'Đảng viên chính thức',
    MEMBER_STATUS_REMOVED: 'Xóa tên',
    MEMBER_STATUS_LEFT: 'Cho ra khỏi Đảng',
    MEMBER_STATUS_EXPELLED: 'Khai trừ',
    MEMBER_STATUS_DECEASED: 'Từ trần',
    MEMBER_STATUS_TRANSFERRED_OUT: 'Đã chuyển sinh hoạt đi',
    MEMBER_STATUS_NOT_ADMITTED: 'Không kết nạp',
  };
  const ATTAINMENT = {
    ATTAINMENT_MET: ['Đạt', 'met'],
    ATTAINMENT_NOT_MET: ['Chưa đạt', 'not-met'],
    ATTAINMENT_UNKNOWN: ['Chưa xác định', 'unknown'],
    ATTAINMENT_NOT_APPLICABLE: ['Không áp dụng', 'na'],
    ATTAINMENT_NO_TARGET: ['Không có mục tiêu', 'na'],
  };
  const ORG_STATE = {
    ORGANIZATION_STATE_DISSOLVED: 'đã giải thể',
    ORGANIZATION_STATE_MERGED: 'đã hợp nhất',
    ORGANIZATION_STATE_SPLIT: 'đã chia tách',
    ORGANIZATION_STATE_HANDED_OVER: 'đã bàn giao',
  };
  // What the user reads for each HTTP status; the server's message follows it.
  const HTTP_PROBLEM = {
    400: 'Yêu cầu không hợp lệ',
    401: 'Token hết hạn hoặc không hợp lệ — hãy đăng nhập lại với token mới',
    403: 'Token không có quyền xem nội dung này (ngoài phạm vi hoặc thiếu vai trò)',
    404: 'Không tìm thấy',
    409: 'Xung đột dữ liệu',
    429: 'Quá nhiều yêu cầu, hãy thử lại sau ít phút',
    501: 'Gateway chưa hỗ trợ thao tác này',
    503: 'Dịch vụ tạm thời không sẵn sàng',
    504: 'Dịch vụ trả lời quá chậm',
  };

  const state = {
    gateway: DEFAULT_GATEWAY,
    token: '',
    claims: null,
    root: null,             // the Organization at the top of the tree
    selected: null,         // the Organization the search and the scorecard are scoped to
    typeNames: new Map(),   // organization type code -> Vietnamese name
    orgNames: new Map(),    // "organizations/7" -> display name
    memberQuery: '',
    memberOrg: '',          // the organization the current search is scoped to ('' = the token's scope)
    memberTokens: [''],     // page tokens of the pages seen, so "previous" works
    memberPage: 0,
    memberNext: '',
  };
  // GET answers by URL and token, with their ETag: sent back in If-None-Match,
  // a 304 reuses the body held here.
  const etagCache = new Map();

  const $ = (id) => document.getElementById(id);

  // Builds an element; string children become text nodes (escaped by the DOM).
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'className') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  // ---- errors -----------------------------------------------------------------

  class ApiError extends Error {
    constructor(httpStatus, status, requestId) {
      super((status && status.message) || `HTTP ${httpStatus}`);
      this.httpStatus = httpStatus;
      this.status = status || {};
      this.requestId = requestId || '';
    }
  }

  function describeError(error) {
    if (error instanceof ApiError) {
      const problem = HTTP_PROBLEM[error.httpStatus] || `Lỗi HTTP ${error.httpStatus}`;
      const parts = [problem];
      if (error.status.message) parts.push(`(${error.status.message})`);
      // google.rpc.BadRequest names the field at fault.
      for (const detail of error.status.details || []) {
        for (const violation of detail.fieldViolations || []) {
          parts.push(`[${violation.field}: ${violation.description}]`);
        }
      }
      if (error.requestId) parts.push(`— mã yêu cầu ${error.requestId}`);
      return parts.join(' ');
    }
    if (error instanceof TypeError) {
      // fetch rejects with a TypeError when the gateway is unreachable or the
      // answer lacks the CORS headers for this page's origin.
      return `Không kết nối được gateway ${state.gateway} (gateway chưa chạy, sai địa chỉ, ` +
        `hoặc gateway chưa cho phép nguồn ${window.location.origin} trong --cors-allowed-origins)`;
    }
    return String(error && error.message ? error.message : error);
  }

  function showError(error) {
    $('error-text').textContent = typeof error === 'string' ? error : describeError(error);
    $('error-banner').hidden = false;
  }

  function clearError() {
    $('error-banner').hidden = true;
    $('error-text').textContent = '';
  }

  // ---- the API ------------------------------------------------------------------

  // GET path (with a query built from params; arrays repeat the parameter).
  async function apiGet(path, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) {
      if (value === undefined || value === null || value === '') continue;
      for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
    }
    const qs = query.toString();
    const url = state.gateway + path + (qs ? `?${qs}` : '');
    const cacheKey = `${state.token}\n${url}`;
    const cached = etagCache.get(cacheKey);
    const headers = { Accept: 'application/json', Authorization: `Bearer ${state.token}` };
    if (cached) headers['If-None-Match'] = cached.etag;
    const response = await fetch(url, { headers, cache: 'no-store', mode: 'cors' });
    const requestId = response.headers.get('X-Request-Id') || '';
    $('footer-request').textContent = requestId ? `yêu cầu cuối: ${requestId}` : '';
    if (response.status === 304 && cached) return cached.body;
    let body = null;
    const text = await response.text();
    if (text) {
      try {
        body = JSON.parse(text);
      } catch (e) {
        body = { message: text.slice(0, 200) };
      }
    }
    if (!response.ok) throw new ApiError(response.status, body, requestId);
    const etag = response.headers.get('ETag');
    if (etag) etagCache.set(cacheKey, { etag, body });
    return body || {};
  }

  // "organizations/7" -> "/v1/organizations/7" (ids are digits; encode anyway).
  function resourcePath(name) {
    return '/v1/' + name.split('/').map(encodeURIComponent).join('/');
  }

  async function listChildren(parentName) {
    const children = [];
    let pageToken = '';
    do {
      const page = await apiGet('/v1/organizations', { parent: parentName, pageSize: CHILD_PAGE_SIZE, pageToken });
      children.push(...(page.organizations || []));
      pageToken = page.nextPageToken || '';
    } while (pageToken);
    return children;
  }

  // Counted members (official + probationary) of each organization's subtree.
  async function countMembers(names) {
    const totals = new Map();
    for (let i = 0; i < names.length; i += COUNT_BATCH) {
      const batch = names.slice(i, i + COUNT_BATCH);
      const answer = await apiGet('/v1/members:count', { organizations: batch, includeSubtree: true });
      for (const count of answer.counts || []) totals.set(count.organization, count.total || 0);
    }
    return totals;
  }

  // ---- the token ----------------------------------------------------------------

  // The JWT payload, decoded but NOT verified: the gateway's services verify it.
  function decodeJwt(token) {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    try {
      const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
      const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
      const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
      const claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims && typeof claims === 'object' ? claims : null;
    } catch (e) {
      return null;
    }
  }

  function formatDateTime(seconds) {
    const d = new Date(seconds * 1000);
    const pad = (n) => String(n).padStart(2, '0');
    return `${pad(d.getHours())}:${pad(d.getMinutes())} ${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
  }

  function showWhoAmI() {
    const claims = state.claims || {};
    $('whoami-sub').textContent = claims.sub || '(không rõ)';
    $('whoami-roles').textContent = Array.isArray(claims.roles) && claims.roles.length ? claims.roles.join(', ') : '—';
    $('whoami-scope').textContent = claims.scope_org ? `organizations/${claims.scope_org}` : '—';
    const exp = $('whoami-exp');
    exp.classList.remove('expired');
    if (typeof claims.exp === 'number') {
      const expired = claims.exp * 1000 <= Date.now();
      exp.textContent = expired ? `đã hết hạn lúc ${formatDateTime(claims.exp)}` : `hết hạn ${formatDateTime(claims.exp)}`;
      if (expired) exp.classList.add('expired');
    } else {
      exp.textContent = '';
    }
    $('whoami').hidden = false;
  }

  // ---- the organization tree ------------------------------------------------------

  function typeName(code) {
    return state.typeNames.get(code) || code || '';
  }

  function orgLabel(name) {
    return state.orgNames.get(name) || name;
  }

  function rememberOrg(org) {
    if (org && org.name) state.orgNames.set(org.name, org.displayName || org.name);
  }

  function renderNode(org, count) {
    rememberOrg(org);
    const children = el('ul', { className: 'tree-children', 'data-testid': 'org-children', role: 'group', hidden: true });
    const toggle = el('button', {
      type: 'button',
      className: 'tree-toggle',
      'data-testid': 'org-toggle',
      'aria-expanded': 'false',
      'aria-label': 'Mở đơn vị trực thuộc',
      text: '▸',
    });
    const nameButton = el('button', {
      type: 'button',
      className: 'tree-name',
      'data-testid': 'org-display-name',
      title: `${org.name} — ${org.code || ''}`,
      text: org.displayName || org.name,
    });
    const meta = el('span', { className: 'tree-meta' },
      el('span', { className: 'tag', 'data-testid': 'org-type', text: typeName(org.type) }));
    if (count !== undefined) {
      meta.append(' ', el('span', { className: 'count', 'data-testid': 'org-member-count', title: 'Số đảng viên (chính thức và dự bị), cả đơn vị trực thuộc' },
        `${count.toLocaleString('vi-VN')} đảng viên`));
    }
    if (ORG_STATE[org.state]) meta.append(' ', el('span', { className: 'tag tag-ended', text: ORG_STATE[org.state] }));
    const row = el('div', { className: 'tree-row' }, toggle, el('div', { className: 'tree-label' }, nameButton, ' ', meta));
    const item = el('li', { className: 'tree-node', 'data-testid': 'org-node', 'data-org-name': org.name, role: 'treeitem' },
      row, children);

    let loaded = false;
    toggle.addEventListener('click', async () => {
      const open = toggle.getAttribute('aria-expanded') === 'true';
      if (open) {
        toggle.setAttribute('aria-expanded', 'false');
        toggle.textContent = '▸';
        children.hidden = true;
        return;
      }
      toggle.setAttribute('aria-expanded', 'true');
      toggle.textContent = '▾';
      children.hidden = false;
      if (!loaded) {
        loaded = await loadChildren(org, children);
        if (!loaded) {
          toggle.setAttribute('aria-expanded', 'false');
          toggle.textContent = '▸';
          children.hidden = true;
        }
      }
    });
    nameButton.addEventListener('click', () => selectOrg(org, item));
    return item;
  }

  async function loadChildren(org, container) {
    container.replaceChildren(el('li', { className: 'muted tree-loading', text: 'Đang tải…' }));
    try {
      const children = await listChildren(org.name);
      let counts = new Map();
      try {
        counts = await countMembers(children.map((c) => c.name));
      } catch (e) {
        // Counts are a nicety: a caller who may list organizations but not
        // count members still gets the tree.
      }
      container.replaceChildren();
      if (!children.length) {
        container.append(el('li', { className: 'muted tree-empty', 'data-testid': 'org-no-children', text: 'Không có tổ chức trực thuộc' }));
      }
      for (const child of children) container.append(renderNode(child, counts.get(child.name)));
      return true;
    } catch (error) {
      container.replaceChildren();
      showError(error);
      return false;
    }
  }

  function selectOrg(org, item) {
    state.selected = org;
    for (const node of document.querySelectorAll('.tree-node.selected')) node.classList.remove('selected');
    if (item) item.classList.add('selected');
    $('member-scope').textContent = org.displayName || org.name;
    $('scorecard-scope').textContent = org.displayName || org.name;
  }

  async function loadTree() {
    const tree = $('org-tree');
    tree.replaceChildren();
    $('tree-status').textContent = 'Đang tải…';
    const rootName = `organizations/${(state.claims && Number(state.claims.scope_org)) || 1}`;
    const [root, types] = await Promise.all([
      apiGet(resourcePath(rootName)),
      apiGet('/v1/organizationTypes').catch(() => ({ types: [] })),
    ]);
    for (const type of types.types || []) state.typeNames.set(type.code, type.displayName || type.code);
    state.root = root;
    // The scorecard needs a year (or a date): the gateway's "today" gives it.
    const yearField = $('scorecard-year');
    if (!yearField.value) yearField.value = (root.asOfDate || '').slice(0, 4) || String(new Date().getFullYear());
    let count;
    try {
      count = (await countMembers([root.name])).get(root.name);
    } catch (e) {
      count = undefined;
    }
    const node = renderNode(root, count);
    node.classList.add('tree-root');
    tree.append(node);
    selectOrg(root, node);
    $('tree-status').textContent = root.asOfDate ? `tính đến ${root.asOfDate}` : '';
    // Open the root: its children are what a provincial official looks for first.
    node.querySelector('[data-testid="org-toggle"]').click();
  }

  // ---- member search --------------------------------------------------------------

  // Cells not yet in the tree get their display name fetched (once each).
  async function resolveOrgNames(names) {
    const unknown = [...new Set(names)].filter((n) => n && !state.orgNames.has(n));
    await Promise.all(unknown.map(async (name) => {
      try {
        rememberOrg(await apiGet(resourcePath(name)));
      } catch (e) {
        state.orgNames.set(name, name);
      }
    }));
  }

  async function searchMembers(pageIndex) {
    clearError();
    const button = $('member-search-button');
    button.disabled = true;
    try {
      const answer = await apiGet('/v1/members:search', {
        query: state.memberQuery,
        organization: state.memberOrg,
        pageSize: MEMBER_PAGE_SIZE,
        pageToken: state.memberTokens[pageIndex] || '',
      });
      const members = answer.members || [];
      state.memberPage = pageIndex;
      state.memberNext = answer.nextPageToken || '';
      if (state.memberNext) state.memberTokens[pageIndex + 1] = state.memberNext;
      await resolveOrgNames(members.map((m) => m.cell));
      const rows = $('member-rows');
      rows.replaceChildren();
      for (const member of members) {
        const status = MEMBER_STATUS[member.status] || member.status || '';
        const flags = [];
        if (member.exempt) flags.push('miễn sinh hoạt');
        if (member.suspended) flags.push('tạm đình chỉ');
        if (member.transferPending) flags.push('đang chuyển');
        rows.append(el('tr', { 'data-testid': 'member-row', 'data-member-name': member.name },
          el('td', { className: 'nowrap strong', 'data-testid': 'member-full-name' }, member.fullName || member.name),
          el('td', { className: 'nowrap' }, formatDate(member.birthDate)),
          el('td', { 'data-testid': 'member-cell', title: member.cell || '' }, member.cell ? orgLabel(member.cell) : '—'),
          el('td', { 'data-testid': 'member-status' },
            el('span', { className: `status status-${(member.status || '').toLowerCase().replace('member_status_', '')}` }, status),
            flags.length ? el('span', { className: 'muted small' }, ` (${flags.join(', ')})`) : null)));
      }
      $('member-results-wrap').hidden = members.length === 0 && pageIndex === 0;
      $('member-empty').hidden = !(members.length === 0 && pageIndex === 0);
      $('member-prev').disabled = pageIndex === 0;
      $('member-next').disabled = !state.memberNext;
      $('member-page-info').textContent = `Trang ${pageIndex + 1} · ${members.length} kết quả`;
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  }

  function formatDate(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    return match ? `${match[3]}/${match[2]}/${match[1]}` : (iso || '');
  }

  // ---- the scorecard ----------------------------------------------------------------

  function formatNumber(value) {
    return Number(value).toLocaleString('vi-VN', { maximumFractionDigits: 2 });
  }

  // A plan's target as a person reads it: "≥ 90%", "từ 10% đến 20%", ...
  function formatTarget(target) {
    if (!target || !target.comparator) return '—';
    const ratio = target.unit === 'ratio';
    const show = (v) => (ratio ? `${formatNumber((v || 0) * 100)}%` : formatNumber(v || 0));
    const symbols = { '>=': '≥', '>': '>', '=': '=', '<=': '≤', '<': '<' };
    let text;
    if (symbols[target.comparator]) text = `${symbols[target.comparator]} ${show(target.value)}`;
    else if (target.comparator === 'between') text = `từ ${show(target.low)} đến ${show(target.high)}`;
    else if (target.comparator === 'rising_year_on_year') text = 'tăng so với năm trước';
    else if (target.comparator === 'reported') text = 'báo cáo (không đánh giá)';
    else text = target.comparator;
    if (target.byYear) text += ` (đến năm ${target.byYear})`;
    else if (target.fromYear) text += ` (từ năm ${target.fromYear})`;
    if (target.window === 'term') text += ', cả nhiệm kỳ';
    return text;
  }

  function formatValue(indicator) {
    if (indicator.value === undefined || indicator.value === '') return '—';
    return indicator.kind === 'INDICATOR_KIND_RATIO' ? `${formatNumber(indicator.value)}%` : formatNumber(indicator.value);
  }

  async function loadScorecard() {
    clearError();
    const org = state.selected || state.root;
    if (!org) return;
    const button = $('scorecard-button');
    button.disabled = true;
    try {
      // GetScorecard refuses a scope with neither a year nor a date.
      const year = $('scorecard-year').value.trim() || String(new Date().getFullYear());
      const card = await apiGet(`${resourcePath(org.name)}/scorecard`, { 'scope.year': year });
      $('scorecard-title').textContent =
        `${card.organizationDisplayName || org.displayName} · năm ${card.year || year || ''} · tính đến ${formatDate(card.asOfDate)}` +
        (card.plan ? ` · kế hoạch ${card.plan}` : '');
      const rows = $('scorecard-rows');
      rows.replaceChildren();
      for (const indicator of card.indicators || []) {
        const [label, css] = ATTAINMENT[indicator.attainment] || ['—', 'na'];
        const ratio = indicator.kind === 'INDICATOR_KIND_RATIO';
        rows.append(el('tr', { 'data-testid': 'scorecard-row', 'data-indicator': indicator.id },
          el('td', { className: 'code', 'data-testid': 'indicator-id' }, indicator.id || ''),
          el('td', { 'data-testid': 'indicator-title', title: (indicator.target && indicator.target.text) || '' }, indicator.title || ''),
          el('td', { className: 'num nowrap' },
            // A count (S7, S8, S16) has no denominator: its value says it all.
            ratio ? `${formatNumber(indicator.numerator || 0)} / ${formatNumber(indicator.denominator || 0)}` : ''),
          el('td', { className: 'num nowrap', 'data-testid': 'indicator-value' }, formatValue(indicator)),
          el('td', { 'data-testid': 'indicator-target' }, formatTarget(indicator.target)),
          el('td', { 'data-testid': 'indicator-attainment' }, el('span', { className: `badge badge-${css}` }, label))));
      }
      $('scorecard-wrap').hidden = false;
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  }

  // ---- log in / out -----------------------------------------------------------------

  function normalizeGateway(url) {
    return url.trim().replace(/\/+$/, '');
  }

  function resetViews() {
    $('org-tree').replaceChildren();
    $('member-rows').replaceChildren();
    $('member-results-wrap').hidden = true;
    $('member-empty').hidden = true;
    $('scorecard-rows').replaceChildren();
    $('scorecard-wrap').hidden = true;
    state.root = null;
    state.selected = null;
    state.orgNames.clear();
    state.memberTokens = [''];
    etagCache.clear();
  }

  async function logIn(token, gateway) {
    clearError();
    state.gateway = normalizeGateway(gateway);
    state.token = token.trim();
    state.claims = decodeJwt(state.token);
    $('footer-gateway').textContent = state.gateway;
    if (!state.claims) {
      showError('Token không đúng dạng JWT (ba phần ngăn bởi dấu chấm) — hãy dán lại token.');
      return;
    }
    const button = $('login-button');
    button.disabled = true;
    try {
      resetViews();
      $('app').hidden = false;
      await loadTree();   // the first call: a token the gateway refuses fails here
      sessionStorage.setItem(TOKEN_KEY, state.token);
      sessionStorage.setItem(GATEWAY_KEY, state.gateway);
      showWhoAmI();
      $('login-panel').hidden = true;
      document.body.dataset.loggedIn = 'true';
    } catch (error) {
      // Only a token the gateway refused is forgotten; an unreachable gateway
      // leaves a saved one for the next try.
      const refused = error instanceof ApiError && error.httpStatus === 401;
      logOut({ keepError: true, keepToken: !refused });
      showError(error);
    } finally {
      button.disabled = false;
    }
  }

  function logOut(options) {
    if (!(options && options.keepToken)) sessionStorage.removeItem(TOKEN_KEY);
    state.token = '';
    state.claims = null;
    resetViews();
    $('app').hidden = true;
    $('whoami').hidden = true;
    $('login-panel').hidden = false;
    delete document.body.dataset.loggedIn;
    if (!(options && options.keepError)) clearError();
  }

  function initialGateway() {
    const fromQuery = new URLSearchParams(window.location.search).get('gateway');
    return fromQuery || sessionStorage.getItem(GATEWAY_KEY) || DEFAULT_GATEWAY;
  }

  function init() {
    const gateway = initialGateway();
    $('gateway-url').value = gateway;
    $('footer-gateway').textContent = normalizeGateway(gateway);

    $('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      logIn($('token-input').value, $('gateway-url').value);
    });
    $('logout-button').addEventListener('click', () => {
      $('token-input').value = '';
      logOut();
    });
    $('error-close').addEventListener('click', clearError);
    $('member-search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      state.memberQuery = $('member-query').value.trim();
      // The root is the token's whole scope, the search's default.
      state.memberOrg = state.selected && state.root && state.selected.name !== state.root.name ? state.selected.name : '';
      state.memberTokens = [''];
      searchMembers(0);
    });
    $('member-next').addEventListener('click', () => {
      if (state.memberNext) searchMembers(state.memberPage + 1);
    });
    $('member-prev').addEventListener('click', () => {
      if (state.memberPage > 0) searchMembers(state.memberPage - 1);
    });
    $('scorecard-form').addEventListener('submit', (event) => {
      event.preventDefault();
      loadScorecard();
    });

    // A token kept from earlier in this tab's session logs in again.
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) logIn(saved, gateway);
    document.body.dataset.ready = 'true';
  }

  document.addEventListener('DOMContentLoaded', init);
})();
