/* The Generation Equality progress dashboard.
 *
 * It reads the public API only. The page arrives with the API's first
 * answers and the words of its language (routes/page/mod.rs); the filters,
 * the search and "Show more" then fetch the API, and the address follows
 * them so that any view can be shared. No library and no build step.
 */
(function () {
  "use strict";

  const API = "/api/v1";
  const FILTERS = ["coalition", "country", "constituency"];
  const COUNTRY_ROWS = 12;

  const state = JSON.parse(document.getElementById("state").textContent);
  const words = state.words;
  const lang = state.lang;
  const app = document.getElementById("app");

  /* ---------- words and numbers ---------- */

  function t(key, values) {
    let text = words.page[key];
    if (text === undefined) return key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  }

  // Vocabularies arrive as [key, label] pairs, in their own order.
  const vocabulary = {};
  for (const name of ["status", "type", "constituency", "implementation", "health", "country"]) {
    vocabulary[name] = new Map(words[name]);
  }
  const word = (table, key) => (vocabulary[table] && vocabulary[table].get(key)) || key;
  /** The entries of `counts` in the order of vocabulary `table`. */
  const ordered = (table, counts) => words[table].map(([key]) => key).filter((key) => key in counts)
    .concat(Object.keys(counts).filter((key) => !vocabulary[table].has(key)))
    .map((key) => [key, counts[key]]);
  const integer = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const usd = new Intl.NumberFormat(lang, { style: "currency", currency: "USD", maximumFractionDigits: 0 });
  const compactUsd = new Intl.NumberFormat(lang, {
    style: "currency", currency: "USD", notation: "compact", maximumFractionDigits: 1,
  });
  const percentFormat = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  const percent = (value) => (value === null || value === undefined ? "—" : percentFormat.format(value / 100));
  const money = (amount) => usd.format(Number(amount || 0));
  const dateFormat = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  const day = (iso) => dateFormat.format(new Date(iso + "T00:00:00Z"));

  /* ---------- the DOM ---------- */

  function h(tag, attrs, ...children) {
    return build(document.createElement(tag), attrs, children);
  }

  function svg(tag, attrs, ...children) {
    return build(document.createElementNS("http://www.w3.org/2000/svg", tag), attrs, children);
  }

  function build(node, attrs, children) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /* ---------- the data ---------- */

  const query = {};
  for (const name of FILTERS.concat("q")) query[name] = (state.query && state.query[name]) || "";
  let data = state.data || null;
  let generation = 0;
  let rendered = 0;

  const coalitions = () => ((data && data.coalitions) || state.data?.coalitions || { items: [] }).items;
  const coalition = (slug) => coalitions().find((c) => c.slug === slug);
  const coalitionName = (slug) => (coalition(slug) || { name: slug }).name;

  function filterParams(extra) {
    const params = new URLSearchParams();
    for (const name of FILTERS) if (query[name]) params.set(name, query[name]);
    for (const [name, value] of Object.entries(extra || {})) {
      if (value !== null && value !== undefined && value !== "") params.set(name, value);
    }
    return params;
  }

  async function api(path) {
    const response = await fetch(API + path, { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const first = body && body.errors && body.errors[0];
      throw new Error((first && first.message) || (body && (body.detail || body.title)) || response.statusText);
    }
    return body;
  }

  const breakdown = (by, extra) =>
    api("/stats/breakdown?" + filterParams(Object.assign({ by: by }, extra, { lang: lang })));
  const listPath = (cursor) =>
    "/commitments?" + filterParams({ limit: state.page_size || 20, q: query.q, cursor: cursor });
  const featured = () => query.coalition || state.featured;

  /** Fetches the figures and the list for the current filters, and draws them. */
  async function refresh() {
    const mine = ++generation;
    busy(true);
    try {
      const answers = await Promise.all([
        api("/stats/summary?" + filterParams()),
        breakdown("coalition"),
        breakdown("action_area", { coalition: featured() }),
        breakdown("country"),
        breakdown("constituency"),
        api(listPath()),
      ]);
      if (mine !== generation) return;
      const [summary, byCoalition, byArea, byCountry, byConstituency, commitments] = answers;
      data = {
        summary: summary, by_coalition: byCoalition, by_action_area: byArea, by_country: byCountry,
        by_constituency: byConstituency, commitments: commitments, coalitions: { items: coalitions() },
      };
      problem(null);
      drawFigures();
      drawList();
    } catch (error) {
      if (mine === generation) problem(t("error", { detail: error.message }));
    } finally {
      if (mine === generation) busy(false);
    }
  }

  /** Fetches the list alone (the search). */
  async function search() {
    const mine = ++generation;
    busy(true);
    try {
      const commitments = await api(listPath());
      if (mine !== generation) return;
      data.commitments = commitments;
      problem(null);
      drawList();
    } catch (error) {
      if (mine === generation) problem(t("error", { detail: error.message }));
    } finally {
      if (mine === generation) busy(false);
    }
  }

  async function more(button) {
    button.disabled = true;
    try {
      const next = await api(listPath(data.commitments.next_cursor));
      data.commitments = { items: data.commitments.items.concat(next.items), next_cursor: next.next_cursor };
      drawList(data.commitments.items.length - next.items.length);
    } catch (error) {
      problem(t("error", { detail: error.message }));
      button.disabled = false;
    }
  }

  function busy(on) {
    app.setAttribute("aria-busy", on ? "true" : "false");
    if (!on) app.dataset.rendered = String(++rendered);
  }

  /* ---------- the frame ---------- */

  const parts = {};

  function pageAddress(extra) {
    const params = filterParams(Object.assign({ q: query.q }, extra));
    const text = params.toString();
    return location.pathname + (text ? "?" + text : "");
  }

  function languages() {
    return h("nav", { class: "langs", "aria-label": t("language") },
      h("ul", {}, words.languages.map((l) => h("li", {},
        h("a", {
          href: state.view === "dashboard" ? pageAddress({ lang: l.code }) : location.pathname + "?lang=" + l.code,
          lang: l.code, hreflang: l.code, "aria-current": l.code === lang ? "true" : null,
        }, l.name)))));
  }

  function masthead(title, tagline) {
    parts.languages = languages();
    return h("header", { class: "masthead" },
      h("div", { class: "wrap" },
        h("a", { class: "skip", href: "#main" }, t("skip")),
        h("div", { class: "masthead-row" },
          h("div", {},
            h("p", { class: "forum" }, h("a", { href: "/?lang=" + lang }, "Generation Equality Forum")),
            h("h1", {}, title),
            tagline ? h("p", { class: "tagline" }, tagline) : null),
          parts.languages)));
  }

  function footer() {
    return h("footer", { class: "footer" },
      h("div", { class: "wrap" },
        h("p", {}, t("source"), " ",
          h("a", { href: "/docs/" }, t("api_docs")), " · ",
          h("a", { href: API + "/exports/commitments?format=csv" }, t("download")))));
  }

  function problem(message) {
    if (!parts.problem) return;
    parts.problem.replaceChildren(message ? h("p", { class: "problem" }, message) : "");
  }

  /** A table in a region of its own that scrolls sideways when the table
   *  is wider than its card; focusable, so that keys scroll it too. */
  function scrolling(table, label) {
    // Named apart from the section it is in: landmarks are told by name.
    return h("div", { class: "table-scroll", role: "region", tabindex: "0", "aria-label": label + " — " + t("table") }, table);
  }

  /* ---------- charts ---------- */

  /** A bar chart: each row's words, its bar (inline SVG) and its value; one
   *  image for screen readers, described in words, with its table behind. */
  function chart(id, title, rows, columns) {
    const figure = h("figure", { class: "chart", "data-testid": id });
    if (!rows.length) {
      figure.append(h("p", { class: "empty" }, t("no_data")));
      return figure;
    }
    const max = Math.max(1, ...rows.map((r) => r.value));
    const described = rows.map((r) => r.label + ": " + r.shown).join("; ");
    const bars = h("div", { class: "bars", role: "img", "aria-label": t("chart_of", { title: title, rows: described }) },
      rows.map((r) => h("div", { class: "bar-row", "data-key": r.key },
        h("span", { class: "bar-label" }, r.label),
        svg("svg", { class: "bar-line", viewBox: "0 0 100 10", preserveAspectRatio: "none", "aria-hidden": "true", focusable: "false" },
          svg("rect", { x: 0, y: 0, width: 100, height: 10, rx: 2, class: "track" }),
          svg("rect", { x: 0, y: 0, width: Math.max(r.value > 0 ? 1 : 0, (100 * r.value) / max), height: 10, rx: 2, class: "bar " + (r.tone || "") })),
        h("span", { class: "bar-value" }, r.shown))));
    const table = h("table", {},
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.title)))),
      h("tbody", {}, rows.map((r) => h("tr", {},
        columns.map((c, i) => (i === 0 ? h("th", { scope: "row" }, c.cell(r)) : h("td", {}, c.cell(r))))))));
    figure.append(bars, h("details", {}, h("summary", {}, t("table")), scrolling(table, title)));
    return figure;
  }

  const countColumns = () => [
    { title: t("name"), cell: (r) => r.label },
    { title: t("commitments"), cell: (r) => integer.format(r.value) },
  ];

  const figureColumns = () => [
    { title: t("name"), cell: (r) => r.label },
    { title: t("commitments"), cell: (r) => integer.format(r.row.commitments) },
    { title: t("makers"), cell: (r) => integer.format(r.row.makers) },
    { title: t("pledged"), cell: (r) => money(r.row.pledged_usd) },
    { title: t("disbursed"), cell: (r) => money(r.row.disbursed_usd) },
    { title: t("progress"), cell: (r) => percent(r.row.mean_percent_complete) },
  ];

  const breakdownRows = (answer) => answer.rows.map((row) => ({
    key: row.key, label: row.label, value: row.commitments, shown: integer.format(row.commitments), row: row,
  }));

  /* ---------- the dashboard ---------- */

  function section(id, title, ...content) {
    return h("section", { class: "panel", "aria-labelledby": id + "-title", "data-testid": id },
      h("h2", { id: id + "-title" }, title), content);
  }

  function totals(summary) {
    const pledged = Number(summary.pledged_usd);
    const disbursed = Number(summary.disbursed_usd);
    const share = pledged > 0 ? percent((100 * disbursed) / pledged) : null;
    const card = (id, label, value, ...notes) => h("div", { class: "kpi", "data-testid": id },
      h("dt", {}, label), h("dd", {}, h("span", { class: "kpi-value" }, value),
        notes.filter(Boolean).map((note) => h("span", { class: note.exact ? "kpi-note exact" : "kpi-note" }, note.text))));
    const exact = (amount) => ({ exact: true, text: money(amount) });
    const plain = (text) => text && { text: text };
    return h("section", { class: "totals", "aria-labelledby": "totals-title" },
      h("h2", { id: "totals-title", class: "visually-hidden" }, t("totals")),
      h("dl", { class: "kpis" },
        card("total-commitments", t("commitments"), integer.format(summary.commitments.total)),
        card("total-makers", t("makers"), integer.format(summary.makers)),
        card("total-pledged", t("pledged"), compactUsd.format(pledged), exact(summary.pledged_usd)),
        card("total-disbursed", t("disbursed"), compactUsd.format(disbursed), exact(summary.disbursed_usd),
          plain(share && t("disbursed_share", { percent: share }))),
        card("mean-progress", t("progress"), percent(summary.mean_percent_complete))));
  }

  function statusCharts(summary) {
    const counts = (entries, table, tone) => entries.map(([key, value]) => ({
      key: key, label: word(table, key), value: value, shown: integer.format(value), tone: tone ? tone(key) : "",
    }));
    const health = counts(ordered("health", summary.reporting_health), "health", (key) => "health-" + key);
    return h("div", { class: "grid three" },
      section("by-status", t("by_status"),
        chart("chart-status", t("by_status"), counts(ordered("status", summary.commitments.by_status), "status"), countColumns())),
      section("health", t("health"),
        chart("chart-health", t("health"), health, countColumns()),
        h("p", { class: "note" }, t("health_note"))),
      section("implementation", t("implementation"),
        chart("chart-implementation", t("implementation"),
          counts(ordered("implementation", summary.implementation).filter(([, v]) => v > 0), "implementation"), countColumns())));
  }

  function actionAreas(answer) {
    const slug = featured();
    const known = coalition(slug);
    const rows = new Map(answer.rows.map((r) => [r.key, r]));
    const areas = known ? known.action_areas : answer.rows.map((r) => ({ number: Number(r.key.split(":")[1]), title: r.label }));
    return section("action-areas", t("action_areas_of", { coalition: coalitionName(slug) }),
      h("ol", { class: "areas" }, areas.map((area) => {
        const row = rows.get(slug + ":" + area.number) || {
          commitments: 0, makers: 0, pledged_usd: "0.00", disbursed_usd: "0.00", mean_percent_complete: null,
        };
        const progress = row.mean_percent_complete;
        return h("li", { class: "area", "data-testid": "area-" + area.number, "data-commitments": row.commitments },
          h("p", { class: "area-number", "aria-hidden": "true" }, String(area.number)),
          h("h3", {}, area.title),
          area.target ? h("p", { class: "area-target" }, area.target) : null,
          h("dl", { class: "area-figures" },
            h("div", {}, h("dt", {}, t("commitments")), h("dd", { class: "area-commitments" }, integer.format(row.commitments))),
            h("div", {}, h("dt", {}, t("pledged")), h("dd", {}, compactUsd.format(Number(row.pledged_usd)))),
            h("div", {}, h("dt", {}, t("disbursed")), h("dd", {}, compactUsd.format(Number(row.disbursed_usd))))),
          h("p", { class: "area-progress" },
            h("label", { for: "area-progress-" + area.number }, t("progress"), ": ", percent(progress)),
            h("progress", { id: "area-progress-" + area.number, max: 100, value: progress === null ? 0 : progress })));
      })));
  }

  function breakdowns() {
    const countries = breakdownRows(data.by_country);
    return h("div", { class: "grid three" },
      section("by-coalition", t("by_coalition"),
        chart("chart-coalition", t("by_coalition"), breakdownRows(data.by_coalition), figureColumns())),
      section("by-country", t("by_country"),
        chart("chart-country", t("by_country"), countries.slice(0, COUNTRY_ROWS), figureColumns()),
        countries.length > COUNTRY_ROWS
          ? h("p", { class: "note" }, t("top_countries", { shown: COUNTRY_ROWS, total: countries.length })) : null,
        h("p", { class: "note" }, t("counting"))),
      section("by-constituency", t("by_constituency"),
        chart("chart-constituency", t("by_constituency"), breakdownRows(data.by_constituency), figureColumns())));
  }

  function drawFigures() {
    const summary = data.summary;
    parts.asOf.textContent = t("as_of", { date: day(summary.as_of) });
    parts.figures.replaceChildren(
      totals(summary), statusCharts(summary), actionAreas(data.by_action_area), breakdowns());
    const nav = languages();
    parts.languages.replaceWith(nav);
    parts.languages = nav;
  }

  function select(name, label, options) {
    const id = "filter-" + name;
    return h("p", { class: "field" },
      h("label", { for: id }, label),
      h("select", { id: id, name: name, onchange: (event) => changeFilter(name, event.target.value) },
        h("option", { value: "" }, t("all")),
        options.map(([value, text]) => h("option", { value: value, selected: value === query[name] }, text))));
  }

  function filters() {
    const byName = (a, b) => a[1].localeCompare(b[1], lang);
    const countries = words.country.slice().sort(byName);
    const constituencies = words.constituency.slice().sort(byName);
    const form = h("form", { class: "filters", method: "get", action: "/", "aria-label": t("filters") },
      h("input", { type: "hidden", name: "lang", value: lang }),
      select("coalition", t("coalition"), coalitions().map((c) => [c.slug, c.name])),
      select("country", t("country"), countries),
      select("constituency", t("constituency"), constituencies),
      h("p", { class: "field actions" },
        h("button", { type: "submit", class: "secondary" }, t("apply")),
        h("a", { href: "/?lang=" + lang, class: "clear", onclick: clearFilters }, t("clear"))));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      for (const name of FILTERS) query[name] = form.elements[name].value;
      navigate();
    });
    parts.filterForm = form;
    return form;
  }

  function changeFilter(name, value) {
    query[name] = value;
    navigate();
  }

  function clearFilters(event) {
    event.preventDefault();
    for (const name of FILTERS) {
      query[name] = "";
      parts.filterForm.elements[name].value = "";
    }
    navigate();
  }

  function navigate() {
    history.pushState(Object.assign({}, query), "", pageAddress({ lang: lang }));
    refresh();
  }

  /* ---------- the list ---------- */

  function listSection() {
    const input = h("input", { type: "search", id: "search", name: "q", value: query.q, autocomplete: "off" });
    const form = h("form", { class: "search", role: "search" },
      h("label", { for: "search" }, t("search")),
      h("span", { class: "search-row" }, input, h("button", { type: "submit" }, t("search_button"))));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      query.q = input.value.trim();
      history.pushState(Object.assign({}, query), "", pageAddress({ lang: lang }));
      search();
    });
    parts.list = h("div", { class: "list" });
    return section("commitments", t("list"), form, parts.list);
  }

  function item(c) {
    const health = c.reporting_health;
    return h("li", { class: "item", "data-id": c.id },
      h("h3", {}, h("a", { href: "/commitments/" + encodeURIComponent(c.id) + "?lang=" + lang }, c.title)),
      h("p", { class: "meta" }, c.organization.name, " · ", word("country", c.organization.country), " · ",
        word("constituency", c.organization.constituency)),
      h("p", { class: "tags" },
        h("span", { class: "tag" }, coalitionName(c.coalition)),
        h("span", { class: "tag status" }, word("status", c.status)),
        health ? h("span", { class: "tag health-" + health }, t("reporting") + ": " + word("health", health)) : null,
        c.pledge ? h("span", { class: "tag money" }, t("pledge") + ": " + money(c.pledge.amount_usd)) : null));
  }

  function drawList(from) {
    const page = data.commitments;
    const items = page.items;
    const list = h("ul", { class: "items", "data-testid": "list" }, items.map(item));
    const status = h("p", { class: "shown", role: "status" },
      items.length ? t("shown", { shown: integer.format(items.length) }) : t("none"));
    const button = page.next_cursor
      ? h("button", { type: "button", class: "more", onclick: (event) => more(event.currentTarget) }, t("more"))
      : null;
    parts.list.replaceChildren(status, list, button || "");
    if (from) {
      const first = list.children[from];
      const link = first && first.querySelector("a");
      if (link) link.focus();
    }
  }

  function dashboard() {
    parts.asOf = h("p", { class: "as-of" });
    parts.problem = h("div", { class: "problems", role: "alert" });
    parts.figures = h("div", { class: "figures" });
    const main = h("main", { id: "main", tabindex: "-1" },
      h("div", { class: "wrap" }, filters(), parts.asOf, parts.problem, parts.figures, listSection()));
    app.replaceChildren(masthead(t("title"), t("tagline")), main, footer());
    if (data && data.summary) {
      drawFigures();
      drawList();
      busy(false);
    } else {
      parts.list.replaceChildren(h("p", {}, t("loading")));
      refresh();
    }
    window.addEventListener("popstate", () => {
      const params = new URLSearchParams(location.search);
      for (const name of FILTERS.concat("q")) {
        query[name] = params.get(name) || "";
        const field = name === "q" ? document.getElementById("search") : parts.filterForm.elements[name];
        if (field) field.value = query[name];
      }
      refresh();
    });
  }

  /* ---------- one commitment ---------- */

  function facts(pairs) {
    return h("dl", { class: "facts" }, pairs.filter(([, value]) => value !== null && value !== "").map(([name, value]) =>
      h("div", {}, h("dt", {}, name), h("dd", {}, value))));
  }

  function report(r) {
    const checks = {
      pending: t("validation_pending"), validated: t("validation_validated"), queried: t("validation_queried"),
    };
    return h("li", { class: "report", "data-year": r.year },
      h("h3", {}, String(r.year), " — ", word("implementation", r.status)),
      h("p", { class: "area-progress" },
        h("label", { for: "report-" + r.year }, t("percent"), ": ", percent(r.percent_complete)),
        h("progress", { id: "report-" + r.year, max: 100, value: r.percent_complete })),
      facts([
        [t("disbursed"), r.disbursed ? money(r.disbursed.amount_usd) : null],
        [t("people"), r.people_reached === null ? null : integer.format(r.people_reached)],
        [t("validation"), checks[r.validation.status] || r.validation.status],
      ]),
      h("p", { class: "narrative" }, r.narrative));
  }

  function commitmentPage() {
    const c = state.data.commitment;
    const reports = state.data.reports.items;
    document.title = c.title + " — " + t("title");
    const home = coalition(c.coalition);
    const areaTitle = (n) => {
      const area = home && home.action_areas.find((a) => a.number === n);
      return area ? n + ". " + area.title : String(n);
    };
    const pledge = c.pledge
      ? new Intl.NumberFormat(lang, { style: "currency", currency: c.pledge.currency }).format(Number(c.pledge.amount)) +
        (c.pledge.currency !== "USD" ? " (" + money(c.pledge.amount_usd) + ")" : "")
      : null;
    const indicators = c.indicators.length
      ? h("table", {},
        h("thead", {}, h("tr", {}, [t("name"), t("baseline"), t("target")].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, c.indicators.map((i) => h("tr", {},
          h("th", { scope: "row" }, i.name + " (" + i.unit + ")"),
          h("td", {}, i.baseline === null ? "—" : integer.format(i.baseline)),
          h("td", {}, i.target === null ? "—" : integer.format(i.target))))))
      : null;
    const main = h("main", { id: "main", tabindex: "-1" },
      h("div", { class: "wrap narrow" },
        h("p", {}, h("a", { href: "/?lang=" + lang, class: "back" }, "← ", t("back"))),
        h("p", { class: "description" }, c.description),
        facts([
          [t("reference"), c.reference],
          [t("organization"), c.organization.name + " · " + word("country", c.organization.country) + " · " +
            word("constituency", c.organization.constituency)],
          [t("coalition"), coalitionName(c.coalition)],
          [t("action_areas"), h("ul", {}, c.action_areas.map((n) => h("li", {}, areaTitle(n))))],
          [t("countries"), c.countries.map((code) => word("country", code)).join(", ")],
          [t("years"), c.start_year + "–" + c.end_year],
          [t("pledge"), pledge],
          [t("types"), c.types.map((x) => word("type", x)).join(", ")],
          [t("status"), word("status", c.status)],
          [t("health"), c.reporting_health ? word("health", c.reporting_health) : null],
        ]),
        indicators ? h("section", { class: "panel", "aria-labelledby": "indicators-title" },
          h("h2", { id: "indicators-title" }, t("indicators")), scrolling(indicators, t("indicators"))) : null,
        h("section", { class: "panel", "aria-labelledby": "reports-title", "data-testid": "reports" },
          h("h2", { id: "reports-title" }, t("reports")),
          reports.length ? h("ol", { class: "reports" }, reports.slice().reverse().map(report)) : h("p", {}, t("no_reports")))));
    app.replaceChildren(masthead(c.title, null), main, footer());
    busy(false);
  }

  function notFound() {
    const main = h("main", { id: "main", tabindex: "-1" },
      h("div", { class: "wrap narrow" },
        h("p", { class: "problem" }, t("not_found")),
        h("p", {}, h("a", { href: "/?lang=" + lang, class: "back" }, "← ", t("back")))));
    app.replaceChildren(masthead(t("title"), null), main, footer());
    busy(false);
  }

  if (state.view === "commitment") commitmentPage();
  else if (state.view === "not_found") notFound();
  else dashboard();
})();
