// The dashboard page's script: it reads a Hystrix event stream with an
// EventSource and keeps one tile per circuit and one per thread pool up to
// date, and, when the server has one, polls the states of the streams it
// merges. Everything from the stream reaches the page as text
// (textContent), never as markup.
'use strict';

(function () {
  const HISTORY = 60; // sparkline samples, one per round of the stream
  const STALE_MS = 10000; // a circuit unheard of for this long is marked stale
  const RETRY_MIN_MS = 1000; // back-off after the browser gives a stream up
  const RETRY_MAX_MS = 30000;
  const UPSTREAMS_MS = 2000; // how often the upstreams' states are polled
  const MIN_COVERED_S = 1; // a rate is never divided by less than this

  const body = document.body;
  const statusEl = document.getElementById('status');
  const sourceEl = document.getElementById('stream-url');
  const tilesEl = document.getElementById('circuits');
  const emptyEl = document.getElementById('empty');
  const countEl = document.getElementById('count');
  const filterEl = document.getElementById('filter');
  const poolsSection = document.getElementById('pools-section');
  const poolsEl = document.getElementById('pools');
  const upstreamsEl = document.getElementById('upstreams');
  const tileTemplate = document.getElementById('tile-template');
  const poolTemplate = document.getElementById('pool-template');
  const sortButtons = Array.from(document.querySelectorAll('[data-sort]'));

  const counts = new Intl.NumberFormat('en-US');
  const circuits = new Map(); // name -> circuit
  const pools = new Map(); // name -> pool
  let sortKey = 'error';
  let sortReversed = false;
  let filterText = '';
  let renderPending = false;

  // ---- the stream --------------------------------------------------------

  // chooseStream returns the URL to watch: the page's ?stream= if it is on
  // this page's origin, else the one the server configured. Another origin
  // is refused, so that a link cannot point the viewer's browser at it.
  function chooseStream() {
    const configured = new URL(body.dataset.stream || '/hystrix.stream', location.href);
    const asked = new URLSearchParams(location.search).get('stream');
    if (!asked) {
      return { url: configured.href, refused: '' };
    }
    let u = null;
    try {
      u = new URL(asked, location.href);
    } catch (e) {
      u = null;
    }
    if (u && u.origin === location.origin && (u.protocol === 'http:' || u.protocol === 'https:')) {
      return { url: u.href, refused: '' };
    }
    return { url: configured.href, refused: asked };
  }

  const source = chooseStream();
  sourceEl.textContent = source.url;
  if (source.refused) {
    const note = document.createElement('p');
    note.className = 'refused';
    note.setAttribute('role', 'alert');
    note.textContent = 'Not watching ' + source.refused +
      ': the page only watches streams on its own server (' + location.origin + ').';
    document.querySelector('header.top').appendChild(note);
  }

  let stream = null;
  let retryMs = RETRY_MIN_MS;
  // upstreams is the server's last report of the streams it merges, or
  // null when it has none (or has not answered yet).
  let upstreams = null;
  let streamStatus = 'connecting';
  let streamText = 'Connecting…';

  function setStatus(status, text) {
    streamStatus = status;
    streamText = text;
    showStatus();
  }

  // showStatus says how the page's stream is doing and, while it is live,
  // how far the streams behind it are: a merged stream is live even when
  // every upstream is down, which says nothing about the circuits.
  function showStatus() {
    let status = streamStatus;
    let text = streamText;
    if (status === 'live' && upstreams !== null && upstreams.total > 0) {
      const n = upstreams.connected;
      const total = upstreams.total;
      if (n === 0) {
        status = 'down';
        text = total === 1 ? 'No data: the upstream is not connected' :
          'No data: none of the ' + total + ' upstreams is connected';
      } else if (n < total) {
        status = 'partial';
        text = 'Live from ' + n + ' of ' + total + ' upstreams';
      } else {
        text = total === 1 ? 'Live' : 'Live from all ' + total + ' upstreams';
      }
    }
    body.dataset.status = status;
    if (statusEl.textContent !== text) {
      statusEl.textContent = text;
    }
  }

  function connect() {
    setStatus('connecting', 'Connecting…');
    const es = new EventSource(source.url);
    stream = es;
    es.onopen = function () {
      retryMs = RETRY_MIN_MS;
      setStatus('live', 'Live');
    };
    es.onmessage = function (e) {
      receive(e.data);
    };
    es.onerror = function () {
      if (es.readyState !== EventSource.CLOSED) {
        // The browser reconnects by itself.
        setStatus('connecting', 'Connection lost; reconnecting…');
        return;
      }
      // The browser has given up, as it does on an answer other than a
      // 200 event stream (a server at its client limit answers 503).
      es.close();
      setStatus('disconnected', 'Disconnected; retrying in ' + Math.round(retryMs / 1000) + ' s');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    };
  }

  function receive(text) {
    let ev;
    try {
      ev = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (!ev || typeof ev !== 'object' || typeof ev.name !== 'string') {
      return;
    }
    if (ev.type === 'HystrixCommand') {
      updateCircuit(ev);
    } else if (ev.type === 'HystrixThreadPool') {
      updatePool(ev);
    } else {
      return;
    }
    if (streamStatus !== 'live') {
      setStatus('live', 'Live');
    }
    scheduleRender();
  }

  // ---- the upstreams -----------------------------------------------------

  const upstreamsURL = body.dataset.upstreams || '';
  const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

  // pollUpstreams fetches the server's report on its upstreams, shows it
  // and asks again a little later, whatever the answer.
  function pollUpstreams() {
    fetch(upstreamsURL, { cache: 'no-store', credentials: 'same-origin' })
      .then(function (resp) {
        if (!resp.ok) {
          throw new Error('answered ' + resp.status);
        }
        return resp.json();
      })
      .then(function (report) {
        showUpstreams(report);
      }, function () {
        upstreams = null;
        upstreamsEl.hidden = true;
        showStatus();
      })
      .finally(function () {
        setTimeout(pollUpstreams, UPSTREAMS_MS);
      });
  }

  function fmtTime(v) {
    const d = new Date(typeof v === 'string' ? v : NaN);
    return Number.isNaN(d.getTime()) ? '' : clock.format(d);
  }

  // showUpstreams lists every upstream with its state, since when, and
  // the last error, all as text. The server has redacted passwords.
  function showUpstreams(report) {
    const list = report && Array.isArray(report.upstreams) ? report.upstreams : [];
    let connected = 0;
    const items = list.map(function (u) {
      const state = u && typeof u.state === 'string' ? u.state : 'unknown';
      if (state === 'connected') {
        connected++;
      }
      const li = document.createElement('li');
      li.className = 'upstream';
      li.dataset.state = state;
      const badge = li.appendChild(document.createElement('span'));
      badge.className = 'up-state';
      badge.textContent = state;
      const url = li.appendChild(document.createElement('code'));
      url.textContent = u && typeof u.url === 'string' ? u.url : '';
      const since = fmtTime(u && u.since);
      if (since) {
        const el = li.appendChild(document.createElement('span'));
        el.className = 'up-since';
        el.textContent = 'since ' + since;
      }
      if (state !== 'connected' && u && typeof u.retryAt === 'string' && fmtTime(u.retryAt)) {
        const el = li.appendChild(document.createElement('span'));
        el.className = 'up-since';
        el.textContent = 'next try ' + fmtTime(u.retryAt);
      }
      if (u && typeof u.lastError === 'string' && u.lastError !== '') {
        const el = li.appendChild(document.createElement('span'));
        el.className = 'up-error';
        el.textContent = (state === 'connected' ? 'last error: ' : 'error: ') + u.lastError;
      }
      return li;
    });
    upstreamsEl.replaceChildren.apply(upstreamsEl, items);
    upstreamsEl.hidden = items.length === 0;
    upstreams = { connected: connected, total: items.length };
    showStatus();
  }

  // ---- numbers -----------------------------------------------------------

  function num(v) {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : 0;
  }

  function has(v) {
    return v !== undefined && v !== null && v !== '' && Number.isFinite(Number(v));
  }

  function bool(v) {
    return v === true || v === 'true';
  }

  function windowSeconds(ev) {
    const ms = num(ev.propertyValue_metricsRollingStatisticalWindowInMilliseconds);
    return ms > 0 ? ms / 1000 : 10;
  }

  // coveredSeconds is the time the event's rolling counts cover, which a
  // rate divides them by: the part of the window filled, when the stream
  // says (a window fills after its circuit starts, and again after it
  // closes and clears it), at least MIN_COVERED_S so that the first
  // instants do not make a few calls a flood; else the whole window, as
  // Netflix's dashboard divides.
  function coveredSeconds(ev) {
    const win = windowSeconds(ev);
    if (!has(ev.rollingStatsWindowFilledInMilliseconds)) {
      return win;
    }
    const filled = num(ev.rollingStatsWindowFilledInMilliseconds) / 1000;
    return Math.min(win, Math.max(filled, Math.min(MIN_COVERED_S, win)));
  }

  function fmtCount(v) {
    return counts.format(Math.round(num(v)));
  }

  function fmtRate(r) {
    if (r === 0) {
      return '0';
    }
    return r < 10 ? r.toFixed(1) : counts.format(Math.round(r));
  }

  function fmtMillis(v) {
    return has(v) ? counts.format(Math.round(num(v))) : '–';
  }

  // admittedRate is the rate, a minute, at which the circuit's half-open
  // ramp admits calls, or -1 when the event has none: the key is there
  // only while a circuit ramps (summed over the hosts that do, in a
  // merged stream).
  function admittedRate(ev) {
    if (!has(ev.admittedPerMinute)) {
      return -1;
    }
    const r = num(ev.admittedPerMinute);
    return r >= 0 ? r : -1;
  }

  // share reads a percentage the stream sends only while a circuit
  // measures it (slowCallPercentage, throttlePercentage), or -1 when the
  // event has none or one outside 0 to 100, which no share is.
  function share(v) {
    if (!has(v)) {
      return -1;
    }
    const p = num(v);
    return p >= 0 && p <= 100 ? p : -1;
  }

  // fmtPercent shows a share to a tenth below 10 %, where a tenth can
  // matter, and whole above.
  function fmtPercent(p) {
    const tenths = Math.round(p * 10) / 10;
    return (tenths < 10 && tenths !== Math.round(tenths) ? tenths.toFixed(1) : String(Math.round(p))) + ' %';
  }

  // forcedState is "open" or "closed" when the circuit is configured to
  // stay so, else "".
  function forcedState(ev) {
    if (bool(ev.propertyValue_circuitBreakerForceOpen)) {
      return 'open';
    }
    return bool(ev.propertyValue_circuitBreakerForceClosed) ? 'closed' : '';
  }

  // ---- circuits ----------------------------------------------------------

  function stateOf(ev) {
    const s = ev.circuitState;
    if (s === 'closed' || s === 'open' || s === 'half-open') {
      return s;
    }
    return bool(ev.isCircuitBreakerOpen) ? 'open' : 'closed';
  }

  function p99(c) {
    return c.ev.latencyTotal ? num(c.ev.latencyTotal['99']) : 0;
  }

  function newCircuit(name) {
    const tile = tileTemplate.content.firstElementChild.cloneNode(true);
    tile.dataset.command = name;
    const fields = {};
    tile.querySelectorAll('[data-field]').forEach(function (el) {
      fields[el.dataset.field] = el;
    });
    fields.name.textContent = name;
    tile.setAttribute('aria-label', 'circuit ' + name);
    const c = {
      name: name,
      key: name.toLowerCase(),
      ev: null,
      rate: 0,
      seen: 0,
      history: [],
      tile: tile,
      fields: fields,
      latencyRows: tile.querySelectorAll('[data-latency]'),
      circle: tile.querySelector('.health-circle'),
      health: tile.querySelector('.health'),
      area: tile.querySelector('.spark-area'),
      rateLine: tile.querySelector('.spark-rate'),
      errLine: tile.querySelector('.spark-err'),
      dirty: true,
    };
    applyFilter(c);
    tilesEl.appendChild(tile);
    return c;
  }

  function updateCircuit(ev) {
    let c = circuits.get(ev.name);
    if (!c) {
      c = newCircuit(ev.name);
      circuits.set(ev.name, c);
    }
    const covered = coveredSeconds(ev);
    c.ev = ev;
    c.seen = Date.now();
    c.rate = num(ev.requestCount) / covered;
    c.history.push([c.rate, num(ev.errorCount) / covered]);
    if (c.history.length > HISTORY) {
      c.history.shift();
    }
    c.dirty = true;
  }

  function renderCircuit(c) {
    const ev = c.ev;
    const f = c.fields;
    const state = stateOf(ev);
    const errPct = num(ev.errorPercentage);
    const threshold = num(ev.propertyValue_circuitBreakerErrorThresholdPercentage);

    c.tile.dataset.state = state;
    f.state.textContent = state;
    renderRamp(c);
    renderShare(c, 'slow', 'slow ', ev.slowCallPercentage);
    renderShare(c, 'throttle', 'throttling ', ev.throttlePercentage);
    const forced = forcedState(ev);
    c.tile.dataset.forced = forced;
    f.forced.hidden = forced === '';
    f.forced.textContent = forced === '' ? '' : 'forced ' + forced;
    c.tile.dataset.errors = errPct === 0 ? 'none' : (threshold > 0 && errPct >= threshold ? 'high' : 'some');

    f.rate.textContent = fmtRate(c.rate);
    f['cluster-rate'].textContent = fmtRate(c.rate);
    f['host-rate'].textContent = fmtRate(c.rate / Math.max(1, num(ev.reportingHosts)));
    f.errpct.textContent = Math.round(errPct) + ' %';
    f.active.textContent = fmtCount(ev.currentConcurrentExecutionCount);
    const limit = concurrencyLimit(c);
    f['active-of'].textContent = limit > 0 ? 'active of ' + fmtCount(limit) : 'active';

    f.success.textContent = fmtCount(ev.rollingCountSuccess);
    f.failure.textContent = fmtCount(ev.rollingCountFailure);
    f.timeout.textContent = fmtCount(ev.rollingCountTimeout);
    f.short.textContent = fmtCount(ev.rollingCountShortCircuited);
    f.rejected.textContent = fmtCount(num(ev.rollingCountThreadPoolRejected) + num(ev.rollingCountSemaphoreRejected));
    f.bad.textContent = fmtCount(ev.rollingCountBadRequests);
    f.fallback.textContent = fmtCount(ev.rollingCountFallbackSuccess) + ' / ' +
      fmtCount(num(ev.rollingCountFallbackFailure) + num(ev.rollingCountFallbackRejection));

    c.latencyRows.forEach(function (row) {
      const key = row.dataset.latency;
      const p = ev[key] && typeof ev[key] === 'object' ? ev[key] : {};
      const cells = row.querySelectorAll('td');
      const values = [ev[key + '_mean'], p['50'], p['90'], p['99'], p['99.5'], p['100']];
      for (let i = 0; i < cells.length; i++) {
        const text = fmtMillis(values[i]);
        if (cells[i].textContent !== text) {
          cells[i].textContent = text;
        }
      }
    });

    renderSpark(c);
    c.dirty = false;
    renderMeta(c);
  }

  // healthOf is the circuit's health, which colours its circle: failing
  // when open or at its error threshold, warning when half-open or with
  // errors below it, else healthy.
  function healthOf(c) {
    const ev = c.ev;
    const state = stateOf(ev);
    const errPct = num(ev.errorPercentage);
    const threshold = num(ev.propertyValue_circuitBreakerErrorThresholdPercentage);
    if (state === 'open' || (threshold > 0 && errPct >= threshold)) {
      return 'failing';
    }
    return state === 'half-open' || errPct > 0 ? 'warning' : 'healthy';
  }

  // renderCircles sizes each circuit's circle by its request rate beside
  // the busiest circuit's (the area grows with the rate) and colours it
  // by its health; the tile carries both (data-health, data-radius) for
  // tests and scripts.
  function renderCircles() {
    let top = 0;
    circuits.forEach(function (c) {
      if (c.ev !== null) {
        top = Math.max(top, c.rate);
      }
    });
    circuits.forEach(function (c) {
      if (c.ev === null) {
        return;
      }
      const r = top > 0 ? 4 + 15 * Math.sqrt(c.rate / top) : 4;
      const text = r.toFixed(2);
      if (c.circle.getAttribute('r') !== text) {
        c.circle.setAttribute('r', text);
      }
      const health = healthOf(c);
      c.tile.dataset.health = health;
      c.tile.dataset.radius = text;
      c.health.setAttribute('aria-label', health + ', ' + fmtRate(c.rate) + ' req/s');
    });
  }

  // renderRamp shows the rate a ramping circuit admits, and marks the tile
  // with it (data-admitted) for tests and scripts.
  function renderRamp(c) {
    const rate = admittedRate(c.ev);
    const el = c.fields.ramp;
    if (rate < 0) {
      el.hidden = true;
      el.textContent = '';
      delete c.tile.dataset.admitted;
      return;
    }
    el.hidden = false;
    el.textContent = 'admitting ' + fmtRate(rate) + '/min';
    c.tile.dataset.admitted = String(rate);
  }

  // renderShare shows a share under its label in the tile's field of that
  // name, when the event has one, and marks the tile with it (data-slow,
  // data-throttle) for tests and scripts.
  function renderShare(c, field, label, v) {
    const p = share(v);
    const el = c.fields[field];
    if (p < 0) {
      el.hidden = true;
      el.textContent = '';
      delete c.tile.dataset[field];
      return;
    }
    el.hidden = false;
    el.textContent = label + fmtPercent(p);
    c.tile.dataset[field] = String(p);
  }

  // concurrencyLimit is the most executions the circuit allows at once, on
  // all its hosts, if the stream tells: the semaphore's for semaphore
  // isolation, else the size of the thread pool of the same name.
  function concurrencyLimit(c) {
    const ev = c.ev;
    if (ev.propertyValue_executionIsolationStrategy === 'SEMAPHORE') {
      // A setting, the same on every host, where the counts are summed.
      return num(ev.propertyValue_executionIsolationSemaphoreMaxConcurrentRequests) * Math.max(1, num(ev.reportingHosts));
    }
    const pool = pools.get(ev.propertyValue_executionIsolationThreadPoolKeyOverride || c.name);
    return pool ? num(pool.ev.currentMaximumPoolSize) : 0;
  }

  function renderMeta(c) {
    const ev = c.ev;
    const parts = [];
    const hosts = num(ev.reportingHosts);
    if (hosts > 0) {
      parts.push(hosts === 1 ? '1 host' : fmtCount(hosts) + ' hosts');
    }
    parts.push(Math.round(windowSeconds(ev)) + ' s window');
    const threshold = num(ev.propertyValue_circuitBreakerErrorThresholdPercentage);
    const tolerated = ev.propertyValue_circuitBreakerConsecutiveFailures;
    if (typeof tolerated === 'number' && tolerated >= 0) {
      parts.push('opens on ' + fmtCount(tolerated + 1) + ' failures in a row');
    } else if (threshold > 0) {
      parts.push('opens at ' + threshold + ' % of ≥ ' + fmtCount(ev.propertyValue_circuitBreakerRequestVolumeThreshold) + ' requests');
    }
    const age = Date.now() - c.seen;
    const stale = age > STALE_MS;
    if (stale) {
      parts.push('no data for ' + Math.round(age / 1000) + ' s');
    }
    c.tile.dataset.stale = stale ? 'true' : 'false';
    const text = parts.join(' · ');
    if (c.fields.meta.textContent !== text) {
      c.fields.meta.textContent = text;
    }
  }

  // renderSpark draws the request rate and the error rate of the last
  // HISTORY rounds, the newest on the right, scaled to the highest rate.
  function renderSpark(c) {
    const h = c.history;
    let top = 0;
    for (let i = 0; i < h.length; i++) {
      top = Math.max(top, h[i][0], h[i][1]);
    }
    top = top > 0 ? top : 1;
    const x0 = HISTORY - h.length;
    const ratePts = [];
    const errPts = [];
    for (let i = 0; i < h.length; i++) {
      const x = x0 + i;
      ratePts.push(x + ',' + y(h[i][0], top));
      errPts.push(x + ',' + y(h[i][1], top));
    }
    c.rateLine.setAttribute('points', ratePts.join(' '));
    c.errLine.setAttribute('points', errPts.join(' '));
    if (h.length > 0) {
      c.area.setAttribute('points', x0 + ',30 ' + ratePts.join(' ') + ' ' + (x0 + h.length - 1) + ',30');
    }
  }

  function y(v, top) {
    return (29 - 27 * v / top).toFixed(2);
  }

  // ---- thread pools ------------------------------------------------------

  function updatePool(ev) {
    let p = pools.get(ev.name);
    if (!p) {
      const tile = poolTemplate.content.firstElementChild.cloneNode(true);
      tile.dataset.pool = ev.name;
      tile.setAttribute('aria-label', 'thread pool ' + ev.name);
      const fields = {};
      tile.querySelectorAll('[data-field]').forEach(function (el) {
        fields[el.dataset.field] = el;
      });
      fields.name.textContent = ev.name;
      p = { name: ev.name, key: ev.name.toLowerCase(), tile: tile, fields: fields, ev: ev, seen: 0 };
      pools.set(ev.name, p);
      placePool(p);
      applyFilter(p);
      poolsSection.hidden = false;
    }
    p.ev = ev;
    p.seen = Date.now();
    p.dirty = true;
  }

  function placePool(p) {
    const tiles = Array.from(poolsEl.children);
    const before = tiles.find(function (t) {
      return t.dataset.pool.localeCompare(p.name) > 0;
    });
    poolsEl.insertBefore(p.tile, before || null);
  }

  function renderPool(p) {
    const ev = p.ev;
    const f = p.fields;
    const rate = num(ev.rollingCountThreadsExecuted) / coveredSeconds(ev);
    p.tile.dataset.rate = String(rate);
    f.rate.textContent = fmtRate(rate);
    f.active.textContent = fmtCount(ev.currentActiveCount);
    const size = num(ev.currentMaximumPoolSize) || num(ev.currentPoolSize);
    f['active-of'].textContent = size > 0 ? 'active of ' + fmtCount(size) : 'active';
    f.queued.textContent = fmtCount(ev.currentQueueSize);
    f['max-active'].textContent = fmtCount(ev.rollingMaxActiveThreads);
    f.executions.textContent = fmtCount(ev.rollingCountThreadsExecuted);
    f.size.textContent = fmtCount(ev.currentPoolSize);
    f.hosts.textContent = fmtCount(ev.reportingHosts);
    const stale = Date.now() - p.seen > STALE_MS;
    p.tile.dataset.stale = stale ? 'true' : 'false';
    const parts = [Math.round(windowSeconds(ev)) + ' s window'];
    if (has(ev.propertyValue_queueSizeRejectionThreshold) && num(ev.propertyValue_queueSizeRejectionThreshold) > 0) {
      parts.push('rejects past ' + fmtCount(ev.propertyValue_queueSizeRejectionThreshold) + ' queued');
    }
    if (stale) {
      parts.push('no data for ' + Math.round((Date.now() - p.seen) / 1000) + ' s');
    }
    f.meta.textContent = parts.join(' · ');
    p.dirty = false;
  }

  // ---- sorting and filtering ---------------------------------------------

  function byName(a, b) {
    return a.key < b.key ? -1 : a.key > b.key ? 1 : (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  const comparators = {
    name: byName,
    error: function (a, b) {
      return num(b.ev.errorPercentage) - num(a.ev.errorPercentage) ||
        num(b.ev.requestCount) - num(a.ev.requestCount) || byName(a, b);
    },
    volume: function (a, b) {
      return num(b.ev.requestCount) - num(a.ev.requestCount) || byName(a, b);
    },
    latency: function (a, b) {
      return p99(b) - p99(a) || byName(a, b);
    },
  };

  function sortTiles() {
    const list = Array.from(circuits.values()).filter(function (c) {
      return c.ev !== null;
    });
    list.sort(comparators[sortKey]);
    if (sortReversed) {
      list.reverse();
    }
    const current = tilesEl.children;
    let same = current.length === list.length;
    for (let i = 0; same && i < list.length; i++) {
      same = current[i] === list[i].tile;
    }
    if (!same) {
      list.forEach(function (c) {
        tilesEl.appendChild(c.tile);
      });
    }
  }

  function applyFilter(item) {
    const hide = filterText !== '' && item.key.indexOf(filterText) < 0;
    const el = item.tile;
    if (el.hidden !== hide) {
      el.hidden = hide;
    }
  }

  function renderCount() {
    const total = circuits.size;
    emptyEl.hidden = total > 0;
    let shown = 0;
    circuits.forEach(function (c) {
      if (!c.tile.hidden) {
        shown++;
      }
    });
    const noun = total === 1 ? 'circuit' : 'circuits';
    countEl.textContent = shown === total ? total + ' ' + noun : shown + ' of ' + total + ' ' + noun + ' shown';
  }

  function setSort(key) {
    if (key === sortKey) {
      sortReversed = !sortReversed;
    } else {
      sortKey = key;
      sortReversed = false;
    }
    markSort();
    scheduleRender();
  }

  function markSort() {
    sortButtons.forEach(function (b) {
      const on = b.dataset.sort === sortKey;
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      b.dataset.dir = on ? (sortReversed ? 'reversed' : 'normal') : '';
    });
    body.dataset.sort = sortKey + (sortReversed ? '-reversed' : '');
  }

  sortButtons.forEach(function (b) {
    b.addEventListener('click', function () {
      setSort(b.dataset.sort);
    });
  });

  filterEl.addEventListener('input', function () {
    filterText = filterEl.value.trim().toLowerCase();
    circuits.forEach(applyFilter);
    pools.forEach(applyFilter);
    renderCount();
  });

  // ---- rendering ---------------------------------------------------------

  function scheduleRender() {
    if (renderPending) {
      return;
    }
    renderPending = true;
    // A hidden tab runs no animation frames; the timer still runs there,
    // if less often, so the page is current when shown again.
    const run = function () {
      if (renderPending) {
        renderPending = false;
        render();
      }
    };
    requestAnimationFrame(run);
    setTimeout(run, 250);
  }

  function render() {
    circuits.forEach(function (c) {
      if (c.ev === null) {
        return;
      }
      if (c.dirty) {
        renderCircuit(c);
      } else {
        renderMeta(c);
      }
    });
    pools.forEach(function (p) {
      if (p.dirty || Date.now() - p.seen > STALE_MS) {
        renderPool(p);
      }
    });
    renderCircles();
    sortTiles();
    renderCount();
  }

  // Stale marks need a render even when nothing arrives.
  setInterval(scheduleRender, 1000);

  const initialFilter = new URLSearchParams(location.search).get('filter');
  if (initialFilter) {
    filterEl.value = initialFilter;
    filterText = initialFilter.trim().toLowerCase();
  }
  markSort();
  connect();
  if (upstreamsURL !== '') {
    pollUpstreams();
  }
})();
